"""Writes of the session engine. Each function is atomic and broadcasts only after commit."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from workshops import agenda_templates, kinds, rawsql
from workshops.live import (
    LIVE_ROLES,
    broadcast_refresh_on_commit,
    broadcast_state_on_commit,
    close_screen_links_on_commit,
)
from workshops.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Activity,
    AgendaTemplate,
    Answer,
    DebriefLogo,
    DebriefSettings,
    Participant,
    Rencontre,
    Step,
    new_participant_token,
)
from workshops.personal_data import kept_records, personal_relations, scrub
from workshops.selectors import remember_answer

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

MAX_TIMER_SECONDS = 4 * 60 * 60


class ClosedRencontreError(Exception):
    """The rencontre no longer accepts participants or answers."""


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def rencontre_create(
    *,
    title: str,
    date: dt.date,
    place: str = "",
    territory_name: str = "",
    facilitator: AbstractBaseUser,
    agenda: list[dict] | None = None,
    language: str = settings.LANGUAGE_CODE,
) -> Rencontre:
    """Create a rencontre with a fresh unique join code and `agenda` (by default the
    half-day named by `settings.DEFAULT_AGENDA`, in `language`).

    Side effects: creates the rencontre, its steps and activities; the facilitator is added.
    The first activity becomes current, so phones that join early see the welcome.
    """
    for _attempt in range(20):
        try:
            with transaction.atomic():
                rencontre = Rencontre.objects.create(
                    title=title,
                    date=date,
                    place=place,
                    territory_name=territory_name,
                    language=language,
                    code=generate_code(),
                )
            break
        except IntegrityError:  # the code is taken: draw again
            continue
    else:  # pragma: no cover - 31**6 codes make this practically unreachable
        raise RuntimeError("Could not draw a unique join code")
    rencontre.facilitators.add(facilitator)
    first = None
    if agenda is None:
        agenda = import_string(settings.DEFAULT_AGENDA)(language)
    for step_position, step_data in enumerate(agenda):
        step = Step.objects.create(
            rencontre=rencontre,
            position=step_position,
            title=str(step_data["title"]),
            planned_minutes=step_data.get("minutes", 30),
        )
        position = 0
        for data in step_data["activities"]:
            if not kinds.is_registered(data["kind"]):
                continue
            activity = Activity.objects.create(
                step=step,
                position=position,
                kind=data["kind"],
                title=str(data["title"]),
                body=str(data.get("body", "")),
                config=data.get("config", {}),
                planned_minutes=data.get("minutes", 5),
            )
            position += 1
            first = first or activity
    if first is not None:
        rencontre.current_activity = first
        rencontre.save(update_fields=["current_activity"])
    return rencontre


@transaction.atomic
def participant_join(
    *,
    rencontre: Rencontre,
    name: str,
    organisation: str,
    actor_type: str,
    listed: bool,
    language: str = settings.LANGUAGE_CODE,
) -> Participant:
    """Register a participant. Side effects: screens and control panels refresh their counts."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    if rencontre.status == Rencontre.Status.CLOSED:
        raise ClosedRencontreError
    participant = Participant.objects.create(
        rencontre=rencontre,
        name=name.strip(),
        organisation=organisation.strip(),
        actor_type=actor_type,
        listed=listed,
        language=language,
    )
    broadcast_refresh_on_commit(rencontre.id, ("presence",))
    return participant


@transaction.atomic
def participant_socket_change(
    *, participant_id: int, delta: int, language: str | None = None
) -> None:
    """Count a phone socket opening (+1) or closing (-1), a sign of life (`last_seen`), and
    the language its page speaks (the participant's sheet and e-mails are written in it);
    screens refresh their counts."""
    changes: dict = {"sockets": F("sockets") + delta, "last_seen": timezone.now()}
    if language in {code for code, _name in settings.LANGUAGES}:
        changes["language"] = language
    Participant.objects.filter(pk=participant_id).update(**changes)
    Participant.objects.filter(pk=participant_id, sockets__lt=0).update(sockets=0)
    rencontre_id = (
        Participant.objects.filter(pk=participant_id).values_list("rencontre_id", flat=True).first()
    )
    if rencontre_id is not None:
        broadcast_refresh_on_commit(rencontre_id, ("presence",))


def _ordered_activities(rencontre: Rencontre) -> list[Activity]:
    return list(
        Activity.objects.filter(step__rencontre=rencontre)
        .select_related("step")
        .order_by("step__position", "position")
    )


