"""Local events (CSV): announced openings, extensions and closures, validated line by line.

Columns (header names, `;` or `,`): type (ouverture | extension | fermeture), date
(AAAA-MM-JJ or JJ/MM/AAAA), entreprise, siret (optional), emplois (optional), source, note.
Valid lines are kept, invalid ones reported with their number and reason; importing the same
file again changes nothing. The file is read within the upload bounds (territories.files) and
at most MAX_ROWS lines; the events are written in one short transaction at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territories.files import UploadRefused, read_lines
from territories.models import SiteEvent, Territory

KINDS = {
    "ouverture": "opening",
    "extension": "extension",
    "réduction": "reduction",
    "reduction": "reduction",
    "fermeture": "closure",
}
REQUIRED = ("type", "date", "entreprise")
MAX_YEARS_AHEAD = 10  # an announced opening may be years away; 2099 is a typing error
MAX_ROWS = 50_000  # an observatory's file has hundreds of lines; this bounds memory
CSV_FIELD_LIMIT = 128 * 1024
MAX_JOBS = 100_000  # more jobs than any single site has: a typing error


@dataclass
class EventsReport:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class EventsFormatError(ValueError):
    """Not an events file; the message, in French, says what is missing."""


def _parse_date(raw: str) -> dt.date | None:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def event_values(row: dict[str, str], horizon: dt.date) -> tuple[dict, list[str]]:
    """One event from its French fields (type, date, entreprise, siret, emplois, source,
    note): the values to save, or the list of what is wrong, in French."""
    # NUL characters are never meant (PostgreSQL cannot store them in text).
    row = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()}
    kind = KINDS.get(row.get("type", "").lower())
    date = _parse_date(row.get("date", ""))
    name = row.get("entreprise", "")
    siret = row.get("siret", "").replace(" ", "")
    jobs_raw = row.get("emplois", "") or "0"
    problems = []
    if kind is None:
        problems.append(
            _("type « %(t)s » inconnu (ouverture, extension, réduction ou fermeture)")
            % {"t": row.get("type", "")}
        )
    if date is None:
        problems.append(_("date illisible « %(d)s »") % {"d": row.get("date", "")})
    elif date > horizon:
        problems.append(_("date trop lointaine (%(d)s)") % {"d": date.isoformat()})
    if not name:
        problems.append(_("entreprise manquante"))
    if siret and not (len(siret) == 14 and siret.isascii() and siret.isdigit()):
        problems.append(_("SIRET invalide"))
    digits = jobs_raw.removeprefix("-")  # a reduction may be typed negative
    if not (digits.isascii() and digits.isdigit()):  # "²" and "①" are digits to isdigit()
        problems.append(_("nombre d'emplois illisible « %(j)s »") % {"j": jobs_raw})
    elif int(digits) > MAX_JOBS:
        problems.append(
            _("nombre d'emplois invraisemblable (%(j)s, %(max)d au plus)")
            % {"j": jobs_raw, "max": MAX_JOBS}
        )
    if problems:
        return {}, problems
    return {
        "kind": kind,
        "date": date,
        "name": name[:200],
        "siret": siret,
        "jobs": int(digits),
        "source": row.get("source", "")[:200],
        "note": row.get("note", "")[:500],
    }, []


def horizon_date() -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year + MAX_YEARS_AHEAD)


def event_save(*, territory: Territory, values: dict) -> bool:
    """Save one validated event; False when it was already known."""
    _event, created = SiteEvent.objects.get_or_create(
        territory=territory,
        kind=values["kind"],
        date=values["date"],
        name=values["name"],
        defaults={k: values[k] for k in ("siret", "jobs", "source", "note")},
    )
    return created


def _decoded(path: Path) -> Iterator[str]:
    for number, raw in enumerate(read_lines(path), start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise EventsFormatError(
                _("Le fichier doit être en UTF-8 (ligne %(n)d illisible).") % {"n": number}
            ) from None


def events_import(
    *,
    territory: Territory,
    path: Path,
    progress: Callable[[int], None] | None = None,
    still_wanted: Callable[[], bool] | None = None,
) -> EventsReport:
    """Import local events from a CSV file. Raises EventsFormatError or UploadRefused.
    Side effects: creates SiteEvent rows (all in one transaction)."""
    lines = _decoded(path)
    first = next(lines, "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    csv.field_size_limit(CSV_FIELD_LIMIT)

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    try:
        headers = [h.strip().lower() for h in next(reader, [])]
    except csv.Error:
        raise EventsFormatError(_("La première ligne n'est pas un en-tête CSV.")) from None
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise EventsFormatError(_("Colonnes manquantes : %(c)s.") % {"c": ", ".join(missing)})
    report = EventsReport()
    horizon = horizon_date()
    valid: dict[tuple, tuple[int, dict]] = {}
    rows = 0
    while True:
        number = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                # The rest of the file would be read from inside that field: stop here.
                raise EventsFormatError(
                    _(
                        "Ligne %(n)d : un champ dépasse %(k)d Kio ; rien n'a été importé. "
                        "Vérifiez les guillemets du fichier."
                    )
                    % {"n": number, "k": CSV_FIELD_LIMIT // 1024}
                ) from None
            report.errors.append((number, _("ligne illisible (%(e)s)") % {"e": str(error)[:80]}))
            continue
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise UploadRefused(
                _("Plus de %(n)d événements dans le fichier : découpez-le.") % {"n": MAX_ROWS}
            )
        if progress is not None and rows % 1000 == 0:
            progress(rows)
        typed = {h: (row[i] if i < len(row) else "").strip() for i, h in enumerate(headers) if h}
        values, problems = event_values(typed, horizon)
        if problems:
            report.errors.append((number, " ; ".join(problems)))
            continue
        valid.setdefault((values["kind"], values["date"], values["name"]), (number, values))
    with transaction.atomic():
        if still_wanted is not None and not still_wanted():
            raise EventsFormatError(_("Import abandonné."))
        known = set(
            SiteEvent.objects.filter(territory=territory).values_list("kind", "date", "name")
        )
        new = [
            SiteEvent(territory=territory, **values)
            for key, (_number, values) in valid.items()
            if key not in known
        ]
        SiteEvent.objects.bulk_create(new, batch_size=1000)
    report.created = len(new)
    report.unchanged = len(valid) - len(new)
    return report
