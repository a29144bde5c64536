"""The collective debrief: what the rencontre produced, assembled from what each activity
kind contributes (its `KindResults`, its `pdf` and `highlight` partials, its exports and each
participant's own part). Pure reads; the same context feeds the wall, the PDF and the exports.
Whatever was not used is left out. The engine reads no kind's data here: only KindResults."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html import unescape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext

from workshops import kinds, selectors
from workshops.kinds import Export, KindResults, Personal
from workshops.models import (
    Activity,
    ActorType,
    Answer,
    DebriefJob,
    DebriefLogo,
    DebriefSettings,
    Participant,
    Rencontre,
)


def display_name(participant: Participant) -> str:
    """Names appear only for those who agreed when joining."""
    return participant.name if participant.listed else str(ActorType(participant.actor_type).label)


def agenda_as_run(rencontre: Rencontre, steps) -> list[dict[str, Any]]:
    rows = []
    now = timezone.now()
    for index, step in enumerate(steps):
        end = step.ended_at
        if step.started_at and end is None:
            later = [s.started_at for s in steps[index + 1 :] if s.started_at]
            end = min(later) if later else (now if rencontre.current_activity_id else None)
        minutes = (
            round((end - step.started_at).total_seconds() / 60) if step.started_at and end else None
        )
        rows.append({"step": step, "started_at": step.started_at, "minutes": minutes})
    return rows


def _summaries(all_results: Iterable[KindResults]) -> tuple[list, Counter, list]:
    """What the kinds contribute to the key figures, the filières named and the lists."""
    figures: list[tuple[str, int]] = []
    filieres: Counter[str] = Counter()
    lists: list[tuple[str, list[str]]] = []
    for results in all_results:
        figures.extend(results.figures)
        filieres.update(dict(results.filieres))
        lists.extend(results.lists)
    return figures, filieres, lists


def debrief_figures(rencontre: Rencontre) -> list[tuple[str, int]]:
    """Only the key figures (for the control panel)."""
    activities = Activity.objects.filter(step__rencontre=rencontre).select_related("step")
    all_results = []
    for activity in activities:
        kind = kinds.get(activity.kind)
        if kind.shows_results and kind.in_synthesis:
            results = kind.results(activity)
            if results.in_debrief:
                all_results.append(results)
    return _summaries(all_results)[0]


def debrief_context(rencontre: Rencontre) -> dict[str, Any]:
    steps = selectors.agenda(rencontre)
    sections = []
    leads = []  # the activities that open the debrief (`KindResults.lead`)
    highlights = []
    for step in steps:
        items = []
        for activity in step.activities.all():
            kind = kinds.get(activity.kind)
            if not (kind.shows_results and kind.in_synthesis):
                continue
            activity.step = step
            results = kind.results(activity)
            if not results.in_debrief:
                continue
            item = {"activity": activity, "kind": kind, "results": results}
            (leads if results.lead else items).append(item)
            if results.highlight is not None:
                highlights.append({"activity": activity, "kind": kind, "h": results.highlight})
        if items:
            sections.append({"step": step, "items": items})
    participants = list(Participant.objects.filter(rencontre=rencontre).order_by("name"))
    figures, filieres, lists = _summaries(
        [item["results"] for item in leads]
        + [item["results"] for section in sections for item in section["items"]]
    )
    return {
        "rencontre": rencontre,
        "generated_at": timezone.localtime(),
        "by_actor_type": [
            row for row in selectors.presence_by_actor_type(rencontre) if row["count"]
        ],
        "n_participants": len(participants),
        "agenda": agenda_as_run(rencontre, steps),
        "sections": sections,
        "leads": leads,
        "highlights": highlights,
        "figures": figures,
        "lists": lists,
        "filieres": filieres.most_common(),
        "listed": [p for p in participants if p.listed],
        "n_unlisted": sum(1 for p in participants if not p.listed),
    }


# ---------------------------------------------------------------- the organiser's choices

MAX_SUGGESTED_MESSAGES = 6
MESSAGE_LENGTH = 280
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«])")


def _one_line(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def _first_sentence(text: str) -> str:
    return SENTENCE_END.split(text, maxsplit=1)[0]


def suggested_messages(context: dict[str, Any]) -> list[str]:
    """Key messages drawn from the synthesis, for the organiser to edit: the key figures in
    one sentence, what each poll or scale put first, the filière most named and the first
    line of each list (the most supported action...). At most six lines."""
    messages = []
    n = context["n_participants"]
    figures = [f"{value} {label}" for label, value in context["figures"] if value][:3]
    if n:
        people = ngettext("%(n)d participant", "%(n)d participants", n) % {"n": n}
        messages.append(", ".join([people, *figures]) + ".")
    for item in context["highlights"][:3]:
        text = render_to_string(item["kind"].highlight, {"h": item["h"], "pdf": True})
        title = item["activity"].title
        text = Truncator(_first_sentence(_one_line(text))).chars(MESSAGE_LENGTH - len(title) - 3)
        messages.append(f"{title} — {text}")
    if context["filieres"]:
        name, count = context["filieres"][0]
        messages.append(
            ngettext(
                "Filière la plus citée dans les priorités : %(name)s (%(n)d priorité).",
                "Filière la plus citée dans les priorités : %(name)s (%(n)d priorités).",
                count,
            )
            % {"name": name, "n": count}
        )
    for title, lines in context["lists"]:
        if lines:
            messages.append(Truncator(f"{title} — {_one_line(lines[0])}").chars(MESSAGE_LENGTH))
    return messages[:MAX_SUGGESTED_MESSAGES]


def debrief_settings(rencontre: Rencontre) -> DebriefSettings:
    """The rencontre's choices for the PDF (the defaults, unsaved, when none were made)."""
    found = DebriefSettings.objects.filter(rencontre=rencontre).first()
    return found if found is not None else DebriefSettings(rencontre=rencontre)


