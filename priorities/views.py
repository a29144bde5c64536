"""Phone and control views of the priority, tables and actions kinds (called by the engine,
which has checked the participant or the facilitator)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from priorities import selectors, services
from priorities.coach import coach_priority, propose
from priorities.forms import ActionForm, PriorityForm, SeatMoveForm, TablesForm, next_working_day
from priorities.models import Action, Priority
from workshops import services as workshop_services
from workshops.models import Activity, Participant


def priority_phone(request: HttpRequest, activity: Activity, participant: Participant):
    """GET: the priority form(s). POST: autosave of one priority (all its fields; the valid
    ones are saved, the others reported), answered with the coach and the save status only,
    so the phone keeps typing undisturbed."""
    limit = services.max_priorities(activity)
    if request.method == "POST":
        try:
            rank = int(request.POST.get("rank", "1"))
        except ValueError:
            rank = 0
        form = PriorityForm(request.POST)
        form.is_valid()
        try:
            priority = services.priority_save(
                activity=activity, participant=participant, rank=rank, values=form.cleaned_data
            )
        except services.LimitReachedError:
            return render(
                request,
                "priorities/kinds/priority.html#refused",
                {"activity": activity, "limit": limit, "rank": rank},
            )
        coaching = coach_priority(priority)
        return render(
            request,
            "priorities/kinds/priority.html#autosave",
            {
                "activity": activity,
                "priority": priority,
                "rank": rank,
                "form": form,
                "coaching": coaching,
                "proposals": _proposals(coaching, priority),
                "saved": not form.errors,
            },
        )
    mine = {p.rank: p for p in Priority.objects.filter(participant=participant)}
    blocks = [
        {
            "rank": rank,
            "priority": mine.get(rank),
            "form": PriorityForm(
                initial=PriorityForm.initial_from(mine.get(rank)), auto_id=f"id_p{rank}_%s"
            ),
            "coaching": (coaching := coach_priority(mine.get(rank))),
            "proposals": _proposals(coaching, mine.get(rank)),
        }
        for rank in range(1, limit + 1)
    ]
    return render(
        request,
        "priorities/kinds/priority.html#mine",
        {"activity": activity, "rencontre": activity.step.rencontre, "blocks": blocks},
    )


def _proposals(coaching, priority: Priority | None):
    return propose(
        coaching.reading, PriorityForm.initial_from(priority), year=timezone.localdate().year
    )


def priority_control(request: HttpRequest, activity: Activity) -> None:
    """Spotlight one priority full screen on the wall, or go back to the wall."""
    op = request.POST.get("op")
    if op == "spotlight":
        try:
            priority_id = int(request.POST.get("priority", ""))
        except ValueError:
            return
        if Priority.objects.filter(
            pk=priority_id, rencontre_id=activity.step.rencontre_id
        ).exists():
            workshop_services.activity_config_set(activity=activity, spotlight=priority_id)
    elif op == "unspotlight":
        workshop_services.activity_config_set(activity=activity, spotlight=None)


def tables_phone(request: HttpRequest, activity: Activity, participant: Participant):
    """The participant's table: its number, members and their priorities. A late arrival is
    seated on the spot."""
    rencontre = activity.step.rencontre
    services.seat_late_arrival(rencontre=rencontre, participant=participant)
    return render(
        request,
        "priorities/kinds/tables.html#mine",
        {
            "activity": activity,
            "rencontre": rencontre,
            "participant": participant,
            "mine": selectors.table_of(participant),
        },
    )


def tables_control(request: HttpRequest, activity: Activity) -> None:
    rencontre = activity.step.rencontre
    if request.POST.get("op") == "form_tables":
        form = TablesForm(request.POST)
        if form.is_valid():
            services.tables_form(rencontre=rencontre, **form.cleaned_data)
    elif request.POST.get("op") == "move":
        form = SeatMoveForm(request.POST)
        if form.is_valid():
            services.seat_move(
                rencontre=rencontre,
                participant_id=form.cleaned_data["participant"],
                number=form.cleaned_data["number"],
            )


def _others_context(activity: Activity, participant: Participant) -> dict:
    everyone = selectors.actions_with_support(rencontre_id=participant.rencontre_id)
    my_table = getattr(getattr(participant, "seat", None), "table_id", None)

    def table_of(action: Action):
        return getattr(getattr(action.participant, "seat", None), "table_id", None)

    others = [a for a in everyone if a.participant_id != participant.pk]
    others.sort(key=lambda a: (table_of(a) != my_table, a.pk))  # my table first
    return {
        "activity": activity,
        "rencontre": activity.step.rencontre,
        "participant": participant,
        "others": others,
        "supported": set(participant.supports.values_list("action_id", flat=True)),
        "counts": {a.pk: a.n_supports for a in everyone},
    }


def actions_phone(request: HttpRequest, activity: Activity, participant: Participant):
    """The participant's own actions (add up to the limit, remove) and, in a fragment of its
    own refreshed every 20 s, the others' actions to support."""
    if request.method == "GET" and request.GET.get("part") == "others":
        return render(
            request, "priorities/kinds/actions.html#others", _others_context(activity, participant)
        )
    op = request.POST.get("op") if request.method == "POST" else None
    if op in ("support", "unsupport"):
        message = ""
        try:
            services.support_set(
                participant=participant,
                action_id=_int(request.POST.get("action")),
                supported=op == "support",
            )
        except services.NotAllowedError:
            message = _("Vous ne pouvez pas soutenir votre propre action.")
        except Action.DoesNotExist:
            message = _("Cette action n'existe plus.")
        context = _others_context(activity, participant)
        context["support_message"] = message
        return render(request, "priorities/kinds/actions.html#others", context)
    low, high = services.action_bounds(activity)
    priorities = Priority.objects.filter(participant=participant).exclude(statement="")
    form, message = None, ""
    if op == "add":
        form = ActionForm(request.POST, priorities=priorities)
        if form.is_valid():
            try:
                services.action_create(
                    activity=activity, participant=participant, **form.cleaned_data
                )
                form, message = None, _("Action enregistrée.")
            except services.LimitReachedError:
                message = _(
                    "Vous avez déjà %(n)d actions : retirez-en une pour en ajouter une autre."
                ) % {"n": high}
            except services.NotAllowedError:
                message = _("Cette priorité n'est pas la vôtre.")
    elif op == "delete":
        services.action_delete(participant=participant, action_id=_int(request.POST.get("action")))
    if form is None:
        form = ActionForm(
            initial={
                "owner": f"{participant.name} ({participant.organisation})",
                "due": next_working_day(),
            },
            priorities=priorities,
        )
    context = _others_context(activity, participant)
    context.update(
        {
            "mine": list(Action.objects.filter(participant=participant, activity=activity)),
            "form": form,
            "low": low,
            "high": high,
            "message": message,
        }
    )
    return render(request, "priorities/kinds/actions.html#mine", context)


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return 0


def personal_priorities(request: HttpRequest, participant: Participant) -> str:
    priorities = list(
        Priority.objects.filter(participant=participant)
        .exclude(statement="")
        .select_related("filiere")
    )
    if not priorities:
        return ""
    return render_to_string(
        "priorities/personal.html#priorities", {"priorities": priorities}, request=request
    )


def personal_actions(request: HttpRequest, participant: Participant) -> str:
    """Own actions, each of which can be marked done (after the event too)."""
    if request.method == "POST" and request.POST.get("kind") == "actions":
        services.action_set_done(
            participant=participant,
            action_id=_int(request.POST.get("action")),
            done=request.POST.get("op") == "done",
        )
    mine = selectors.actions_with_support(participant=participant)
    if not mine:
        return ""
    return render_to_string(
        "priorities/personal.html#actions",
        {"actions": mine, "participant": participant},
        request=request,
    )