def _switch_to(rencontre: Rencontre, target: Activity) -> None:
    now = timezone.now()
    previous = rencontre.current_activity
    if previous is not None and previous.pk != target.pk:
        Activity.objects.filter(pk=previous.pk).update(ended_at=now)
        if previous.step_id != target.step_id:
            Step.objects.filter(pk=previous.step_id).update(ended_at=now)
    Activity.objects.filter(pk=target.pk, started_at__isnull=True).update(started_at=now)
    Activity.objects.filter(pk=target.pk).update(ended_at=None)
    Step.objects.filter(pk=target.step_id, started_at__isnull=True).update(started_at=now)
    Step.objects.filter(pk=target.step_id).update(ended_at=None)
    rencontre.current_activity = target
    fields = ["current_activity"]
    if rencontre.status == Rencontre.Status.DRAFT:
        rencontre.status = Rencontre.Status.LIVE
        fields.append("status")
    # Leaving the welcome hides the QR code; the facilitator can show it again on demand.
    if rencontre.qr_visible and previous is not None and previous.pk != target.pk:
        rencontre.qr_visible = False
        fields.append("qr_visible")
    if previous is None or previous.pk != target.pk:
        fields += _timer_follow(rencontre, target)
        if rencontre.screen_blanked:  # moving on shows the room the new activity
            rencontre.screen_blanked = False
            fields.append("screen_blanked")
    rencontre.save(update_fields=fields)


def _timer_follow(rencontre: Rencontre, target: Activity) -> list[str]:
    """The countdown restarts with each activity, from the activity's own duration, and keeps
    its mode: off stays off, paused shows the new duration paused, running runs again."""
    seconds = min(target.planned_minutes * 60, MAX_TIMER_SECONDS)
    if rencontre.timer_ends_at is not None:
        rencontre.timer_ends_at = timezone.now() + dt.timedelta(seconds=seconds)
    elif rencontre.timer_remaining is not None:
        rencontre.timer_remaining = seconds
    else:
        return []
    return ["timer_ends_at", "timer_remaining"]


@transaction.atomic
def activity_step(*, rencontre: Rencontre, expected_id: int | None, offset: int) -> bool:
    """Move to the next (+1) or previous (-1) activity.

    `expected_id` is the activity the facilitator saw as current: a double click, or two
    facilitators pressing at once, moves only once. Returns whether anything changed.
    Side effects: times of steps and activities; every phone, screen and control updates.
    """
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    if expected_id is not None and rencontre.current_activity_id != expected_id:
        return False
    activities = _ordered_activities(rencontre)
    ids = [a.pk for a in activities]
    if not activities:
        return False
    index = ids.index(rencontre.current_activity_id) if rencontre.current_activity_id in ids else -1
    target_index = index + offset
    if not 0 <= target_index < len(activities):
        return False
    _switch_to(rencontre, activities[target_index])
    broadcast_state_on_commit(rencontre.id)
    return True


@transaction.atomic
def activity_goto(*, rencontre: Rencontre, activity_id: int) -> bool:
    """Jump to any activity of the rencontre. Side effects: as `activity_step`."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    target = (
        Activity.objects.filter(pk=activity_id, step__rencontre=rencontre)
        .select_related("step")
        .first()
    )
    if target is None or target.pk == rencontre.current_activity_id:
        return False
    _switch_to(rencontre, target)
    broadcast_state_on_commit(rencontre.id)
    return True


@transaction.atomic
def activity_set_open(*, rencontre: Rencontre, is_open: bool) -> bool:
    """Open or close input on the current activity. Side effects: everyone updates."""
    updated = Activity.objects.filter(
        pk=rencontre.current_activity_id, step__rencontre=rencontre
    ).update(is_open=is_open)
    if updated:
        broadcast_state_on_commit(rencontre.id)
    return bool(updated)


@transaction.atomic
def qr_set_visible(*, rencontre: Rencontre, visible: bool) -> None:
    """Show or hide the QR code on the projector. Side effects: screens and control update."""
    Rencontre.objects.filter(pk=rencontre.pk).update(qr_visible=visible)
    broadcast_state_on_commit(rencontre.id, roles=("screen", "control"))


def _timer_remaining(rencontre: Rencontre) -> int:
    if rencontre.timer_ends_at is not None:
        return max(0, int((rencontre.timer_ends_at - timezone.now()).total_seconds()))
    return rencontre.timer_remaining or 0


@transaction.atomic
def timer_start(*, rencontre: Rencontre, seconds: int | None = None) -> None:
    """Start the countdown: from `seconds`, else resume a paused one, else the current
    activity's planned duration. Side effects: every role shows the timer."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    if seconds is None:
        if rencontre.timer_ends_at is not None:
            return
        seconds = rencontre.timer_remaining or (
            rencontre.current_activity.planned_minutes * 60 if rencontre.current_activity else 300
        )
    seconds = max(0, min(int(seconds), MAX_TIMER_SECONDS))
    rencontre.timer_ends_at = timezone.now() + dt.timedelta(seconds=seconds)
    rencontre.timer_remaining = None
    rencontre.save(update_fields=["timer_ends_at", "timer_remaining"])
    broadcast_state_on_commit(rencontre.id)