def logo_files(rencontre: Rencontre) -> list[Path]:
    """The logo files the rencontre's PDF may read (and nothing else of DEBRIEF_DIR)."""
    return [logo.path for logo in DebriefLogo.objects.filter(rencontre=rencontre)]


def pdf_choices(rencontre: Rencontre, context: dict[str, Any]) -> dict[str, Any]:
    """What the PDF's template needs beyond the synthesis: the organiser's key messages (or
    the suggested ones), the sections chosen (the step sections filtered), the logos with
    their file addresses. All of it is in the HTML, hence in the fingerprint."""
    choices = debrief_settings(rencontre)
    edited = [line for line in choices.key_messages if isinstance(line, str) and line.strip()]
    hidden = set(choices.hidden_steps)
    logos = [
        {"name": logo.name, "uri": logo.path.resolve().as_uri(), "logo": logo}
        for logo in DebriefLogo.objects.filter(rencontre=rencontre)
        if logo.path.is_file()
    ]
    return {
        "choices": choices,
        "key_messages": edited or suggested_messages(context),
        "sections": [s for s in context["sections"] if s["step"].pk not in hidden],
        "organiser_logo": next(
            (logo for logo in logos if logo["logo"].role == DebriefLogo.Role.ORGANISER), None
        ),
        "partner_logos": [logo for logo in logos if logo["logo"].role == DebriefLogo.Role.PARTNER],
    }


# ---------------------------------------------------------------- a participant's own parts


def personal_parts(participant: Participant) -> list[Personal]:
    """What each kind used in the rencontre keeps of the participant, in the kinds' order."""
    used = set(
        Activity.objects.filter(step__rencontre_id=participant.rencontre_id)
        .values_list("kind", flat=True)
        .distinct()
    )
    parts = []
    for kind in kinds.registered():
        if kind.key in used:
            part = kind.personal(participant)
            if part is not None:
                parts.append(part)
    return parts


# ---------------------------------------------------------------- exports


def _pseudonym(participant_id: int) -> str:
    return f"P{participant_id}"


def _participant_rows(rencontre: Rencontre) -> Iterable[Sequence[Any]]:
    """Names and organisations only for those who agreed; the others by their actor type."""
    for p in Participant.objects.filter(rencontre=rencontre).order_by("joined_at"):
        yield [
            _pseudonym(p.pk),
            p.name if p.listed else "",
            p.organisation if p.listed else "",
            p.get_actor_type_display(),
            timezone.localtime(p.joined_at).isoformat(timespec="minutes"),
        ]


def _answer_rows(rencontre: Rencontre) -> Iterable[Sequence[Any]]:
    """Every answer kept in `Answer` (hidden ones marked), as its kind writes it."""
    answers = (
        Answer.objects.filter(activity__step__rencontre=rencontre)
        .select_related("activity", "participant")
        .order_by("activity__step__position", "activity__position", "id")
    )
    for answer in answers:
        activity = answer.activity
        yield [
            activity.title,
            activity.kind,
            _pseudonym(answer.participant_id),
            answer.participant.get_actor_type_display(),
            kinds.get(activity.kind).answer_text(activity, answer.data),
            "oui" if answer.hidden else "non",
        ]


ENGINE_EXPORTS = (
    Export(
        "participants",
        ("participant", "nom", "organisation", "type_acteur", "arrivee"),
        _participant_rows,
    ),
    Export(
        "reponses",
        ("activite", "type", "participant", "type_acteur", "reponse", "masquee"),
        _answer_rows,
    ),
)


