"""Streaming import of INSEE's SIRENE `StockEtablissement` file, or of one of its géolocalised
extracts by département (`geo_siret_<dep>.csv.gz`, see `data/SOURCES.md`).

Columns are read by header name (the file has 48 or 54 columns depending on its vintage; a
géolocalised extract has the same columns plus nine of geocoding, `longitude` and `latitude`
among them). The format is told from the header, and the coordinates kept when present.
The file may be plain CSV, `.gz` or `.zip`; it is read line by line in constant memory,
filtered to the territory's communes (Paris / Lyon / Marseille arrondissements and communes
déléguées resolve to their commune) and to NAF sections (industry, section C, by default),
and staged in batches (short transactions: phones keep answering during a long import). The
staged rows are then applied to the territory in one short transaction: a file that turns out
not to be SIRENE, or a worker that stops halfway, changes nothing. Bad lines are reported with
their numbers, never fatal.

NAF rév. 2 divisions to sections: INSEE, Nomenclature d'activités française rév. 2 (2008).
Codes of the older NAF rév. 1 (nomenclature "NAFv1", still found on establishments closed
before 2008) are kept when their division is manufacturing (15 to 37, section D of rév. 1),
since the 2008 switch is not a change of activity.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from territories import cog
from territories.files import read_lines
from territories.models import Establishment, SiteEvent, StagedEstablishment, Territory
from workshops import rawsql

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
# The géolocalised extracts (Etalab, "Base Sirene des entreprises et de leurs établissements
# géolocalisée"): the stock's columns followed by these, WGS 84 coordinates first.
GEO_COLUMNS = [
    "longitude",
    "latitude",
    "geo_score",
    "geo_type",
    "geo_adresse",
    "geo_id",
    "geo_ligne",
    "geo_l4",
    "geo_l5",
]
COLUMNS_GEO = [*COLUMNS_48, *GEO_COLUMNS]
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
# SIRENE headcount bands (tranche d'effectifs) and the jobs each stands for: the midpoint of
# the band (0 for "non employeur" and "0 salarié", 10,000 for 10,000 and more).
BAND_JOBS = {
    "NN": 0.0,
    "00": 0.0,
    "01": 1.5,
    "02": 4.0,
    "03": 7.5,
    "11": 14.5,
    "12": 34.5,
    "21": 74.5,
    "22": 149.5,
    "31": 224.5,
    "32": 374.5,
    "41": 749.5,
    "42": 1499.5,
    "51": 3499.5,
    "52": 7499.5,
    "53": 10000.0,
}
HEADCOUNT_BANDS = set(BAND_JOBS)
NON_DIFFUSIBLE = "[ND]"
BATCH = 500  # rows per staging write: one short hold of the write lock (a few ms on SQLite)
MAX_LISTED_MALFORMED = 200
# Over the line limit (territories.files): a field that long can only be a quoted field
# spanning many lines, after which the rest of the file cannot be trusted.
CSV_FIELD_LIMIT = 128 * 1024
PROGRESS_SECONDS = 2.0  # progress (the job's heartbeat) is written at least this often
STAGED_PLAN = ("action", "event_kind", "event_jobs", "event_name", "event_source")
STAGED_FIELDS = (
    "siren",
    "name",
    "naf",
    "commune",
    "created_on",
    "closed_on",
    "active",
    "headcount_band",
    "headcount_year",
    "diffusible",
    "longitude",
    "latitude",
)


class Skip(TextChoices):
    """Why a well-formed line was left out (counted in the report)."""

    OUTSIDE = "outside", _lazy("hors territoire")
    NAF_V1_OTHER = "naf_v1_other", _lazy("NAF rév. 1 hors industrie")
    OTHER_SECTION = "other_section", _lazy("autre secteur")
    UNKNOWN_NAF = "unknown_naf", _lazy("code NAF inconnu")
    NOT_A_SITE = "not_a_site", _lazy("hors territoire ou hors secteur")


class SireneFormatError(ValueError):
    """The file is not a SIRENE establishment stock; the message says why, in French."""


class ImportAbandoned(RuntimeError):
    """The job was marked failed (stale) while this process still ran it: nothing applied."""


def jobs_of(band: str) -> float:
    return BAND_JOBS.get(band, 0.0)


@dataclass
class ImportReport:
    format: str = ""  # "stock", "geo" (a géolocalised extract) or "api"
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
            "format": self.format,
            "read": self.read,
            "kept": self.kept,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "extensions_reductions": self.changes,
            "skipped": self.skipped_labelled(),
            "malformed": self.malformed_count,
            "malformed_lines": [{"line": n, "reason": r} for n, r in self.malformed],
        }

    def skipped_labelled(self) -> dict[str, int]:
        """The skipped counts by reason, as the organiser reads them."""
        return {str(Skip(code).label): n for code, n in sorted(self.skipped.items())}

    def bad(self, line: int, reason: str) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MAX_LISTED_MALFORMED:
            self.malformed.append((line, reason))


class Progress:
    """Calls `report(rows_read)` at most every PROGRESS_SECONDS (and at the end)."""

    def __init__(self, report: Callable[[int], None] | None) -> None:
        self.report = report
        self.last = time.monotonic()

    def tick(self, read: int) -> None:
        if read % 1000 == 0:
            self.beat(read)

    def beat(self, read: int) -> None:
        """Report now if PROGRESS_SECONDS passed (for slow sources: one call per page)."""
        if self.report is not None:
            now = time.monotonic()
            if now - self.last >= PROGRESS_SECONDS:
                self.last = now
                self.report(read)

    def done(self, read: int) -> None:
        if self.report is not None:
            self.report(read)


def section_of(naf: str, nomenclature: str) -> str | None:
    digits = naf[:2]
    if not digits.isdigit():
        return None
    division = int(digits)
    if nomenclature == "NAFv1":
        return "C" if 15 <= division <= 37 else None
    return next((s for s, low, high in SECTIONS if low <= division <= high), None)


def decoded_lines(raw_lines: Iterable[bytes], report: ImportReport) -> Iterator[str]:
    """UTF-8 lines (the first without its BOM); an undecodable line is reported and empty."""
    for number, raw in enumerate(raw_lines, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            report.bad(number, _("encodage illisible (le fichier doit être en UTF-8)"))
            yield ""


def csv_rows(reader: Iterator[list[str]], report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) of a csv.reader, unreadable rows (a field over the limit, a stray
    quote) reported as malformed instead of stopping the import."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                # The rest of the file would be read from inside that field: stop here.
                raise SireneFormatError(
                    _(
                        "Ligne %(n)d : un champ dépasse %(k)d Kio ; ce n'est pas le fichier "
                        "attendu (vérifiez les guillemets), rien n'a été importé."
                    )
                    % {"n": reader.line_num, "k": CSV_FIELD_LIMIT // 1024}
                ) from None
            report.read += 1
            report.bad(reader.line_num, _("ligne illisible (%(e)s)") % {"e": str(error)[:80]})
            continue
        if not row or row == [""]:
            continue
        report.read += 1
        yield reader.line_num, row


def _header(reader: Iterator[list[str]], required: tuple[str, ...], what: str) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise SireneFormatError(_("Le fichier est vide.")) from None
    except csv.Error:
        raise SireneFormatError(_("La première ligne n'est pas un en-tête CSV.")) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise SireneFormatError(
            _("Ce n'est pas un fichier SIRENE %(w)s : colonnes manquantes %(c)s.")
            % {"w": what, "c": ", ".join(missing)}
        )
    return header


def _opt(row: list[str], index: int | None) -> str:
    return row[index] if index is not None else ""


def file_format(header: list[str]) -> str:
    """ "geo" for a géolocalised extract (it has the coordinate columns), else "stock"."""
    return "geo" if {"longitude", "latitude"} <= set(header) else "stock"


def coordinates(longitude: Any, latitude: Any) -> tuple[float | None, float | None]:
    """(longitude, latitude) as floats when both read as WGS 84 coordinates, else (None, None)
    (an establishment the geocoder could not place has empty cells)."""
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError):
        return None, None
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0) or (lon, lat) == (0.0, 0.0):
        return None, None
    return round(lon, 6), round(lat, 6)


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
    progress: Callable[[int], None] | None = None,
    run: str = "",
    still_wanted: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import the territory's establishments of `sections` from a SIRENE stock file.
    The kept rows are staged under `run` in batches, then applied in one short transaction
    (if `still_wanted()` says so at that moment). Raises UploadRefused or SireneFormatError.
    Side effects: creates and updates Establishment rows (and headcount SiteEvents), all or
    nothing; staged rows are deleted afterwards."""
    run = run or f"cmd-{uuid.uuid4().hex[:16]}"
    # Rows left by a run whose process was killed (a job's are dropped when it is found stale).
    StagedEstablishment.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=1)
    ).delete()
    StagedEstablishment.objects.filter(run=run).delete()
    try:
        report = sirene_stage(
            territory=territory,
            path=path,
            sections=sections,
            stock_date=stock_date,
            run=run,
            progress=progress,
        )
        sirene_apply(
            territory=territory,
            run=run,
            stock_date=stock_date,
            report=report,
            still_wanted=still_wanted,
        )
    finally:
        StagedEstablishment.objects.filter(run=run).delete()
    return report