@transaction.atomic
def timer_pause(*, rencontre: Rencontre) -> None:
    """Pause a running countdown, keeping what is left. Side effects: every role updates."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    if rencontre.timer_ends_at is None:
        return
    rencontre.timer_remaining = _timer_remaining(rencontre)
    rencontre.timer_ends_at = None
    rencontre.save(update_fields=["timer_ends_at", "timer_remaining"])
    broadcast_state_on_commit(rencontre.id)


@transaction.atomic
def timer_extend(*, rencontre: Rencontre, seconds: int) -> None:
    """Add time to the countdown, running or paused. Side effects: every role updates."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    if rencontre.timer_ends_at is not None:
        remaining = min(_timer_remaining(rencontre) + seconds, MAX_TIMER_SECONDS)
        rencontre.timer_ends_at = timezone.now() + dt.timedelta(seconds=remaining)
    else:
        rencontre.timer_remaining = min(
            (rencontre.timer_remaining or 0) + seconds, MAX_TIMER_SECONDS
        )
    rencontre.save(update_fields=["timer_ends_at", "timer_remaining"])
    broadcast_state_on_commit(rencontre.id)


@transaction.atomic
def timer_reset(*, rencontre: Rencontre) -> None:
    """Remove the countdown. Side effects: every role hides it."""
    Rencontre.objects.filter(pk=rencontre.pk).update(timer_ends_at=None, timer_remaining=None)
    broadcast_state_on_commit(rencontre.id)


# ---------------------------------------------------------------- answers


ANSWER_UPSERT_FIELDS = ("activity", "participant", "data", "hidden", "created_at", "updated_at")
_ANSWER_UPSERT: dict[str, str] = {}


def _answer_upsert_sql() -> str:
    """`Answer.objects.bulk_create([answer], update_conflicts=True, unique_fields=["activity",
    "participant"], update_fields=["data", "updated_at"])` written once (`rawsql`): the
    ORM's compilation of it cost more than the statement."""
    sql = _ANSWER_UPSERT.get(connection.vendor)
    if sql is None:
        col = functools.partial(rawsql.column, Answer)
        sql = _ANSWER_UPSERT[connection.vendor] = (
            f"INSERT INTO {rawsql.table(Answer)}"
            f" ({', '.join(col(name) for name in ANSWER_UPSERT_FIELDS)})"
            f" VALUES ({', '.join(['%s'] * len(ANSWER_UPSERT_FIELDS))})"
            f" ON CONFLICT ({col('activity')}, {col('participant')})"
            f" DO UPDATE SET {col('data')} = EXCLUDED.{col('data')},"
            f" {col('updated_at')} = EXCLUDED.{col('updated_at')}"
            f" RETURNING {col('id')}"
        )
    return sql


def answer_save(*, activity: Activity, participant: Participant, data: dict) -> Answer:
    """Create or replace the participant's answer (one per activity), racing posts included:
    one INSERT ... ON CONFLICT DO UPDATE, so two posts of the same phone at once end in one
    row holding the last one. For the kinds that keep one answer per participant in
    `Answer.data`. Side effects: screens and control panels refresh their results."""
    now = timezone.now()
    answer = Answer(
        activity=activity, participant=participant, data=data, created_at=now, updated_at=now
    )
    if connection.features.can_return_columns_from_insert:
        values = [
            rawsql.prepared(field, getattr(answer, field.attname))
            for field in (Answer._meta.get_field(name) for name in ANSWER_UPSERT_FIELDS)
        ]
        with connection.cursor() as cursor:
            cursor.execute(_answer_upsert_sql(), values)
            answer.pk = cursor.fetchone()[0]
        answer._state.adding, answer._state.db = False, connection.alias
    else:  # pragma: no cover - SQLite before 3.35
        Answer.objects.bulk_create(
            [answer],
            update_conflicts=True,
            unique_fields=["activity", "participant"],
            update_fields=["data", "updated_at"],
        )
    remember_answer(participant, activity.pk, data)
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return answer


