"""Writes of priorities, tables and actions. Atomic; broadcasts after commit."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

from priorities import seating, tasks
from priorities import selectors as priority_selectors
from priorities.coach import coach_priority
from priorities.models import (
    Action,
    Partnership,
    PeerGroup,
    Priority,
    Seat,
    Support,
    TableConclusion,
    VotePoints,
)
from workshops import selectors
from workshops import services as workshops_services
from workshops.live import broadcast_refresh_on_commit, broadcast_state_on_commit
from workshops.models import Activity, Participant, Rencontre

PRIORITY_FIELDS = (
    "statement",
    "filiere",
    "filiere_other",
    "jobs_count",
    "jobs_kinds",
    "benefits",
    "benefits_note",
    "origin",
    "horizon",
    "indicator",
    "document",
    "document_change",
)


class LimitReachedError(Exception):
    """A participant asked for more than the activity allows (a third priority, a fourth
    action)."""


class NotAllowedError(Exception):
    """The participant may not do this (support their own action, edit another's)."""


def max_priorities(activity: Activity) -> int:
    return 2 if activity.config.get("max_priorities") == 2 else 1


@transaction.atomic
def priority_save(
    *, activity: Activity, participant: Participant, rank: int, values: dict[str, Any]
) -> Priority:
    """Save the given fields of the participant's priority `rank` (the others are kept), and
    its precision level. Side effects: the priority wall refreshes."""
    if not 1 <= rank <= max_priorities(activity):
        raise LimitReachedError
    for _attempt in range(2):
        try:
            with transaction.atomic():
                priority, _created = Priority.objects.get_or_create(
                    participant=participant,
                    rank=rank,
                    defaults={"rencontre_id": participant.rencontre_id},
                )
            break
        except IntegrityError:  # two autosaves of the same phone at once
            continue
    for name, value in values.items():
        if name in PRIORITY_FIELDS:
            setattr(priority, name, value)
    priority.precision = coach_priority(priority).level
    priority.save()
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return priority


def _people(rencontre: Rencontre, participants: list[Participant]) -> list[seating.Person]:
    filieres = {
        p.participant_id: p.filiere_label
        for p in Priority.objects.filter(rencontre=rencontre, rank=1).select_related("filiere")
    }
    return [seating.Person(p.pk, p.actor_type, filieres.get(p.pk, "")) for p in participants]


@transaction.atomic
def tables_form(
    *, rencontre: Rencontre, mode: str, size: int, seed: int | None = None
) -> list[PeerGroup]:
    """Seat everyone present (phones connected; everyone joined if none is; never those the
    facilitator marked absent) at new tables.
    Side effects: previous tables are replaced; every phone shows its table."""
    here = Participant.objects.filter(rencontre=rencontre, absent=False)
    present = list(here.filter(selectors.connected_q()))
    if not present:
        present = list(here)
    seed = secrets.randbelow(10**6) if seed is None else seed
    layout = seating.form_tables(_people(rencontre, present), size=size, mode=mode, seed=seed)
    PeerGroup.objects.filter(rencontre=rencontre).delete()
    tables = []
    for number, member_ids in enumerate(layout, start=1):
        table = PeerGroup.objects.create(rencontre=rencontre, number=number, mode=mode)
        Seat.objects.bulk_create(Seat(table=table, participant_id=pid) for pid in member_ids)
        tables.append(table)
    broadcast_state_on_commit(rencontre.id)
    return tables


@transaction.atomic
def seat_late_arrival(*, rencontre: Rencontre, participant: Participant) -> PeerGroup | None:
    """Seat someone who arrived after the tables were formed (no-op if seated or no tables).
    Side effects: the seating plan refreshes."""
    if Seat.objects.filter(participant=participant).exists():
        return None
    tables = list(PeerGroup.objects.filter(rencontre=rencontre).prefetch_related("members"))
    if not tables:
        return None
    everyone = {p.pk: p for t in tables for p in t.members.all()}
    people = {p.id: p for p in _people(rencontre, [*everyone.values(), participant])}
    by_number = {t.number: [people[m.pk] for m in t.members.all()] for t in tables}
    number = seating.seat_late(people[participant.pk], by_number, mode=tables[0].mode)
    table = next(t for t in tables if t.number == number)
    Seat.objects.create(table=table, participant=participant)
    broadcast_refresh_on_commit(rencontre.id, ("results",))
    return table


@transaction.atomic
def seat_move(*, rencontre: Rencontre, participant: Participant, number: int) -> bool:
    """Move a person to table `number` by hand. Side effects: phones and wall update."""
    table = PeerGroup.objects.filter(rencontre=rencontre, number=number).first()
    if table is None or participant.rencontre_id != rencontre.pk:
        return False
    Seat.objects.update_or_create(participant=participant, defaults={"table": table})
    broadcast_state_on_commit(rencontre.id)
    return True


def action_bounds(activity: Activity) -> tuple[int, int]:
    low = int(activity.config.get("min_actions", 2))
    high = int(activity.config.get("max_actions", 3))
    return max(1, low), max(low, high)


@transaction.atomic
def action_create(
    *,
    activity: Activity,
    participant: Participant,
    text: str,
    kind: str,
    owner: str,
    due: dt.date,
    priority: Priority | None,
) -> Action:
    """Record an action. Side effects: the wall's actions refresh; its reminder is queued
    for the background worker (`priorities.tasks`)."""
    # Lock the participant row so two quick posts cannot both pass the limit.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if (
        Action.objects.filter(participant=participant, activity=activity).count()
        >= action_bounds(activity)[1]
    ):
        raise LimitReachedError
    if priority is not None and priority.participant_id != participant.pk:
        raise NotAllowedError
    action = Action.objects.create(
        rencontre_id=participant.rencontre_id,
        participant=participant,
        activity=activity,
        text=text,
        kind=kind,
        owner=owner,
        due=due,
        priority=priority,
    )
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    transaction.on_commit(partial(tasks.action_reminder_queue, action))
    return action