def sirene_stage(
    *,
    territory: Territory,
    path: Path,
    sections: set[str] | frozenset[str],
    stock_date: dt.date | None,
    run: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read the stock file and stage the territory's rows under `run`, each with what
    applying it will do. Side effects: writes StagedEstablishment rows, BATCH at a time (one
    short write each, never a long hold of the database's write lock)."""
    communes = set(territory.communes)
    if not communes:
        raise SireneFormatError(_("Ce territoire ne compte aucune commune."))
    resolve = cog.load().resolve
    naf_codes = cog.naf_labels()
    report = ImportReport()
    ticker = Progress(progress)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(decoded_lines(read_lines(path), report))
    header = _header(reader, REQUIRED, _("des établissements"))
    report.format = file_format(header)
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
            "longitude",
            "latitude",
        )
    }
    batch: dict[str, dict[str, Any]] = {}
    for line, row in csv_rows(reader, report):
        ticker.tick(report.read)
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
            report.skipped[Skip.OUTSIDE] += 1
            continue
        naf = row[col["activitePrincipaleEtablissement"]]
        nomenclature = _opt(row, optional["nomenclatureActivitePrincipaleEtablissement"])
        section = section_of(naf, nomenclature)
        if section is None and nomenclature == "NAFv1":
            report.skipped[Skip.NAF_V1_OTHER] += 1
            continue
        if section not in sections:
            report.skipped[Skip.OTHER_SECTION] += 1
            continue
        if nomenclature != "NAFv1" and naf not in naf_codes:
            report.skipped[Skip.UNKNOWN_NAF] += 1
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
        longitude, latitude = coordinates(
            _opt(row, optional["longitude"]), _opt(row, optional["latitude"])
        )
        batch[siret] = {
            "siren": (_opt(row, optional["siren"]) or siret[:9])[:9],
            "name": "" if name == NON_DIFFUSIBLE else name[:200],
            "naf": naf[:6],
            "commune": commune,
            "created_on": _date(row[col["dateCreationEtablissement"]]),
            "closed_on": None if active else _date(_opt(row, optional["dateDebut"])),
            "active": active,
            "headcount_band": band if band in HEADCOUNT_BANDS else "",
            "headcount_year": int(year) if year.isdigit() and len(year) == 4 else None,
            "diffusible": not non_diffusible,
            "longitude": longitude,
            "latitude": latitude,
        }
        report.kept += 1
        if len(batch) >= BATCH:
            _stage(territory, run, stock_date, batch)
            batch = {}
    _stage(territory, run, stock_date, batch)
    ticker.done(report.read)
    return report