@transaction.atomic
def answer_set_hidden(*, activity: Activity, answer: Answer, hidden: bool) -> bool:
    """Moderation: hide (or show again) one answer; it stays in the database, marked.
    Side effects: the projector drops it at once."""
    updated = Answer.objects.filter(activity=activity, pk=answer.pk).update(hidden=hidden)
    if updated:
        broadcast_state_on_commit(activity.step.rencontre_id, roles=("screen", "control"))
    return bool(updated)


# ---------------------------------------------------------------- agenda editing


def _broadcast_if_current(activity: Activity) -> None:
    rencontre_id = activity.step.rencontre_id
    is_current = Rencontre.objects.filter(pk=rencontre_id, current_activity=activity).exists()
    broadcast_state_on_commit(rencontre_id, roles=LIVE_ROLES if is_current else ("control",))


@transaction.atomic
def activity_results_set_hidden(*, rencontre: Rencontre, hidden: bool) -> bool:
    """Hide the current activity's results from the wall (answers keep coming), or reveal
    them. Side effects: the projector and the control panel update."""
    return _current_display_set(rencontre, results_hidden=hidden)


@transaction.atomic
def activity_split_set(*, rencontre: Rencontre, by_actor_type: bool) -> bool:
    """Show the current activity's results split by actor type, or as a whole.
    Side effects: the projector and the control panel update."""
    return _current_display_set(rencontre, by_actor_type=by_actor_type)


def _current_display_set(rencontre: Rencontre, **fields: bool) -> bool:
    updated = Activity.objects.filter(pk=rencontre.current_activity_id).update(**fields)
    if updated:
        broadcast_state_on_commit(rencontre.id, roles=("screen", "control"))
    return bool(updated)


@transaction.atomic
def activity_update(
    *, activity: Activity, title: str, body: str, planned_minutes: int, config: dict | None
) -> Activity:
    """Edit an activity, before or during the session. Side effects: if it is on screen,
    everyone sees the change."""
    activity.title = title
    activity.body = body
    activity.planned_minutes = planned_minutes
    if config is not None:
        activity.config = {**activity.config, **config}
    activity.save()
    _broadcast_if_current(activity)
    return activity


@transaction.atomic
def activity_create(*, step: Step, kind: str, title: str) -> Activity:
    """Add an activity at the end of a step, with the kind's default settings."""
    if not kinds.is_registered(kind):
        raise ValueError(f"Unknown activity kind {kind!r}")
    position = (step.activities.aggregate(m=models.Max("position"))["m"] or 0) + 1
    activity = Activity.objects.create(
        step=step,
        position=position,
        kind=kind,
        title=title,
        config=kinds.get(kind).initial_config(),
    )
    broadcast_state_on_commit(step.rencontre_id, roles=("control",))
    return activity


@transaction.atomic
def activity_move(*, activity: Activity, offset: int) -> None:
    """Move an activity up (-1) or down (+1) within its step."""
    siblings = list(activity.step.activities.order_by("position", "id"))
    index = next(i for i, a in enumerate(siblings) if a.pk == activity.pk)
    target = index + offset
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        Activity.objects.filter(pk=sibling.pk).update(position=position)
    broadcast_state_on_commit(activity.step.rencontre_id)


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    """Remove an activity and its answers. The current one cannot be removed."""
    rencontre = Rencontre.objects.select_for_update().get(pk=activity.step.rencontre_id)
    if rencontre.current_activity_id == activity.pk:
        raise ValueError("The current activity cannot be removed")
    activity.delete()
    broadcast_state_on_commit(rencontre.id, roles=("control",))


@transaction.atomic
def step_update(*, step: Step, title: str, planned_minutes: int) -> Step:
    """Retitle or retime a step."""
    step.title = title
    step.planned_minutes = planned_minutes
    step.save(update_fields=["title", "planned_minutes"])
    broadcast_state_on_commit(step.rencontre_id)
    return step


@transaction.atomic
def step_create(*, rencontre: Rencontre, title: str, planned_minutes: int) -> Step:
    """Add a step at the end of the agenda."""
    position = (rencontre.steps.aggregate(m=models.Max("position"))["m"] or 0) + 1
    step = Step.objects.create(
        rencontre=rencontre, position=position, title=title, planned_minutes=planned_minutes
    )
    broadcast_state_on_commit(rencontre.id, roles=("control",))
    return step


