"""Local events (CSV): announced openings, extensions and closures, validated line by line.

Columns (header names, `;` or `,`): type (ouverture | extension | fermeture), date
(AAAA-MM-JJ or JJ/MM/AAAA), entreprise, siret (optional), emplois (optional), source, note.
Valid lines are kept, invalid ones reported with their number and reason; importing the same
file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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


@transaction.atomic
def events_import(*, territory: Territory, text: str) -> EventsReport:
    """Import local events from CSV text. Side effects: creates SiteEvent rows."""
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise EventsFormatError(_("Colonnes manquantes : %(c)s.") % {"c": ", ".join(missing)})
    reader.fieldnames = headers
    report = EventsReport()
    horizon = horizon_date()
    for number, row in enumerate(reader, start=2):
        values, problems = event_values(
            {k: (v or "").strip() for k, v in row.items() if k}, horizon
        )
        if problems:
            report.errors.append((number, " ; ".join(problems)))
            continue
        if event_save(territory=territory, values=values):
            report.created += 1
        else:
            report.unchanged += 1
    return report
