"""The kinds of the priorities app: each participant's precise priority, the peer tables and
the actions for the next day. Registered by `priorities.apps`."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from priorities import selectors, services
from priorities.coach import coach_priority, propose
from priorities.forms import (
    ActionForm,
    ActionsConfigForm,
    OwnActionForm,
    PartnershipForm,
    PriorityConfigForm,
    PriorityForm,
    SeatMoveForm,
    SpotlightForm,
    SupportForm,
    TablesForm,
)
from priorities.models import Action, PlanningDocument, Priority
from workshops.kinds import (
    ActivityKind,
    Command,
    Example,
    Export,
    KindForm,
    KindResults,
    Personal,
)
from workshops.models import Activity, Participant
from workshops.services import activity_config_set


def _proposals(coaching, priority: Priority | None):
    """What the coach read and the phone offers for the empty fields, one tap each."""
    return propose(
        coaching.reading, PriorityForm.initial_from(priority), year=timezone.localdate().year
    )


def _spotlight(*, activity: Activity, priority: Priority) -> None:
    activity_config_set(activity=activity, spotlight=priority.pk)


def _unspotlight(*, activity: Activity) -> None:
    activity_config_set(activity=activity, spotlight=None)


class PriorityKind(ActivityKind):
    """Each participant writes one (or two) precise priorities, coached as they type, each
    naming the planning document it should change; the wall groups them by filière and by
    document."""

    key = "priority"
    label = _("Priorité précise")
    template = "priorities/kinds/priority.html"
    takes_input = True
    has_phone_part = True
    shows_results = True
    config_form = PriorityConfigForm
    phone_commands = (
        Command(
            "enregistrer",
            PriorityForm,
            services.priority_autosave,
            answer="autosave",
            refusals={
                services.LimitReachedError: _(
                    "Vous avez déjà le nombre de priorités prévu pour cette activité."
                )
            },
            keep_valid=True,
        ),
    )
    control_commands = (
        Command("projeter", SpotlightForm, _spotlight),
        Command("revenir-au-mur", KindForm, _unspotlight),
    )

    def initial_config(self) -> dict[str, Any]:
        return {"max_priorities": 1}

    def results(self, activity: Activity) -> KindResults:
        return selectors.priority_wall(activity)

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
        if form is not None and form.is_bound:  # an autosave: the coach and the save status
            rank = form.cleaned_data.get("rank")
            priority = Priority.objects.filter(participant=participant, rank=rank).first()
            coaching = coach_priority(priority)
            context.update(
                {
                    "rank": rank,
                    "priority": priority,
                    "coaching": coaching,
                    "proposals": _proposals(coaching, priority),
                    "limit": services.max_priorities(activity),
                }
            )
            return context
        mine = (
            {p.rank: p for p in Priority.objects.filter(participant=participant)}
            if participant is not None
            else {}
        )
        coachings = {rank: coach_priority(mine.get(rank)) for rank in (1, 2)}
        context["blocks"] = [
            {
                "rank": rank,
                "priority": mine.get(rank),
                "form": PriorityForm(
                    initial=PriorityForm.initial_from(mine.get(rank)),
                    auto_id=f"id_p{rank}_%s",
                    activity=activity,
                    participant=participant,
                ),
                "coaching": coachings[rank],
                "proposals": _proposals(coachings[rank], mine.get(rank)),
            }
            for rank in range(1, services.max_priorities(activity) + 1)
        ]
        return context

    def participants_with_own_part(self, activity: Activity) -> Collection[int]:
        return set(
            Priority.objects.filter(rencontre_id=activity.step.rencontre_id).values_list(
                "participant_id", flat=True
            )
        )

    def personal(self, participant: Participant) -> Personal | None:
        priorities = list(
            Priority.objects.filter(participant=participant)
            .exclude(statement="")
            .select_related("filiere")
        )
        if not priorities:
            return None
        return Personal("priorities/personal.html#priorities", {"priorities": priorities})

    def exports(self) -> tuple[Export, ...]:
        return (Export("priorites", selectors.PRIORITY_COLUMNS, selectors.priority_rows),)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        statement = "Former 40 soudeurs par an pour la filière automobile d'ici 2028"
        fields = {
            "rank": 1,
            "statement": statement,
            "document": PlanningDocument.TI,
            "document_change": "Une fiche action formation dans le contrat",
        }
        return (Example("phone", "enregistrer", fields),)


def _remove_action(*, activity: Activity, participant: Participant, action: Action) -> None:
    services.action_delete(participant=participant, action=action)


def _support(
    *, activity: Activity, participant: Participant, action: Action, supported: bool
) -> None:
    services.support_set(participant=participant, action=action, supported=supported)


class ReporterForm(KindForm):
    """The panel names a table's rapporteur: anyone seated at a table of the rencontre."""

    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        error_messages={"invalid_choice": _("Cette personne n'est assise à aucune table.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            rencontre_id=self.activity.step.rencontre_id, seat__isnull=False
        )


class ConclusionForm(KindForm):
    """The table's findings (1 to 3 lines) and its one joint proposal."""

    findings = forms.CharField(
        label=_("Ce que la table retient (1 à 3 lignes)"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Écrivez au moins une ligne de constat."),
            "max_length": _("400 caractères au plus (vous en avez tapé %(show_value)d)."),
        },
    )
    proposal = forms.CharField(
        label=_("Notre proposition commune"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Écrivez la proposition commune de la table."),
            "max_length": _("200 caractères au plus (vous en avez tapé %(show_value)d)."),
        },
    )

    def clean_findings(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["findings"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 3:
            raise forms.ValidationError(_("Trois lignes au plus : regroupez vos constats."))
        return "\n".join(lines)

    def clean_proposal(self) -> str:
        return " ".join(self.cleaned_data["proposal"].split())


def _reporter_set(*, activity: Activity, participant: Participant) -> None:
    services.table_reporter_set(table=participant.seat.table, participant=participant)


def _volunteer(*, activity: Activity, participant: Participant) -> None:
    services.table_reporter_volunteer(participant=participant)


def _conclude(*, activity: Activity, participant: Participant, findings: str, proposal: str):
    services.table_conclusion_write(participant=participant, findings=findings, proposal=proposal)


_NOT_SEATED = _("Vous n'êtes assis à aucune table pour l'instant.")


def _partner(*, activity: Activity, participant: Participant, action: Action, joined: bool) -> None:
    services.partnership_set(participant=participant, action=action, joined=joined)


def _form_tables(*, activity: Activity, mode: str, size: int) -> None:
    services.tables_form(rencontre=activity.step.rencontre, mode=mode, size=size)


def _seat_move(*, activity: Activity, participant: Participant, number: int) -> None:
    services.seat_move(rencontre=activity.step.rencontre, participant=participant, number=number)


class TablesKind(ActivityKind):
    """Tables of peers: formed from the panel (mixed or by filière), each phone shows its
    table and its neighbours' priorities. One member per table, the rapporteur (named on the
    panel or volunteering on the phone), writes what the table concludes: its shared findings
    and one joint proposal, read-only on the other members' phones. The wall shows the
    conclusions one table after the other, paged from the panel (key T)."""

    key = "tables"
    label = _("Tables de pairs")
    template = "priorities/kinds/tables.html"
    has_phone_part = True
    phone_parts = ("mine", "conclusion")
    shows_results = True
    control_commands = (
        Command("former", TablesForm, _form_tables),
        Command("deplacer", SeatMoveForm, _seat_move),
        Command(
            "rapporteur",
            ReporterForm,
            _reporter_set,
            refusals={services.NotAllowedError: _("Cette personne n'est assise à aucune table.")},
        ),
        Command("conclusion-suivante", KindForm, partial(services.tables_show, step=1)),
        Command("conclusion-precedente", KindForm, partial(services.tables_show, step=-1)),
        Command("revenir-au-plan", KindForm, services.tables_show_plan),
    )
    phone_commands = (
        Command(
            "rapporteur",
            KindForm,
            _volunteer,
            success=_("Vous êtes le rapporteur de votre table."),
            refusals={
                services.AlreadyTakenError: _(
                    "Votre table a déjà un rapporteur. L'animateur peut confier ce rôle à "
                    "quelqu'un d'autre si besoin."
                ),
                services.NotAllowedError: _NOT_SEATED,
            },
        ),
        Command(
            "conclure",
            ConclusionForm,
            _conclude,
            success=_("Conclusion enregistrée : elle s'affiche sur les téléphones de la table."),
            refusals={
                services.NotAllowedError: _(
                    "Seul le rapporteur de la table peut écrire sa conclusion."
                ),
            },
        ),
    )

    def results(self, activity: Activity) -> KindResults:
        return selectors.tables_results(activity)

    def stage_key(self, activity: Activity) -> str:
        return selectors.seating_key(activity)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        conclusion = {
            "findings": "Le foncier bloque deux extensions.\nLes PME ne se connaissent pas.",
            "proposal": "Un club des industriels de la vallée, réuni chaque trimestre",
        }
        return (
            Example("control", "former", {"mode": "mixed", "size": 4}),
            Example("phone", "rapporteur", {}),
            Example("phone", "conclure", conclusion),
        )

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
        # A late arrival is seated on the spot.
        services.seat_late_arrival(rencontre=activity.step.rencontre, participant=participant)
        mine = selectors.table_of(participant)
        context["mine"] = mine
        conclusion = mine.get("conclusion") if mine else None
        context["conclusion"] = conclusion
        context["is_reporter"] = conclusion is not None and conclusion.reporter_id == participant.pk
        context["reporter"] = selectors.reporter_label(conclusion.reporter if conclusion else None)
        if context["is_reporter"] and not isinstance(form, ConclusionForm):
            context["form"] = ConclusionForm(
                initial={"findings": conclusion.findings, "proposal": conclusion.proposal},
                activity=activity,
                participant=participant,
            )
        return context

    def personal(self, participant: Participant) -> Personal | None:
        mine = selectors.table_of(participant)
        conclusion = mine.get("conclusion") if mine else None
        if conclusion is None or not conclusion.written:
            return None
        return Personal(
            "priorities/kinds/tables.html#personal",
            {
                "conclusion": conclusion,
                "reporter": selectors.reporter_label(conclusion.reporter),
                "is_reporter": conclusion.reporter_id == participant.pk,
            },
        )

    def exports(self) -> tuple[Export, ...]:
        return (
            Export("conclusions_tables", selectors.CONCLUSION_COLUMNS, selectors.conclusion_rows),
        )


def initial_owner(participant: Participant) -> str:
    """The porteur proposed on a new action: "Name (Organisation)" for a participant listed by
    their own choice; for the others, their actor type, never their name."""
    if participant.listed:
        return f"{participant.name} ({participant.organisation})"
    return participant.get_actor_type_display()


class ActionsKind(ActivityKind):
    """Each participant commits to 2-3 actions for the next day, supports others' ("Je
    soutiens") and joins some to carry them together ("Je m'associe")."""

    key = "actions"
    label = _("Actions pour demain")
    template = "priorities/kinds/actions.html"
    takes_input = True
    has_phone_part = True
    phone_parts = ("mine", "others")
    shows_results = True
    config_form = ActionsConfigForm
    phone_commands = (
        Command(
            "ajouter",
            ActionForm,
            services.action_create,
            success=_("Action enregistrée."),
            refusals={
                services.LimitReachedError: _(
                    "Vous avez déjà le nombre maximum d'actions : retirez-en une pour en "
                    "ajouter une autre."
                ),
                services.NotAllowedError: _("Cette priorité n'est pas la vôtre."),
            },
        ),
        Command("retirer", OwnActionForm, _remove_action),
        Command(
            "soutenir",
            SupportForm,
            partial(_support, supported=True),
            answer="others",
            refusals={
                services.NotAllowedError: _("Vous ne pouvez pas soutenir votre propre action.")
            },
        ),
        Command(
            "ne-plus-soutenir",
            SupportForm,
            partial(_support, supported=False),
            answer="others",
            refusals={
                services.NotAllowedError: _("Vous ne pouvez pas soutenir votre propre action.")
            },
        ),
        Command(
            "s-associer",
            PartnershipForm,
            partial(_partner, joined=True),
            answer="others",
            refusals={
                services.NotAllowedError: _("Vous portez déjà cette action : c'est la vôtre.")
            },
        ),
        Command(
            "ne-plus-s-associer",
            PartnershipForm,
            partial(_partner, joined=False),
            answer="others",
            refusals={
                services.NotAllowedError: _("Vous portez déjà cette action : c'est la vôtre.")
            },
        ),
    )
    personal_commands = (
        Command("faite", OwnActionForm, partial(services.action_set_done, done=True)),
        Command("pas-faite", OwnActionForm, partial(services.action_set_done, done=False)),
    )

    def initial_config(self) -> dict[str, Any]:
        return {"min_actions": 2, "max_actions": 3}

    def results(self, activity: Activity) -> KindResults:
        return selectors.actions_results(activity)

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
        everyone = selectors.actions_with_support(rencontre_id=participant.rencontre_id)
        my_table = getattr(getattr(participant, "seat", None), "table_id", None)

        def table_of(action: Action):
            return getattr(getattr(action.participant, "seat", None), "table_id", None)

        others = [a for a in everyone if a.participant_id != participant.pk]
        others.sort(key=lambda a: (table_of(a) != my_table, a.pk))  # my table first
        low, high = services.action_bounds(activity)
        errors = [str(e) for e in form.errors.get("action", [])] if form is not None else []
        about_support = isinstance(form, (SupportForm, PartnershipForm))
        if form is None or isinstance(form, (OwnActionForm, SupportForm, PartnershipForm)):
            form = ActionForm(
                initial={"owner": initial_owner(participant)},
                activity=activity,
                participant=participant,
            )
        context.update(
            {
                "form": form,
                "others": others,
                "supported": set(participant.supports.values_list("action_id", flat=True)),
                "joined": set(participant.partnerships.values_list("action_id", flat=True)),
                "counts": {a.pk: a.n_supports for a in everyone},
                "mine": selectors.actions_with_support(participant=participant, activity=activity),
                "low": low,
                "high": high,
                "message": "" if about_support else message or " ".join(errors),
                "support_message": message or " ".join(errors) if about_support else "",
            }
        )
        return context

    def personal(self, participant: Participant) -> Personal | None:
        """The participant's actions and those they joined, with who carries them; partners'
        organisations and contacts only where both agreed to exchange them."""
        carried = selectors.actions_carried(participant)
        if not carried:
            return None
        return Personal(
            "priorities/personal.html#actions", {"actions": carried, "participant": participant}
        )

    def exports(self) -> tuple[Export, ...]:
        return (Export("actions", selectors.ACTION_COLUMNS, selectors.action_rows),)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        action = {
            "text": "Réunir les DRH du décolletage",
            "kind": Action.Kind.START,
            "owner": "CCI",
            "when": "week",
        }
        return (Example("phone", "ajouter", action),)