@transaction.atomic
def step_move(*, step: Step, offset: int) -> None:
    """Move a step earlier (-1) or later (+1) in the agenda."""
    steps = list(Step.objects.filter(rencontre_id=step.rencontre_id).order_by("position", "id"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    target = index + offset
    if not 0 <= target < len(steps):
        return
    steps[index], steps[target] = steps[target], steps[index]
    for position, item in enumerate(steps):
        Step.objects.filter(pk=item.pk).update(position=position)
    broadcast_state_on_commit(step.rencontre_id)


@transaction.atomic
def step_delete(*, step: Step) -> None:
    """Remove a step with its activities. The step on screen cannot be removed."""
    rencontre = Rencontre.objects.select_for_update().get(pk=step.rencontre_id)
    if rencontre.current_activity is not None and rencontre.current_activity.step_id == step.pk:
        raise ValueError("The current step cannot be removed")
    step.delete()
    broadcast_state_on_commit(rencontre.id, roles=("control",))


@transaction.atomic
def activity_config_set(*, activity: Activity, **values) -> None:
    """Set display settings of an activity (a spotlight...), None removing a key.
    Side effects: the wall and the panel update."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    for key, value in values.items():
        if value is None:
            activity.config.pop(key, None)
        else:
            activity.config[key] = value
    activity.save(update_fields=["config"])
    broadcast_state_on_commit(activity.step.rencontre_id, roles=("screen", "control"))


# ---------------------------------------------------------------- presence heartbeat


def participant_seen(*, participant_id: int) -> None:
    """Note that a phone of this participant is alive now (its socket opened or pinged).
    Side effects: none beyond the timestamp; counts move when screens next refresh."""
    Participant.objects.filter(pk=participant_id).update(last_seen=timezone.now())


def presence_reset() -> int:
    """Forget every open-socket count: called when the only process serving sockets starts,
    so phones left "connected" by a crash are not counted. Returns how many were reset."""
    return Participant.objects.filter(sockets__gt=0).update(sockets=0)


# ---------------------------------------------------------------- end, retention, erasure


@transaction.atomic
def rencontre_end(*, rencontre: Rencontre, now: dt.datetime | None = None) -> bool:
    """End the rencontre: joins and answers close for good, the countdown and the QR code go,
    and the retention period starts. Returns whether it was still running.
    Side effects: every phone, screen and control panel updates (the wall says it ended)."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    if rencontre.ended_at is not None:
        return False
    rencontre.status = Rencontre.Status.CLOSED
    rencontre.ended_at = now or timezone.now()
    rencontre.timer_ends_at = None
    rencontre.timer_remaining = None
    rencontre.qr_visible = False
    rencontre.save(
        update_fields=["status", "ended_at", "timer_ends_at", "timer_remaining", "qr_visible"]
    )
    broadcast_state_on_commit(rencontre.id)
    return True


@transaction.atomic
def participant_erase(*, participant: Participant) -> list[str]:
    """Delete a participant at their own request, with everything that points to them
    (answers and their words, priorities, actions and the supports they received, supports
    given, seat, map links). Returns what was deleted, as lines for the participant.
    Side effects: the participant's personal link and phone cookie stop working; screens and
    control panels update their counts and results."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    deleted = kept_records(participant).lines
    rencontre_id = participant.rencontre_id
    participant.delete()
    broadcast_state_on_commit(rencontre_id)
    return deleted


@transaction.atomic
def participant_contact_set(
    *,
    participant: Participant,
    email: str,
    email_consent: bool,
    contact: str,
    contact_consent: bool,
) -> Participant:
    """Keep (or clear) the participant's optional e-mail and contact with their consents.
    An e-mail or a contact without its consent is not kept. Side effects: none beyond the row; the
    partners' pages and sheets read it from then on."""
    participant.email = email if email_consent else ""
    participant.email_consent = bool(email and email_consent)
    participant.contact = contact if contact_consent else ""
    participant.contact_consent = contact_consent
    participant.save(update_fields=["email", "email_consent", "contact", "contact_consent"])
    return participant


@dataclass
class PurgeReport:
    rencontres: int = 0
    participants: int = 0
    records: int = 0
    files: int = 0


def _scrub_value(value, participant: Participant):
    if isinstance(value, str):
        return scrub(value, participant)
    if isinstance(value, list):
        return [_scrub_value(v, participant) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, participant) for k, v in value.items()}
    return value


def _scrub_records(rencontre: Rencontre, participants: dict[int, Participant]) -> int:
    """In every record that points to a participant of the rencontre (answers, priorities,
    actions... of any app), replace the author's name and organisation by their actor type
    in the free texts. Returns how many records changed."""
    changed = 0
    for rel in personal_relations():
        model = rel.related_model
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
            and not f.unique
        ]
        if not fields:
            continue
        rows = list(
            model._default_manager.filter(**{f"{rel.field.name}__rencontre": rencontre}).only(
                "pk", rel.field.name, *(f.name for f in fields)
            )
        )
        updated = []
        for row in rows:
            author = participants[getattr(row, rel.field.attname)]
            dirty = False
            for f in fields:
                value = getattr(row, f.attname)
                new = _scrub_value(value, author)
                if isinstance(new, str) and f.max_length:
                    new = new[: f.max_length]
                if new != value:
                    setattr(row, f.attname, new)
                    dirty = True
            if dirty:
                updated.append(row)
        if updated:
            model._default_manager.bulk_update(updated, [f.name for f in fields], batch_size=500)
        changed += len(updated)
    return changed


