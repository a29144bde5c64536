"""The collective debrief: what the rencontre produced, assembled from what each activity
kind contributes (its results and its `pdf` partial). Pure reads; the same context feeds the
wall (kind `debrief`), the PDF and the exports. Whatever was not used is left out."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils import timezone

from workshops import kinds, selectors
from workshops.models import Activity, ActorType, Participant, Rencontre


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


def _summaries(kinds_and_results) -> tuple[list, Counter, list]:
    """What the kinds contribute to the key figures, the filières named and the lists."""
    figures: list[tuple[str, int]] = []
    filieres: Counter[str] = Counter()
    lists: list[tuple[str, list[str]]] = []
    for kind, results in kinds_and_results:
        if kind.summary is None:
            continue
        summary = kind.summary(results)
        figures.extend(summary.get("figures", []))
        filieres.update(dict(summary.get("filieres", [])))
        lists.extend(summary.get("lists", []))
    return figures, filieres, lists


def debrief_figures(rencontre: Rencontre) -> list[tuple[str, int]]:
    """Only the key figures (for the control panel): the results of the kinds that summarise,
    not the whole debrief."""
    pairs = []
    for activity in Activity.objects.filter(step__rencontre=rencontre).select_related("step"):
        kind = kinds.get(activity.kind)
        if kind.summary is not None and kind.results is not None:
            results = kind.results(activity)
            if _used(results):
                pairs.append((kind, results))
    return _summaries(pairs)[0]


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
            divergent = next((d for d in results.get("divergence", []) if len(d.points) > 1), None)
            if results.get("bars") and results["n_answers"]:
                top = max(results["bars"], key=lambda b: b.count)
                highlights.append({"activity": activity, "top": top, "divergent": divergent})
            elif results.get("rows"):
                agree = max(results["rows"], key=lambda r: r["agree"])
                highlights.append({"activity": activity, "agree": agree, "divergent": divergent})
        if items:
            sections.append({"step": step, "items": items})
    participants = list(Participant.objects.filter(rencontre=rencontre).order_by("name"))
    figures, filieres, lists = _summaries(
        (item["kind"], item["results"]) for section in sections for item in section["items"]
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
        "highlights": highlights,
        "figures": figures,
        "lists": lists,
        "filieres": filieres.most_common(),
        "listed": [p for p in participants if p.listed],
        "n_unlisted": sum(1 for p in participants if not p.listed),
    }


def debrief_results(activity) -> dict[str, Any]:
    """The `debrief` kind's results: the whole synthesis, for the wall."""
    context = debrief_context(activity.step.rencontre)
    context["n_answers"] = context["n_participants"]
    return context


def _pseudonym(participant_id: int) -> str:
    return f"P{participant_id}"


def export_participants(rencontre: Rencontre) -> tuple[list[str], list[list[Any]]]:
    """Names and organisations only for those who agreed; the others by their actor type."""
    rows = [
        [
            _pseudonym(p.pk),
            p.name if p.listed else "",
            p.organisation if p.listed else "",
            p.get_actor_type_display(),
            timezone.localtime(p.joined_at).isoformat(timespec="minutes"),
        ]
        for p in Participant.objects.filter(rencontre=rencontre).order_by("joined_at")
    ]
    return ["participant", "nom", "organisation", "type_acteur", "arrivee"], rows


def export_answers(rencontre: Rencontre) -> tuple[list[str], list[list[Any]]]:
    """Every answer to polls, scales, word clouds and questions (hidden ones marked)."""
    from workshops.models import Answer

    rows = []
    answers = (
        Answer.objects.filter(activity__step__rencontre=rencontre)
        .select_related("activity", "participant")
        .order_by("activity__step__position", "activity__position", "id")
    )
    for answer in answers:
        data = answer.data
        activity = answer.activity
        if "choices" in data or "other" in data:
            labels = {c["id"]: c["label"] for c in activity.config.get("choices", [])}
            value = " | ".join(labels.get(c, c) for c in data.get("choices", []))
            if data.get("other"):
                value = (
                    f"{value} | Autre : {data['other']}" if value else f"Autre : {data['other']}"
                )
        elif "values" in data:
            labels = {s["id"]: s["label"] for s in activity.config.get("statements", [])}
            value = " | ".join(f"{labels.get(k, k)} = {v}" for k, v in data["values"].items())
        elif "words" in data:
            value = " | ".join(data["words"])
        else:
            value = data.get("text", "")
        rows.append(
            [
                activity.title,
                activity.kind,
                _pseudonym(answer.participant_id),
                answer.participant.get_actor_type_display(),
                value,
                "oui" if answer.hidden else "non",
            ]
        )
    return ["activite", "type", "participant", "type_acteur", "reponse", "masquee"], rows
