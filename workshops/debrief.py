"""The collective debrief: what the rencontre produced, assembled from what each activity
kind contributes (its results and its `pdf` partial). Pure reads; the same context feeds the
wall (kind `debrief`), the PDF and the exports. Whatever was not used is left out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone

from workshops import kinds, selectors
from workshops.models import ActorType, Participant, Rencontre


def _used(results: dict[str, Any]) -> bool:
    return bool(results.get("n_answers") or results.get("n_actions") or results.get("plan"))


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


def debrief_context(rencontre: Rencontre) -> dict[str, Any]:
    steps = selectors.agenda(rencontre)
    sections = []
    highlights = []
    for step in steps:
        items = []
        for activity in step.activities.all():
            kind = kinds.get(activity.kind)
            if kind.results is None or kind.key == "debrief":
                continue
            activity.step = step
            results = kind.results(activity)
            if not _used(results):
                continue
            items.append({"activity": activity, "kind": kind, "results": results})
            if results.get("bars") and results["n_answers"]:
                top = max(results["bars"], key=lambda b: b.count)
                divergent = next(
                    (d for d in results.get("divergence", []) if len(d.points) > 1), None
                )
                highlights.append({"activity": activity, "top": top, "divergent": divergent})
            elif results.get("rows"):
                divergent = next(
                    (d for d in results.get("divergence", []) if len(d.points) > 1), None
                )
                agree = max(results["rows"], key=lambda r: r["agree"])
                highlights.append({"activity": activity, "agree": agree, "divergent": divergent})
        if items:
            sections.append({"step": step, "items": items})
    participants = list(Participant.objects.filter(rencontre=rencontre).order_by("name"))
    figures: list[tuple[str, int]] = []
    filieres: Counter[str] = Counter()
    for section in sections:
        for item in section["items"]:
            if item["kind"].summary is None:
                continue
            summary = item["kind"].summary(item["results"])
            figures.extend(summary.get("figures", []))
            filieres.update(dict(summary.get("filieres", [])))
    return {
        "rencontre": rencontre,
        "generated_at": timezone.localtime(),
        "by_actor_type": [
            row for row in selectors.presence_by_actor_type(rencontre) if row["count"]
        ],
        "n_participants": len(participants),
        "agenda": agenda_as_run(rencontre, steps),
        "sections": sections,
        "highlights": highlights,
        "figures": figures,
        "filieres": filieres.most_common(),
        "listed": [p for p in participants if p.listed],
        "n_unlisted": sum(1 for p in participants if not p.listed),
    }


def duration_label(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if hours else f"{rest} min"


def today() -> dt.date:
    return timezone.localdate()