def _anonymise(rencontre: Rencontre, now: dt.datetime) -> tuple[int, int]:
    """Anonymise the rencontre's participants: their name and organisation are removed from
    the free texts of their records, then blanked with their e-mail and contact; each gets a new token (old links and
    cookies stop working) and keeps only an actor type. Answers, priorities and actions stay,
    tied to these anonymous participants, so the debrief's counts and results are unchanged.
    Returns (participants, records changed)."""
    participants = {p.pk: p for p in Participant.objects.filter(rencontre=rencontre)}
    changed = _scrub_records(rencontre, participants)
    for participant in participants.values():
        participant.name = ""
        participant.organisation = ""
        participant.listed = False
        participant.sockets = 0
        participant.token = new_participant_token()
        participant.email, participant.email_consent = "", False
        participant.contact, participant.contact_consent = "", False
    Participant.objects.bulk_update(
        participants.values(),
        [
            "name",
            "organisation",
            "listed",
            "sockets",
            "token",
            "email",
            "email_consent",
            "contact",
            "contact_consent",
        ],
        batch_size=500,
    )
    rencontre.status = Rencontre.Status.CLOSED
    rencontre.ended_at = rencontre.ended_at or now
    rencontre.purged_at = now
    rencontre.qr_visible = False
    rencontre.save(update_fields=["status", "ended_at", "purged_at", "qr_visible"])
    return len(participants), changed


def _purge_uploads(before: dt.datetime) -> int:
    """Delete uploaded files left in IMPORT_DIR (an import that never finished) that are
    older than `before`."""
    folder = Path(settings.IMPORT_DIR)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < before.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def rencontres_purge(*, now: dt.datetime) -> PurgeReport:
    """Apply the retention period: every rencontre ended more than `settings.RETENTION_DAYS`
    ago and not yet purged is anonymised (see `_anonymise`), one transaction per rencontre;
    leftover uploaded files older than the period are deleted. Safe to run again (daily).
    Side effects: as `_anonymise`, files removed from IMPORT_DIR, the rencontre's PDF
    debriefs removed from DEBRIEF_DIR."""
    limit = now - dt.timedelta(days=settings.RETENTION_DAYS)
    due = Rencontre.objects.filter(purged_at__isnull=True).filter(
        models.Q(ended_at__lt=limit)
        | models.Q(ended_at__isnull=True, date__lt=timezone.localdate(limit))
    )
    report = PurgeReport()
    for rencontre_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            rencontre = Rencontre.objects.select_for_update().get(pk=rencontre_id)
            if rencontre.purged_at is not None:
                continue
            participants, records = _anonymise(rencontre, now)
        # Its PDF debriefs name the listed participants: the next one is made anonymised.
        shutil.rmtree(Path(settings.DEBRIEF_DIR) / str(rencontre_id), ignore_errors=True)
        report.rencontres += 1
        report.participants += participants
        report.records += records
    report.files = _purge_uploads(limit)
    return report


# ---------------------------------------------------------------- the room: wall and attendance


def new_screen_secret() -> str:
    return secrets.token_urlsafe(18)