@transaction.atomic
def action_delete(*, participant: Participant, action: Action) -> bool:
    """Remove one of the participant's own actions."""
    deleted, _ = Action.objects.filter(pk=action.pk, participant=participant).delete()
    if deleted:
        broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return bool(deleted)


@transaction.atomic
def action_set_done(*, participant: Participant, action: Action, done: bool) -> bool:
    """Mark one of the participant's own actions done (after the event)."""
    updated = Action.objects.filter(pk=action.pk, participant=participant).update(done=done)
    return bool(updated)


@transaction.atomic
def support_set(*, participant: Participant, action: Action, supported: bool) -> Action:
    """'Je soutiens' (or withdraw it). Idempotent: supporting twice counts once. One's own
    action cannot be supported. Side effects: the counts refresh on the wall."""
    if action.rencontre_id != participant.rencontre_id:
        raise NotAllowedError
    if action.participant_id == participant.pk:
        raise NotAllowedError
    if supported:
        Support.objects.get_or_create(action=action, participant=participant)
    else:
        Support.objects.filter(action=action, participant=participant).delete()
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return action


@transaction.atomic
def partnership_set(*, participant: Participant, action: Action, joined: bool) -> Action:
    """'Je m'associe' (or leave): the participant carries another's action with its author.
    Idempotent: joining twice makes one partnership. One's own action cannot be joined.
    Side effects: the action's partners refresh on the wall; the partners' sheets show each
    other (names and contacts as each one agreed)."""
    if action.rencontre_id != participant.rencontre_id:
        raise NotAllowedError
    if action.participant_id == participant.pk:
        raise NotAllowedError
    if joined:
        Partnership.objects.get_or_create(action=action, participant=participant)
    else:
        Partnership.objects.filter(action=action, participant=participant).delete()
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return action


@transaction.atomic
def priority_autosave(
    *, activity: Activity, participant: Participant, rank: int | None = None, **values: Any
) -> Priority:
    """The phone's autosave: the fields that passed validation (the others are left as they
    were). Side effects: as `priority_save`."""
    if rank is None:
        raise LimitReachedError
    return priority_save(activity=activity, participant=participant, rank=rank, values=values)


# ---------------------------------------------------------------- what each table concludes


class AlreadyTakenError(Exception):
    """Someone else already holds the role (the table's rapporteur)."""


def _conclusion_for_update(table: PeerGroup) -> TableConclusion:
    """The table's conclusion row, created if need be, locked until the end of the
    transaction (two phones of the same table at once: one waits for the other)."""
    try:
        with transaction.atomic():
            TableConclusion.objects.get_or_create(table=table)
    except IntegrityError:  # created by the other request meanwhile
        pass
    return TableConclusion.objects.select_for_update().get(table=table)


