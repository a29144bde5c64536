"""The kinds of the territories app: the dynamics of the territory's production sites on the
wall, and the filière map the room draws from its phones. Registered by `territories.apps`."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from territories import selectors, services
from territories.forms import FiliereShownForm, MapContributionForm, TerritoryConfigForm
from territories.models import Filiere, MapLink
from workshops.kinds import ActivityKind, Command, Example, KindResults
from workshops.models import Activity, Participant
from workshops.services import activity_config_set


def _show_filiere(*, activity: Activity, filiere: str) -> None:
    activity_config_set(
        activity=activity, filiere=None if filiere == selectors.TOTAL else filiere or None
    )


class TerritoryKind(ActivityKind):
    """Openings, extensions and closures of sites over time, jobs, by filière."""

    key = "territory"
    label = _("Dynamique du territoire")
    template = "territories/kinds/territory.html"
    shows_results = True
    config_form = TerritoryConfigForm
    control_commands = (Command("filiere", FiliereShownForm, _show_filiere),)

    def results(self, activity: Activity) -> KindResults:
        return selectors.territory_results(activity)


def _contribute(
    *,
    activity: Activity,
    participant: Participant,
    locomotive: str,
    filiere: Filiere,
    partner: str,
    relation: str,
) -> None:
    services.map_contribute(
        activity=activity,
        participant=participant,
        locomotive=locomotive,
        filiere=filiere.name,
        partner=partner,
        relation=relation,
    )


class FiliereMapKind(ActivityKind):
    """Participants name locomotive firms and their local partners; the map grows live."""

    key = "filiere_map"
    label = _("Carte des filières")
    template = "territories/kinds/filiere_map.html"
    takes_input = True
    has_phone_part = True
    shows_results = True
    config_form = TerritoryConfigForm
    phone_commands = (Command("ajouter", MapContributionForm, _contribute),)

    def results(self, activity: Activity) -> KindResults:
        return selectors.filiere_map(activity)

    def participants_with_own_part(self, activity: Activity) -> Collection[int]:
        return set(
            MapLink.objects.filter(activity=activity).values_list("participant_id", flat=True)
        )

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        contribution = {
            "locomotive": "Mecalac",
            "filiere": "Automobile",
            "partner": "Atelier Dubois",
            "relation": MapLink.Relation.SUPPLIER,
        }
        return (Example("phone", "ajouter", contribution),)

    def phone_context(
        self,
        activity: Activity,
        participant: Participant,
        *,
        form: forms.Form | None = None,
        saved: bool = False,
        message: str = "",
    ) -> dict[str, Any]:
        context = super().phone_context(
            activity, participant, form=form, saved=saved, message=message
        )
        if form is None:
            # Keep the locomotive and filière of the last addition to add the next partner.
            last = (
                MapLink.objects.filter(activity=activity, participant=participant)
                .select_related("locomotive")
                .order_by("-pk")
                .first()
                if saved
                else None
            )
            initial = {}
            if last is not None:
                initial = {
                    "locomotive": last.locomotive.name,
                    "filiere": Filiere.objects.filter(name=last.locomotive.filiere).first(),
                }
            form = MapContributionForm(initial=initial, activity=activity, participant=participant)
        context["form"] = form
        context["suggestions"] = selectors.map_suggestions(activity)
        context["mine"] = (
            selectors.map_links_of(activity, participant) if participant is not None else []
        )
        return context