@transaction.atomic
def screen_link_create(*, rencontre: Rencontre) -> str:
    """Give the rencontre a read-only wall link (a new secret, replacing any previous one:
    the old link stops working). Returns the secret.
    Side effects: walls opened with the old secret are closed."""
    rencontre = Rencontre.objects.select_for_update().get(pk=rencontre.pk)
    had_secret = bool(rencontre.screen_secret)
    rencontre.screen_secret = new_screen_secret()
    rencontre.save(update_fields=["screen_secret"])
    if had_secret:
        close_screen_links_on_commit(rencontre.id)
    return rencontre.screen_secret


@transaction.atomic
def screen_link_revoke(*, rencontre: Rencontre) -> bool:
    """Revoke the read-only wall link. Returns whether there was one.
    Side effects: walls opened with it are closed at once (their page says access was
    refused)."""
    updated = (
        Rencontre.objects.filter(pk=rencontre.pk).exclude(screen_secret="").update(screen_secret="")
    )
    if updated:
        close_screen_links_on_commit(rencontre.id)
    return bool(updated)


@transaction.atomic
def screen_blank_set(*, rencontre: Rencontre, blanked: bool) -> None:
    """Blank the wall (a presenter's "B" key) or show it again; the next move shows it too.
    Side effects: screens and control panels update."""
    Rencontre.objects.filter(pk=rencontre.pk).update(screen_blanked=blanked)
    broadcast_state_on_commit(rencontre.id, roles=("screen", "control"))


@transaction.atomic
def participant_set_absent(*, participant: Participant, absent: bool) -> bool:
    """Mark a participant as gone from the room (or back): an absent participant keeps their
    answers but is not counted in the presence counts. Returns whether anything changed.
    Side effects: screens and control panels refresh their counts."""
    updated = (
        Participant.objects.filter(pk=participant.pk).exclude(absent=absent).update(absent=absent)
    )
    if updated:
        broadcast_state_on_commit(participant.rencontre_id, roles=("screen", "control"))
    return bool(updated)


# ---------------------------------------------------------------- agenda templates

logger = logging.getLogger(__name__)