@transaction.atomic
def table_reporter_set(*, table: PeerGroup, participant: Participant) -> TableConclusion:
    """The facilitator names (or replaces) a table's rapporteur, who must sit at the table.
    Side effects: the wall and the panel update; the table's phones see it at their next
    look (they poll their table's conclusion, so that nobody's typing is interrupted)."""
    if not Seat.objects.filter(table=table, participant=participant).exists():
        raise NotAllowedError
    conclusion = _conclusion_for_update(table)
    conclusion.reporter = participant
    conclusion.save()
    broadcast_refresh_on_commit(table.rencontre_id, ("results",))
    return conclusion


@transaction.atomic
def table_reporter_volunteer(*, participant: Participant) -> TableConclusion:
    """ "Je suis rapporteur" on a phone: the participant becomes their table's rapporteur if
    it has none yet (again: harmless). Refused without a seat (NotAllowedError) or when
    another member already is (AlreadyTakenError: the facilitator can still hand it over).
    Side effects: as `table_reporter_set`."""
    seat = Seat.objects.filter(participant=participant).select_related("table").first()
    if seat is None:
        raise NotAllowedError
    conclusion = _conclusion_for_update(seat.table)
    if conclusion.reporter_id not in (None, participant.pk):
        raise AlreadyTakenError
    if conclusion.reporter_id is None:
        conclusion.reporter = participant
        conclusion.save()
        broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return conclusion


@transaction.atomic
def table_conclusion_write(
    *, participant: Participant, findings: str, proposal: str
) -> TableConclusion:
    """The rapporteur writes (or rewrites) the table's findings and joint proposal; nobody
    else may. Side effects: as `table_reporter_set`."""
    seat = Seat.objects.filter(participant=participant).select_related("table").first()
    if seat is None:
        raise NotAllowedError
    conclusion = _conclusion_for_update(seat.table)
    if conclusion.reporter_id != participant.pk:
        raise NotAllowedError
    conclusion.findings = findings
    conclusion.proposal = proposal
    conclusion.save()
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return conclusion


@transaction.atomic
def tables_show(*, activity: Activity, step: int) -> int | None:
    """Turn the wall to the next (`step` 1) or previous (-1) table that has written its
    conclusion, round the tables; from the seating plan, to the first (or last) one.
    Returns the table number shown (None: no table has concluded yet, nothing changes).
    Side effects: the wall and the panel update."""
    numbers = priority_selectors.concluded_numbers(activity.step.rencontre_id)
    if not numbers:
        return None
    shown = activity.config.get("shown_table")
    if shown in numbers:
        number = numbers[(numbers.index(shown) + step) % len(numbers)]
    elif shown is not None and step > 0:  # a table that no longer has a conclusion
        number = next((n for n in numbers if n > shown), numbers[0])
    else:
        number = numbers[0] if step > 0 else numbers[-1]
    workshops_services.activity_config_set(activity=activity, shown_table=number)
    return number


@transaction.atomic
def tables_show_plan(*, activity: Activity) -> None:
    """Back to the seating plan on the wall. Side effects: the wall and the panel update."""
    workshops_services.activity_config_set(activity=activity, shown_table=None)


# ---------------------------------------------------------------- deciding together


def vote_budget(activity: Activity) -> int:
    """The points each participant spreads (the setting, 1 to 10; 3 by default)."""
    return priority_selectors.vote_budget(activity)


@transaction.atomic
def vote_points_set(
    *, activity: Activity, participant: Participant, option: str, points: int
) -> int:
    """Give `points` to one option (0 takes them back). The phone sends the number the option
    should hold, not "one more", so a double tap counts once. Refused past the budget
    (LimitReachedError) or for an option that is not on the ballot (NotAllowedError).
    Returns the points left. Side effects: the wall's count of voters refreshes."""
    # Lock the participant row so two quick taps cannot both pass the cap.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    options = {o["key"] for o in priority_selectors.vote_options(activity)}
    if option not in options or points < 0:
        raise NotAllowedError
    mine = VotePoints.objects.filter(activity=activity, participant=participant)
    mine.exclude(option__in=options).delete()  # an option gone from the ballot gives back
    elsewhere = sum(mine.exclude(option=option).values_list("points", flat=True))
    budget = vote_budget(activity)
    if elsewhere + points > budget:
        raise LimitReachedError
    if points:
        VotePoints.objects.update_or_create(
            activity=activity, participant=participant, option=option, defaults={"points": points}
        )
    else:
        mine.filter(option=option).delete()
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return budget - elsewhere - points
