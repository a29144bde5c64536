"""Streaming import of INSEE's SIRENE `StockEtablissement` file.

Columns are read by header name (the file has 48 or 54 columns depending on its vintage).
The file may be plain CSV, `.gz` or `.zip`; it is read line by line in constant memory,
filtered to the territory's communes (Paris / Lyon / Marseille arrondissements and communes
déléguées resolve to their commune) and to NAF sections (industry, section C, by default),
and upserted by SIRET in batches. The whole import is one transaction: a file that turns out
not to be SIRENE changes nothing. Bad lines are reported with their numbers, never fatal.

NAF rév. 2 divisions to sections: INSEE, Nomenclature d'activités française rév. 2 (2008).
Codes of the older NAF rév. 1 (nomenclature "NAFv1", still found on establishments closed
before 2008) are kept when their division is manufacturing (15 to 37, section D of rév. 1),
since the 2008 switch is not a change of activity.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from territories import cog
from territories.models import Establishment, SiteEvent, Territory

REQUIRED = (
    "siret",
    "codeCommuneEtablissement",
    "activitePrincipaleEtablissement",
    "etatAdministratifEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
)
# The published columns of StockEtablissement (INSEE, SIRENE description of the
# establishment file): 48 in the older vintage; the newer one adds six (54). The import reads
# columns by name and needs only REQUIRED; these lists serve the file generators.
COLUMNS_48 = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
]
COLUMNS_54 = [
    *COLUMNS_48[:13],
    "dernierNumeroVoieEtablissement",
    *COLUMNS_48[13:25],
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    *COLUMNS_48[25:],
    "activitePrincipaleNAF25Etablissement",
    "nomenclatureActivitePrincipaleNAF25Etablissement",
]
SECTIONS = [
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
]
HEADCOUNT_BANDS = {
    "NN",
    "00",
    "01",
    "02",
    "03",
    "11",
    "12",
    "21",
    "22",
    "31",
    "32",
    "41",
    "42",
    "51",
    "52",
    "53",
}
NON_DIFFUSIBLE = "[ND]"
BATCH = 2000
MAX_LISTED_MALFORMED = 200


class SireneFormatError(ValueError):
    """The file is not a SIRENE establishment stock; the message says why, in French."""


@dataclass
class ImportReport:
    read: int = 0
    kept: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0  # extensions and reductions found by comparing with the older stock
    skipped: Counter = field(default_factory=Counter)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    malformed_count: int = 0

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "kept": self.kept,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "extensions_reductions": self.changes,
            "skipped": dict(self.skipped),
            "malformed": self.malformed_count,
            "malformed_lines": [{"line": n, "reason": r} for n, r in self.malformed],
        }

    def bad(self, line: int, reason: str) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MAX_LISTED_MALFORMED:
            self.malformed.append((line, reason))


def section_of(naf: str, nomenclature: str) -> str | None:
    digits = naf[:2]
    if not digits.isdigit():
        return None
    division = int(digits)
    if nomenclature == "NAFv1":
        return "C" if 15 <= division <= 37 else None
    return next((s for s, low, high in SECTIONS if low <= division <= high), None)


def _open(path: Path) -> tuple[io.BufferedIOBase, int]:
    """A binary stream of the CSV (decompressed) and the size of the file on disk."""
    size = path.stat().st_size
    with path.open("rb") as probe:
        magic = probe.read(4)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb"), size
    if magic == b"PK\x03\x04":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if not names:
            raise SireneFormatError(_("L'archive ZIP ne contient aucun fichier CSV."))
        return archive.open(names[0]), size
    return path.open("rb"), size


def _lines(stream: io.BufferedIOBase, report: ImportReport) -> Iterator[str]:
    for number, raw in enumerate(stream, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            report.bad(number, _("encodage illisible (le fichier doit être en UTF-8)"))
            yield ""


def _opt(row: list[str], index: int | None) -> str:
    return row[index] if index is not None else ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value and value != NON_DIFFUSIBLE else None
    except ValueError:
        return None


def sirene_import(
    *,
    territory: Territory,
    path: Path,
    sections: set[str] | frozenset[str] = frozenset({"C"}),
    stock_date: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the territory's establishments of `sections` from a SIRENE stock file.
    Side effects: creates and updates Establishment rows, all or nothing."""
    communes = set(territory.communes)
    if not communes:
        raise SireneFormatError(_("Ce territoire ne compte aucune commune."))
    resolve = cog.load().resolve
    naf_codes = cog.naf_labels()
    report = ImportReport()
    csv.field_size_limit(10_000)
    stream, size = _open(path)
    with stream, transaction.atomic():
        reader = csv.reader(_lines(stream, report))
        try:
            header = next(reader)
        except StopIteration:
            raise SireneFormatError(_("Le fichier est vide.")) from None
        except csv.Error:
            raise SireneFormatError(_("La première ligne n'est pas un en-tête CSV.")) from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise SireneFormatError(
                _("Ce n'est pas un fichier SIRENE des établissements : colonnes manquantes %(c)s.")
                % {"c": ", ".join(missing)}
            )
        col = {name: header.index(name) for name in header}
        optional = {
            n: col.get(n)
            for n in (
                "nomenclatureActivitePrincipaleEtablissement",
                "statutDiffusionEtablissement",
                "anneeEffectifsEtablissement",
                "dateDebut",
                "enseigne1Etablissement",
                "denominationUsuelleEtablissement",
                "siren",
            )
        }
        batch: dict[str, dict] = {}
        line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                line = reader.line_num
                report.read += 1
                report.bad(line, _("ligne illisible (%(e)s)") % {"e": str(error)[:80]})
                continue
            line = reader.line_num
            if not row or row == [""]:
                continue
            report.read += 1
            if progress and report.read % 100_000 == 0:
                progress(report.read, size)
            if len(row) != len(header):
                report.bad(
                    line, _("%(n)d colonnes au lieu de %(m)d") % {"n": len(row), "m": len(header)}
                )
                continue
            siret = row[col["siret"]]
            if len(siret) != 14 or not siret.isdigit():
                report.bad(line, _("SIRET invalide « %(s)s »") % {"s": siret[:20]})
                continue
            commune = resolve(row[col["codeCommuneEtablissement"]])
            if commune not in communes:
                report.skipped["hors territoire"] += 1
                continue

            naf = row[col["activitePrincipaleEtablissement"]]
            nomenclature = _opt(row, optional["nomenclatureActivitePrincipaleEtablissement"])
            section = section_of(naf, nomenclature)
            if section is None and nomenclature == "NAFv1":
                report.skipped["NAF rév. 1 hors industrie"] += 1
                continue
            if section not in sections:
                report.skipped["autre secteur"] += 1
                continue
            if nomenclature != "NAFv1" and naf not in naf_codes:
                report.skipped["code NAF inconnu"] += 1
                continue
            non_diffusible = (
                NON_DIFFUSIBLE in row or _opt(row, optional["statutDiffusionEtablissement"]) == "P"
            )
            name = _opt(row, optional["enseigne1Etablissement"]) or _opt(
                row, optional["denominationUsuelleEtablissement"]
            )
            band = row[col["trancheEffectifsEtablissement"]]
            year = _opt(row, optional["anneeEffectifsEtablissement"])
            active = row[col["etatAdministratifEtablissement"]] != "F"
            batch[siret] = {
                "siren": _opt(row, optional["siren"]) or siret[:9],
                "name": "" if name == NON_DIFFUSIBLE else name[:200],
                "naf": naf[:6],
                "commune": commune,
                "created_on": _date(row[col["dateCreationEtablissement"]]),
                "closed_on": None if active else _date(_opt(row, optional["dateDebut"])),
                "active": active,
                "headcount_band": band if band in HEADCOUNT_BANDS else "",
                "headcount_year": int(year) if year.isdigit() else None,
                "diffusible": not non_diffusible,
                "stock_date": stock_date,
            }
            report.kept += 1
            if len(batch) >= BATCH:
                _flush(territory, batch, report)
                batch = {}
        _flush(territory, batch, report)
    if progress:
        progress(report.read, size)
    return report