class TemplateRefused(Exception):
    """A template (or the agenda it would store) does not pass the checks: `errors` are the
    French reasons, each naming its step and activity."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@transaction.atomic
def agenda_templates_sync() -> list[str]:
    """Store the shipped files of `settings.AGENDA_LIBRARY_DIR` as templates without owner.

    Side effects: creates or updates one template per valid file (by the file's name);
    deletes the shipped templates whose file is gone. A refused file changes nothing (its
    previous version, if any, stays). Returns the refusals, "file.json : reason" each."""
    problems: list[str] = []
    slugs = []
    for path in agenda_templates.shipped_files():
        slugs.append(path.stem)
        checked = agenda_templates.read_file(path)
        if not checked.ok:
            problems += [f"{path.name} : {error}" for error in checked.errors]
            continue
        AgendaTemplate.objects.update_or_create(owner=None, slug=path.stem, defaults=checked.fields)
    AgendaTemplate.objects.filter(owner=None).exclude(slug__in=slugs).delete()
    return problems


def agenda_templates_on_migrate(sender, apps=None, **kwargs) -> None:
    """`post_migrate` receiver (connected in `WorkshopsConfig.ready()`, as Django's content
    types are): every `migrate` of a deployment, and every flush of a test database, brings
    the shipped files in. A refused file is logged with its reasons, never fatal."""
    if apps is not None:
        try:
            apps.get_model("workshops", "AgendaTemplate")
        except LookupError:  # migrated backwards, before the table existed
            return
    for problem in agenda_templates_sync():
        logger.warning("Modèle de rencontre refusé : %s", problem)


def rencontre_create_from_template(
    *,
    template: AgendaTemplate,
    title: str,
    date: dt.date,
    place: str = "",
    territory_name: str = "",
    facilitator: AbstractBaseUser,
    language: str = settings.LANGUAGE_CODE,
) -> Rencontre:
    """Create a rencontre on a template's agenda, checked again against the kinds installed
    now. Raises TemplateRefused (nothing created) when it no longer passes.

    Side effects: those of `rencontre_create`."""
    steps, errors = agenda_templates.check_steps(template.agenda)
    if errors:
        raise TemplateRefused(errors)
    return rencontre_create(
        title=title,
        date=date,
        place=place,
        territory_name=territory_name,
        facilitator=facilitator,
        language=language,
        agenda=steps,
    )


def rencontre_duplicate(
    *,
    source: Rencontre,
    title: str,
    date: dt.date,
    place: str = "",
    territory_name: str = "",
    facilitator: AbstractBaseUser,
    language: str = settings.LANGUAGE_CODE,
) -> Rencontre:
    """A new rencontre on a copy of `source`'s agenda: its steps and activities with their
    settings and planned durations; no participant, answer, timing, wall link, nor the state
    an activity kept while it ran (`agenda_templates.settings_only`).

    Side effects: those of `rencontre_create` (only `facilitator` runs the copy)."""
    return rencontre_create(
        title=title,
        date=date,
        place=place,
        territory_name=territory_name,
        facilitator=facilitator,
        language=language,
        agenda=agenda_templates.settings_only(agenda_templates.agenda_of(source)),
    )


@transaction.atomic
def agenda_template_save(
    *, rencontre: Rencontre, owner: AbstractBaseUser, name: str, description: str = ""
) -> AgendaTemplate:
    """Save a rencontre's agenda as a template of `owner`'s (only they see it).

    Side effects: creates the template. Raises TemplateRefused (nothing created) when an
    activity's settings do not pass its kind's checks (an activity left incomplete)."""
    checked = agenda_templates.check_template(
        {
            "name": name,
            "description": description,
            "language": rencontre.language,
            "steps": agenda_templates.agenda_of(rencontre),
        }
    )
    if not checked.ok:
        raise TemplateRefused(checked.errors)
    return AgendaTemplate.objects.create(owner=owner, **checked.fields)


@transaction.atomic
def agenda_template_delete(*, template: AgendaTemplate) -> None:
    """Delete an organiser's own template (shipped ones come back from their files: refused).

    Side effects: deletes the template; rencontres made from it keep their agenda."""
    if template.owner_id is None:
        raise ValueError("A shipped template is deleted by removing its file")
    template.delete()


# ---------------------------------------------------------------- the debrief's settings


@transaction.atomic
def debrief_settings_save(
    *,
    rencontre: Rencontre,
    key_messages: list[str],
    show_figures: bool,
    show_key_messages: bool,
    show_highlights: bool,
    show_agenda: bool,
    show_participants: bool,
    hidden_steps: list[int],
) -> DebriefSettings:
    """Save what the PDF debrief carries. An empty `key_messages` goes back to the messages
    the synthesis suggests. Side effects: the rencontre's DebriefSettings row (the next PDF's
    fingerprint changes with it, so a cached PDF is not reused)."""
    found, _created = DebriefSettings.objects.update_or_create(
        rencontre=rencontre,
        defaults={
            "key_messages": list(key_messages),
            "show_figures": show_figures,
            "show_key_messages": show_key_messages,
            "show_highlights": show_highlights,
            "show_agenda": show_agenda,
            "show_participants": show_participants,
            "hidden_steps": sorted(set(hidden_steps)),
        },
    )
    return found


def _unlink_on_commit(paths: list[Path]) -> None:
    def unlink() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)


@transaction.atomic
def debrief_logo_add(
    *,
    rencontre: Rencontre,
    role: str,
    name: str,
    content: bytes,
    extension: str,
    width: int,
    height: int,
) -> DebriefLogo:
    """Keep a logo (already checked and re-encoded) for the PDF's cover, under a random name.
    The organiser's logo replaces the previous one. Side effects: a file under
    DEBRIEF_DIR/logos/<rencontre id>/; a DebriefLogo row; the replaced logo's row deleted and
    its file removed after the commit."""
    Rencontre.objects.select_for_update().filter(pk=rencontre.pk).first()
    logo = DebriefLogo(
        rencontre=rencontre,
        role=role,
        name=name,
        filename=f"{rencontre.pk}/{secrets.token_hex(16)}.{extension}",
        width=width,
        height=height,
    )
    logo.path.parent.mkdir(parents=True, exist_ok=True)
    partial = logo.path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(logo.path)
    try:
        replaced = []
        if role == DebriefLogo.Role.ORGANISER:
            earlier = list(rencontre.logos.filter(role=DebriefLogo.Role.ORGANISER))
            replaced = [old.path for old in earlier]
            DebriefLogo.objects.filter(pk__in=[old.pk for old in earlier]).delete()
        logo.save()
    except Exception:
        logo.path.unlink(missing_ok=True)
        raise
    _unlink_on_commit(replaced)
    return logo


@transaction.atomic
def debrief_logo_remove(*, logo: DebriefLogo) -> None:
    """Take a logo off the PDF's cover. Side effects: its row deleted, its file removed after
    the commit."""
    path = logo.path
    DebriefLogo.objects.filter(pk=logo.pk).delete()
    _unlink_on_commit([path])
