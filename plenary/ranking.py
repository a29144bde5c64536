"""The ranking question: each participant puts their top choices in order ("which three
obstacles first?"); the wall ranks the items by points.

It is the README's worked example of a kind: a settings form, a phone form and its command,
a service, results, an export and a highlight, in one module and one template
(`plenary/kinds/ranking.html`).

Points (a Borda count over the top `picks` places): with 3 picks, a first place is worth 3
points, a second 2 and a third 1. Items are ranked by points, then by first places, then
in their order of the settings.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from plenary.forms import ChoicesConfigForm
from plenary.kinds import AnswerKind
from workshops.kinds import Command, Example, KindForm, KindResults
from workshops.models import Activity, Answer, Participant
from workshops.services import answer_save

DEFAULT_PICKS = 3


def picks(activity: Activity) -> int:
    """How many places a participant fills: the setting, at most the number of items."""
    items = activity.config.get("items", [])
    return max(1, min(int(activity.config.get("picks", DEFAULT_PICKS)), len(items) or 1))


class RankingConfigForm(ChoicesConfigForm):
    items_field_label = _("Éléments à classer (un par ligne)")
    config_key = "items"
    min_items, max_items = 3, 10
    picks = forms.IntegerField(label=_("Places à classer"), min_value=1, max_value=5)

    @classmethod
    def initial_from(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {**super().initial_from(config), "picks": config.get("picks", DEFAULT_PICKS)}

    def to_config(self) -> dict[str, Any]:
        return {"items": self.cleaned_data["items"], "picks": self.cleaned_data["picks"]}


class RankingAnswerForm(KindForm):
    """One select per place (`place1`, `place2`…); the same item cannot take two places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— choisir —"))] + [
            (item["id"], item["label"]) for item in self.activity.config.get("items", [])
        ]
        for place in range(1, picks(self.activity) + 1):
            self.fields[f"place{place}"] = forms.ChoiceField(
                label=_("Place %(n)d") % {"n": place},
                choices=choices,
                error_messages={
                    "required": _("Choisissez un élément pour cette place."),
                    "invalid_choice": _("Cet élément n'est pas dans la liste."),
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        order = [data.get(f"place{p}") for p in range(1, picks(self.activity) + 1)]
        if self.errors:
            return data
        if len(set(order)) != len(order):
            raise forms.ValidationError(_("Un même élément ne peut pas occuper deux places."))
        return {"order": order}


@transaction.atomic
def ranking_answer_submit(
    *, activity: Activity, participant: Participant, order: list[str]
) -> Answer:
    """Record the participant's order (it replaces an earlier one).
    Side effects: screens and control panels refresh their results."""
    return answer_save(activity=activity, participant=participant, data={"order": order})


def ranking_results(activity: Activity) -> KindResults:
    items = activity.config.get("items", [])
    known = {item["id"] for item in items}
    size = picks(activity)
    points: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    answers = Answer.objects.filter(activity=activity, hidden=False).values_list("data", flat=True)
    n = 0
    for data in answers:
        order = [i for i in data.get("order", []) if i in known][:size]
        if not order:
            continue
        n += 1
        firsts[order[0]] += 1
        for place, item in enumerate(order):
            points[item] += size - place
    position = {item["id"]: index for index, item in enumerate(items)}
    rows = sorted(
        (
            {
                "id": i["id"],
                "label": i["label"],
                "points": points[i["id"]],
                "firsts": firsts[i["id"]],
            }
            for i in items
        ),
        key=lambda r: (-r["points"], -r["firsts"], position[r["id"]]),
    )
    top = max((r["points"] for r in rows), default=0)
    return KindResults(
        n_answers=n,
        n_participants=Participant.objects.filter(
            rencontre_id=activity.step.rencontre_id, absent=False
        ).count(),
        highlight={"first": rows[0]} if n and rows else None,
        data={"rows": rows, "max_points": top, "picks": size},
    )


class RankingKind(AnswerKind):
    key = "ranking"
    label = _("Classement")
    template = "plenary/kinds/ranking.html"
    config_form = RankingConfigForm
    answer_form = RankingAnswerForm
    phone_commands = (Command("repondre", RankingAnswerForm, ranking_answer_submit),)

    def initial_config(self) -> dict[str, Any]:
        labels = [_("Premier élément"), _("Deuxième élément"), _("Troisième élément")]
        return {
            "items": [{"id": f"c{i}", "label": str(label)} for i, label in enumerate(labels, 1)],
            "picks": DEFAULT_PICKS,
        }

    def results(self, activity: Activity) -> KindResults:
        return ranking_results(activity)

    def initial_from(self, data: dict[str, Any]) -> dict[str, Any]:
        return {f"place{p}": item for p, item in enumerate(data.get("order", []), start=1)}

    def answer_text(self, activity: Activity, data: dict[str, Any]) -> str:
        labels = {item["id"]: item["label"] for item in activity.config.get("items", [])}
        order = data.get("order", [])
        return " | ".join(f"{p}. {labels.get(i, i)}" for p, i in enumerate(order, start=1))

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        ids = [item["id"] for item in activity.config["items"]][: picks(activity)]
        order = {f"place{p}": item for p, item in enumerate(reversed(ids), start=1)}
        return (Example("phone", "repondre", order),)