def _flush(territory: Territory, batch: dict[str, dict], report: ImportReport) -> None:
    if not batch:
        return
    existing = {
        e.siret: e for e in Establishment.objects.filter(territory=territory, siret__in=list(batch))
    }
    to_create, to_update, events = [], [], []
    for siret, values in batch.items():
        current = existing.get(siret)
        if current is None:
            to_create.append(Establishment(territory=territory, siret=siret, **values))
        elif any(
            getattr(current, k) != v
            for k, v in values.items()
            if not (k == "stock_date" and v is None)
        ):
            change = _headcount_change(current, values)
            if change is not None:
                events.append(change)
            for k, v in values.items():
                if not (k == "stock_date" and v is None):
                    setattr(current, k, v)
            to_update.append(current)
        else:
            report.unchanged += 1
    Establishment.objects.bulk_create(to_create)
    if to_update:
        Establishment.objects.bulk_update(
            to_update, [k for k in next(iter(batch.values())) if k != "stock_date"] + ["stock_date"]
        )
    SiteEvent.objects.bulk_create(events, ignore_conflicts=True)
    report.created += len(to_create)
    report.updated += len(to_update)
    report.changes += len(events)


def _headcount_change(current: Establishment, values: dict) -> SiteEvent | None:
    """A newer stock whose headcount band differs from the older one: an extension (band up)
    or a reduction (band down), dated at the newer stock, jobs by band midpoints."""
    from territories.selectors import BAND_JOBS, jobs_of

    old_date, new_date = current.stock_date, values.get("stock_date")
    old_band, new_band = current.headcount_band, values.get("headcount_band", "")
    if not (
        old_date and new_date and new_date > old_date and values.get("active") and current.active
    ):
        return None
    if old_band not in BAND_JOBS or new_band not in BAND_JOBS or old_band == new_band:
        return None
    diff = jobs_of(new_band) - jobs_of(old_band)
    if diff == 0:
        return None
    return SiteEvent(
        territory_id=current.territory_id,
        kind=SiteEvent.Kind.EXTENSION if diff > 0 else SiteEvent.Kind.REDUCTION,
        date=new_date,
        siret=current.siret,
        name=(values.get("name") or current.name or current.siret)[:200],
        jobs=round(abs(diff)),
        source=f"SIRENE : stocks du {old_date:%d/%m/%Y} et du {new_date:%d/%m/%Y}",
    )


