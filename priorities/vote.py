"""Deciding together: the vote that ends the peer exchange.

Each participant spreads a few points (3 by default) over the ballot: the tables' joint
proposals, then the most supported actions (5 by default; see `selectors.vote_options`).
A tap on a phone sends the number of points the option should hold, so a double tap counts
once; the server refuses what would pass the budget, with the reason. The wall shows only
how many have voted while the vote is open; closing it (the panel's "Fermer les réponses",
key O) reveals the ranking, and the first few options with points (3 by default) open the
debrief as what the room decides, each with who carries it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from priorities import selectors, services
from priorities.models import VotePoints
from workshops.kinds import (
    ActivityKind,
    Command,
    Example,
    Export,
    KindConfigForm,
    KindForm,
    KindResults,
    Personal,
)
from workshops.models import Activity, Participant


class VoteConfigForm(KindConfigForm):
    points = forms.IntegerField(label=_("Points par participant"), min_value=1, max_value=10)
    actions = forms.IntegerField(
        label=_("Actions les plus soutenues mises au vote"), min_value=1, max_value=20
    )
    retained = forms.IntegerField(label=_("Propositions retenues"), min_value=1, max_value=10)

    @classmethod
    def initial_from(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "points": config.get("points", selectors.DEFAULT_VOTE_POINTS),
            "actions": config.get("actions", selectors.DEFAULT_VOTE_ACTIONS),
            "retained": config.get("retained", selectors.DEFAULT_VOTE_RETAINED),
        }


class VotePointsForm(KindForm):
    """One option of the ballot and the points it should now hold (0 to the budget)."""

    option = forms.ChoiceField(
        error_messages={"invalid_choice": _("Cette proposition n'est pas (ou plus) au vote.")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [
            (o["key"], o["label"]) for o in selectors.vote_options(self.activity)
        ]
        self.fields["points"] = forms.IntegerField(
            min_value=0, max_value=selectors.vote_budget(self.activity)
        )


class VoteKind(ActivityKind):
    """Each participant spreads a few points over the tables' proposals and the most supported
    actions; the ranking shows when the vote closes; the first ones open the debrief."""

    key = "vote"
    label = _("Décider ensemble")
    template = "priorities/kinds/vote.html"
    takes_input = True
    has_phone_part = True
    shows_results = True
    config_form = VoteConfigForm
    phone_commands = (
        Command(
            "points",
            VotePointsForm,
            services.vote_points_set,
            refusals={
                services.LimitReachedError: _(
                    "Vous avez déjà placé tous vos points : retirez-en un d'une autre "
                    "proposition pour le mettre ici."
                ),
                services.NotAllowedError: _("Cette proposition n'est pas (ou plus) au vote."),
            },
        ),
    )

    def initial_config(self) -> dict[str, Any]:
        return {
            "points": selectors.DEFAULT_VOTE_POINTS,
            "actions": selectors.DEFAULT_VOTE_ACTIONS,
            "retained": selectors.DEFAULT_VOTE_RETAINED,
        }

    def results(self, activity: Activity) -> KindResults:
        return selectors.vote_results(activity)

    def phone_context(
        self,
        activity: Activity,
        participant: Participant | None,
        *,
        form: forms.Form | None = None,
        saved: bool = False,
        message: str = "",
    ) -> dict[str, Any]:
        context = super().phone_context(
            activity, participant, form=form, saved=saved, message=message
        )
        mine = dict(
            VotePoints.objects.filter(activity=activity, participant=participant).values_list(
                "option", "points"
            )
            if participant is not None
            else []
        )
        options = selectors.vote_options(activity)
        budget = selectors.vote_budget(activity)
        used = sum(mine.get(o["key"], 0) for o in options)
        errors = [str(e) for errors in form.errors.values() for e in errors] if form else []
        context.update(
            {
                "options": [{**o, "mine": mine.get(o["key"], 0)} for o in options],
                "budget": budget,
                "left": max(0, budget - used),
                "message": message or " ".join(errors),
                "refused": bool(form is not None and (errors or message)),
                "results": None if activity.is_open else self.results(activity),
            }
        )
        return context

    def participants_with_own_part(self, activity: Activity) -> Collection[int] | None:
        return set(
            VotePoints.objects.filter(activity=activity).values_list("participant_id", flat=True)
        )

    def personal(self, participant: Participant) -> Personal | None:
        """What the room decided (once a vote the participant took part in is closed), with
        the points they gave."""
        votes = Activity.objects.filter(
            step__rencontre_id=participant.rencontre_id, kind=self.key, is_open=False
        ).select_related("step")
        for activity in votes.order_by("-step__position", "-position"):
            mine = dict(
                VotePoints.objects.filter(activity=activity, participant=participant).values_list(
                    "option", "points"
                )
            )
            results = self.results(activity)
            if mine and results["retained"]:
                decisions = [{**r, "mine": mine.get(r["key"], 0)} for r in results["retained"]]
                return Personal("priorities/kinds/vote.html#personal", {"decisions": decisions})
        return None

    def exports(self) -> tuple[Export, ...]:
        return (Export("vote", selectors.VOTE_COLUMNS, selectors.vote_rows),)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        options = selectors.vote_options(activity)
        if not options:
            return ()  # nothing to vote on before the tables and the actions
        first, last = options[0]["key"], options[-1]["key"]
        return (  # two points on the first option, then one taken back (or moved)
            Example("phone", "points", {"option": first, "points": 2}),
            Example("phone", "points", {"option": last, "points": 1}),
        )