def stage_batch(
    *, territory: Territory, run: str, stock_date: dt.date | None, batch: dict[str, dict]
) -> None:
    """Stage rows read elsewhere (the API Recherche d'entreprises) exactly as the file import
    does: `batch` maps SIRET -> the STAGED_FIELDS values. Side effects: one staging write."""
    _stage(territory, run, stock_date, batch)


def _stage(
    territory: Territory, run: str, stock_date: dt.date | None, batch: dict[str, dict]
) -> None:
    """Compare a batch with the territory's sites (a read), then write it (one statement).
    A SIRET seen again later in the file replaces its staged row."""
    if not batch:
        return
    existing = {
        e.siret: e for e in Establishment.objects.filter(territory=territory, siret__in=list(batch))
    }
    staged = []
    for siret, values in batch.items():
        current = existing.get(siret)
        if current is not None and values.get("longitude") is None:
            # A file without coordinates keeps those a géolocalised one gave.
            values = {**values, "longitude": current.longitude, "latitude": current.latitude}
        row = StagedEstablishment(run=run, siret=siret, **values)
        if current is None:
            row.action = StagedEstablishment.Action.CREATE
        elif all(getattr(current, k) == v for k, v in values.items()) and (
            stock_date is None or current.stock_date == stock_date
        ):
            row.action = StagedEstablishment.Action.NONE
        else:
            row.action = StagedEstablishment.Action.UPDATE
            change = _headcount_change(current, values, stock_date)
            if change is not None:
                row.event_kind, row.event_jobs, row.event_name, row.event_source = change
        staged.append(row)
    # The rows made ready to send before the write lock is taken: the lock is held for the
    # statement alone (a few milliseconds), not for the ORM's work on every row.
    fields, sql = _staging_statement()
    rows = [[rawsql.prepared(f, f.pre_save(row, True)) for f in fields] for row in staged]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _staging_statement() -> tuple[list, str]:
    """`StagedEstablishment.objects.bulk_create(rows, update_conflicts=True,
    unique_fields=["run", "siret"], update_fields=[*STAGED_FIELDS, *STAGED_PLAN])` as one
    statement (`workshops.rawsql`): the fields it writes and its SQL."""
    fields = [f for f in StagedEstablishment._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    updates = ", ".join(
        f"{qn(c)} = excluded.{qn(c)}"
        for c in (
            StagedEstablishment._meta.get_field(name).column
            for name in (*STAGED_FIELDS, *STAGED_PLAN)
        )
    )
    sql = (
        f"INSERT INTO {rawsql.table(StagedEstablishment)} ({columns})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({rawsql.column(StagedEstablishment, 'run')},"
        f" {rawsql.column(StagedEstablishment, 'siret')}) DO UPDATE SET {updates}"
    )
    return fields, sql


def _headcount_change(
    current: Establishment, values: dict, stock_date: dt.date | None
) -> tuple[str, int, str, str] | None:
    """A newer stock whose headcount band differs from the older one: an extension (band up)
    or a reduction (band down), dated at the newer stock, jobs by band midpoints.
    (kind, jobs, firm, source) of the SiteEvent, or None."""
    old_date, new_date = current.stock_date, stock_date
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
    return (
        SiteEvent.Kind.EXTENSION if diff > 0 else SiteEvent.Kind.REDUCTION,
        round(abs(diff)),
        (values.get("name") or current.name or current.siret)[:200],
        f"SIRENE : stocks du {old_date:%d/%m/%Y} et du {new_date:%d/%m/%Y}",
    )


def sirene_apply(
    *,
    territory: Territory,
    run: str,
    stock_date: dt.date | None,
    report: ImportReport,
    still_wanted: Callable[[], bool] | None = None,
) -> None:
    """Apply the rows staged under `run` to the territory: three set-based statements (insert
    the new sites, update the changed ones, insert the headcount events) in one transaction,
    so the write lock is held for a fraction of a second even for tens of thousands of sites.
    Raises ImportAbandoned when `still_wanted()` is false (checked inside the transaction).
    Side effects: creates and updates Establishment rows and headcount SiteEvents."""
    staged = StagedEstablishment.objects.filter(run=run)
    counts = dict(staged.values_list("action").annotate(n=Count("id")))
    establishment = Establishment._meta.db_table
    event = SiteEvent._meta.db_table
    staging = StagedEstablishment._meta.db_table
    columns = ", ".join(STAGED_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        if still_wanted is not None and not still_wanted():
            raise ImportAbandoned(run)
        cursor.execute(
            f"INSERT INTO {establishment} (territory_id, siret, {columns}, stock_date) "
            f"SELECT %s, siret, {columns}, %s FROM {staging} WHERE run = %s AND action = %s "
            "ON CONFLICT (territory_id, siret) DO NOTHING",
            [territory.pk, stock_date, run, StagedEstablishment.Action.CREATE],
        )
        assignments = ", ".join(f"{c} = s.{c}" for c in STAGED_FIELDS)
        cursor.execute(
            f"UPDATE {establishment} SET {assignments}, "
            f"stock_date = COALESCE(%s, {establishment}.stock_date) "
            f"FROM {staging} AS s WHERE s.run = %s AND s.action = %s "
            f"AND {establishment}.territory_id = %s AND {establishment}.siret = s.siret",
            [stock_date, run, StagedEstablishment.Action.UPDATE, territory.pk],
        )
        cursor.execute(
            f"INSERT INTO {event} (territory_id, kind, date, siret, name, jobs, source, note) "
            f"SELECT %s, event_kind, %s, siret, event_name, event_jobs, event_source, '' "
            f"FROM {staging} WHERE run = %s AND event_kind <> '' "
            "ON CONFLICT (territory_id, kind, date, name) DO NOTHING",
            [territory.pk, stock_date, run],
        )
        report.changes = cursor.rowcount if stock_date else 0
    report.created = counts.get(StagedEstablishment.Action.CREATE, 0)
    report.updated = counts.get(StagedEstablishment.Action.UPDATE, 0)
    report.unchanged = counts.get(StagedEstablishment.Action.NONE, 0)


HISTORIQUE_REQUIRED = (
    "siret",
    "dateDebut",
    "etatAdministratifEtablissement",
    "changementEtatAdministratifEtablissement",
)


def historique_import(
    *,
    territory: Territory,
    path: Path,
    progress: Callable[[int], None] | None = None,
    still_wanted: Callable[[], bool] | None = None,
) -> ImportReport:
    """Closure dates from `StockEtablissementHistorique`: for the territory's establishments,
    the start of the latest period whose administrative state changed to closed ("F").
    The file is read without a transaction (memory bounded by the territory's sites), the
    dates written in one short one. Side effects: sets closed_on of closed establishments."""
    known = set(Establishment.objects.filter(territory=territory).values_list("siret", flat=True))
    report = ImportReport()
    ticker = Progress(progress)
    closures: dict[str, dt.date] = {}
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(decoded_lines(read_lines(path), report))
    header = _header(reader, HISTORIQUE_REQUIRED, _("historique"))
    col = {name: header.index(name) for name in HISTORIQUE_REQUIRED}
    for line, row in csv_rows(reader, report):
        ticker.tick(report.read)
        if len(row) != len(header):
            report.bad(
                line, _("%(n)d colonnes au lieu de %(m)d") % {"n": len(row), "m": len(header)}
            )
            continue
        siret = row[col["siret"]]
        if siret not in known:
            report.skipped[Skip.NOT_A_SITE] += 1
            continue
        if (
            row[col["etatAdministratifEtablissement"]] == "F"
            and row[col["changementEtatAdministratifEtablissement"]].lower() == "true"
        ):
            date = _date(row[col["dateDebut"]])
            if date and (siret not in closures or date > closures[siret]):
                closures[siret] = date
            report.kept += 1
    ticker.done(report.read)
    with transaction.atomic():
        if still_wanted is not None and not still_wanted():
            raise ImportAbandoned(str(path))
        for siret, date in closures.items():
            report.updated += (
                Establishment.objects.filter(territory=territory, siret=siret, active=False)
                .exclude(closed_on=date)
                .update(closed_on=date)
            )
    return report