HISTORIQUE_REQUIRED = (
    "siret",
    "dateDebut",
    "etatAdministratifEtablissement",
    "changementEtatAdministratifEtablissement",
)


def historique_import(*, territory: Territory, path: Path) -> ImportReport:
    """Closure dates from `StockEtablissementHistorique`: for the territory's establishments,
    the start of the latest period whose administrative state changed to closed ("F").
    Side effects: sets closed_on of the territory's closed establishments."""
    known = set(Establishment.objects.filter(territory=territory).values_list("siret", flat=True))
    report = ImportReport()
    closures: dict[str, dt.date] = {}
    stream, _size = _open(path)
    with stream, transaction.atomic():
        reader = csv.reader(_lines(stream, report))
        try:
            header = next(reader)
        except StopIteration:
            raise SireneFormatError(_("Le fichier est vide.")) from None
        missing = [c for c in HISTORIQUE_REQUIRED if c not in header]
        if missing:
            raise SireneFormatError(
                _("Ce n'est pas un fichier SIRENE historique : colonnes manquantes %(c)s.")
                % {"c": ", ".join(missing)}
            )
        col = {name: header.index(name) for name in HISTORIQUE_REQUIRED}
        for row in reader:
            if not row or row == [""]:
                continue
            report.read += 1
            if len(row) != len(header):
                report.bad(
                    reader.line_num,
                    _("%(n)d colonnes au lieu de %(m)d") % {"n": len(row), "m": len(header)},
                )
                continue
            siret = row[col["siret"]]
            if siret not in known:
                report.skipped["hors territoire ou hors secteur"] += 1
                continue
            if (
                row[col["etatAdministratifEtablissement"]] == "F"
                and row[col["changementEtatAdministratifEtablissement"]].lower() == "true"
            ):
                date = _date(row[col["dateDebut"]])
                if date and (siret not in closures or date > closures[siret]):
                    closures[siret] = date
                report.kept += 1
        for siret, date in closures.items():
            report.updated += (
                Establishment.objects.filter(territory=territory, siret=siret, active=False)
                .exclude(closed_on=date)
                .update(closed_on=date)
            )
    return report