def all_exports() -> dict[str, Export]:
    """The engine's tables and every kind's, by file name."""
    exports = {export.name: export for export in ENGINE_EXPORTS}
    for kind in kinds.registered():
        exports.update({export.name: export for export in kind.exports()})
    return exports


def export_what(name: str) -> str | None:
    """The `DebriefJob.what` of an export's name ("json", or a table's name for its CSV);
    None for an unknown name."""
    if name == DebriefJob.JSON:
        return DebriefJob.JSON
    return DebriefJob.CSV + name if name in all_exports() else None


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(rencontre: Rencontre, export: Export) -> str:
    """One table as CSV for French spreadsheet software (BOM, semicolons), formulas
    neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(export.columns)
    writer.writerows([spreadsheet_safe(v) for v in row] for row in export.rows(rencontre))
    return "\ufeff" + buffer.getvalue()


def export_document(rencontre: Rencontre) -> dict[str, Any]:
    """The whole rencontre as one JSON-ready document: description, agenda and every table."""
    data: dict[str, Any] = {
        "rencontre": {
            "title": rencontre.title,
            "date": rencontre.date.isoformat(),
            "place": rencontre.place,
            "territory_name": rencontre.territory_name,
            "code": rencontre.code,
        },
        "agenda": [
            {
                "step": step.title,
                "planned_minutes": step.planned_minutes,
                "started_at": step.started_at.isoformat() if step.started_at else None,
                "activities": [
                    {"kind": a.kind, "title": a.title, "config": a.config}
                    for a in step.activities.all()
                ],
            }
            for step in selectors.agenda(rencontre)
        ],
    }
    for name, export in all_exports().items():
        data[name] = [dict(zip(export.columns, row, strict=True)) for row in export.rows(rencontre)]
    return data


# ---------------------------------------------------------------- PDF


def _shipped_files_fetcher(files: Iterable[Path] = ()):
    """A WeasyPrint fetcher that reads the shipped fonts and static files, and exactly the
    `files` named (the rencontre's logos), nothing else (no network, no other file)."""
    from weasyprint.urls import URLFetcher

    allowed = (settings.BASE_DIR / "static").resolve().as_uri() + "/"
    exact = frozenset(Path(path).resolve().as_uri() for path in files)

    class ShippedFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in exact and (not url.startswith(allowed) or ".." in url):
                raise ValueError(f"Refused to fetch {url!r} for a PDF")
            return super().fetch(url, headers)

    return ShippedFilesFetcher(allowed_protocols=("file",))


# The PDF's HTML is rendered with this time in place of the real one to fingerprint it: the
# generation time is the only part of the document that is not a function of the data.
FINGERPRINT_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def debrief_html(rencontre: Rencontre, *, context: dict[str, Any] | None = None) -> str:
    """The HTML the PDF is made from (its stylesheet inlined), with the organiser's key
    messages, sections and logos (`pdf_choices`). Side effects: none."""
    fonts = (settings.BASE_DIR / "static" / "fonts" / "source-sans-3").resolve().as_uri()
    css = (settings.BASE_DIR / "static" / "css" / "pdf.css").read_text().replace("FONTS", fonts)
    context = dict(context if context is not None else debrief_context(rencontre))
    context.update(pdf_choices(rencontre, context))
    context["css"] = mark_safe(css)
    return render_to_string("workshops/pdf/debrief.html", context)


def debrief_fingerprint(rencontre: Rencontre, context: dict[str, Any]) -> str:
    """SHA-256 of what the PDF shows: its HTML rendered at a fixed generation time. Any change
    a reader could see (an answer, a name, a setting, the stylesheet, the language) changes
    it; nothing else does."""
    html = debrief_html(rencontre, context={**context, "generated_at": FINGERPRINT_TIME})
    return hashlib.sha256(html.encode()).hexdigest()


def pdf_from_html(html: str, *, files: Iterable[Path] = ()) -> bytes:
    """The PDF bytes of a debrief's HTML: a tagged PDF/UA-1 document (structure, language and
    title for screen readers). It may read the shipped files and the `files` given (the
    rencontre's logos, `logo_files`). Side effects: none (WeasyPrint imported here: it is
    slow to import and only the background worker needs it)."""
    from weasyprint import HTML

    return HTML(
        string=html,
        base_url=str(settings.BASE_DIR),
        url_fetcher=_shipped_files_fetcher(files),
    ).write_pdf(pdf_variant="pdf/ua-1")


def render_debrief_pdf(rencontre: Rencontre) -> bytes:
    """The debrief as PDF bytes. Side effects: none."""
    return pdf_from_html(debrief_html(rencontre), files=logo_files(rencontre))
