"""Reads of the session engine: the contexts of the control panel, the screen and the phones.

They are pure functions of the database (no request, no socket), so the same context serves
a page load, a WebSocket push and the PDF, and their query counts stay flat as the room grows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils import timezone

from workshops import kinds, rawsql
from workshops.kinds import Personal
from workshops.models import (
    Activity,
    ActorType,
    Answer,
    Participant,
    Rencontre,
    Step,
    normalize_code,
)


def rencontre_by_code(code: str) -> Rencontre | None:
    return Rencontre.objects.filter(code=normalize_code(code)).first()


def rencontres_for_user(user) -> list[Rencontre]:
    return list(
        Rencontre.objects.filter(facilitators=user).annotate(n_participants=Count("participants"))
    )


def is_facilitator(user, rencontre: Rencontre) -> bool:
    return bool(user.is_authenticated and rencontre.facilitators.filter(pk=user.pk).exists())


@dataclass(frozen=True)
class Timer:
    running: bool
    remaining: int  # seconds left now
    ends_at_ms: int | None  # epoch milliseconds when running

    @property
    def visible(self) -> bool:
        return self.running or self.remaining > 0

    @property
    def display(self) -> str:
        minutes, seconds = divmod(self.remaining, 60)
        return f"{minutes:02d}:{seconds:02d}"


def timer_state(rencontre: Rencontre) -> Timer:
    if rencontre.timer_ends_at is not None:
        remaining = max(0, int((rencontre.timer_ends_at - timezone.now()).total_seconds() + 0.999))
        return Timer(True, remaining, int(rencontre.timer_ends_at.timestamp() * 1000))
    return Timer(False, rencontre.timer_remaining or 0, None)


# A phone pings every 30 s and its last sighting is written at most once a minute, so a phone
# unseen for this long is gone (its server crashed, its socket died without a close).
PRESENCE_TIMEOUT_SECONDS = 150


def connected_q() -> Q:
    """Participants with an open socket seen recently: who is in the room now."""
    since = timezone.now() - dt.timedelta(seconds=PRESENCE_TIMEOUT_SECONDS)
    return Q(sockets__gt=0, last_seen__gte=since)


def presence(rencontre: Rencontre) -> dict[str, Any]:
    """The room's counts: `joined` (registered, "inscrits") and `connected` (a phone open
    now, "présents"). Participants the facilitator marked absent are in neither."""
    counts = Participant.objects.filter(rencontre=rencontre, absent=False).aggregate(
        joined=Count("id"), connected=Count("id", filter=connected_q())
    )
    return counts


def room_participants(rencontre: Rencontre) -> list[Participant]:
    """The participants for the panel's list, newest first, each with `is_connected`."""
    return list(
        Participant.objects.filter(rencontre=rencontre)
        .annotate(is_connected=ExpressionWrapper(connected_q(), output_field=BooleanField()))
        .order_by("-joined_at", "-id")
        .only("id", "name", "organisation", "actor_type", "absent", "joined_at")
    )


def presence_by_actor_type(rencontre: Rencontre) -> list[dict[str, Any]]:
    rows = dict(
        Participant.objects.filter(rencontre=rencontre)
        .values_list("actor_type")
        .annotate(n=Count("id"))
    )
    return [
        {"key": value, "label": label, "count": rows.get(value, 0)}
        for value, label in ActorType.choices
    ]


def current_activity(rencontre: Rencontre) -> Activity | None:
    if rencontre.current_activity_id is None:
        return None
    return Activity.objects.select_related("step").filter(pk=rencontre.current_activity_id).first()


def stage_version(activity: Activity | None) -> str:
    """Changes whenever what the phones' stage shows changes (activity, its text, settings,
    open or closed); equal versions let a reconnecting phone keep what is being typed."""
    if activity is None:
        return "none"
    kind = kinds.get(activity.kind)
    state = [
        activity.pk,
        activity.title,
        activity.body,
        activity.is_open,
        activity.config,
        activity.results_hidden,
        activity.by_actor_type,
        kind.stage_key(activity),
    ]
    return hashlib.sha1(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _activity_context(rencontre: Rencontre, activity: Activity | None, *, results: bool) -> dict:
    kind = kinds.get(activity.kind) if activity else None
    context: dict[str, Any] = {
        "rencontre": rencontre,
        "activity": activity,
        "kind": kind,
        "timer": timer_state(rencontre),
        "stage_version": stage_version(activity),
    }
    if results and activity is not None and kind.shows_results:
        context["results"] = kind.results(activity)
    return context


@dataclass(frozen=True)
class OwnParts:
    """Which phones fetch their own part after a move, as a compact bit set of participant
    ids (`bits`: base64, bit i for participant `base + i`) so a push to 1,000 phones stays
    small; `everyone` when the kind cannot tell. The fetches are spread over `spread_ms`."""

    everyone: bool
    base: int = 0
    bits: str = ""
    count: int = 0

    # A phone fetches within this many milliseconds per fetching phone (at most 3 s): a few
    # hundred requests a second at most, whatever the size of the room.
    SPREAD_PER_PHONE_MS: ClassVar[int] = 4
    MAX_SPREAD_MS: ClassVar[int] = 3000

    @classmethod
    def of(cls, ids: Collection[int] | None, *, everyone_count: int) -> OwnParts:
        if ids is None:
            return cls(everyone=True, count=everyone_count)
        ids = sorted(set(ids))
        if not ids:
            return cls(everyone=False)
        base = ids[0]
        mask = bytearray((ids[-1] - base) // 8 + 1)
        for pid in ids:
            offset = pid - base
            mask[offset // 8] |= 1 << (offset % 8)
        return cls(False, base, base64.b64encode(bytes(mask)).decode(), len(ids))

    def has(self, participant_id: int) -> bool:
        if self.everyone:
            return True
        offset = participant_id - self.base
        mask = base64.b64decode(self.bits) if self.bits else b""
        return 0 <= offset < len(mask) * 8 and bool(mask[offset // 8] >> (offset % 8) & 1)

    @property
    def spread_ms(self) -> int:
        return min(self.MAX_SPREAD_MS, self.SPREAD_PER_PHONE_MS * self.count)


def phone_context(rencontre: Rencontre) -> dict[str, Any]:
    """What every phone of the rencontre shows now (nothing personal: rendered once for all).

    For a kind whose phones have an own part, it carries the blank part (what a phone with
    nothing of its own sees) and which phones must fetch theirs (`own`)."""
    activity = current_activity(rencontre)
    context = _activity_context(rencontre, activity, results=False)
    kind = context["kind"]
    if activity is not None and kind.has_phone_part:
        activity.step.rencontre = rencontre
        ids = kind.participants_with_own_part(activity)
        joined = Participant.objects.filter(rencontre=rencontre).count() if ids is None else 0
        context["own"] = OwnParts.of(ids, everyone_count=joined)
        if ids is not None:
            context["blank_part"] = Personal(
                kind.partial("mine"), kind.phone_context(activity, None)
            )
    return context


def own_part(activity: Activity, participant: Participant) -> Personal | None:
    """The participant's own part of the activity, rendered into their page on a load."""
    kind = kinds.get(activity.kind)
    if not kind.has_phone_part:
        return None
    return Personal(kind.partial("mine"), kind.phone_context(activity, participant))


def screen_context(rencontre: Rencontre) -> dict[str, Any]:
    """What the projector shows now: the activity with its results, timer, QR, counts."""
    context = _activity_context(rencontre, current_activity(rencontre), results=True)
    context["presence"] = presence(rencontre)
    return context


def agenda(rencontre: Rencontre) -> list[Step]:
    steps = list(rencontre.steps.prefetch_related("activities"))
    return steps


def control_context(rencontre: Rencontre) -> dict[str, Any]:
    """The control panel: the screen's context plus the agenda with planned and actual times."""
    context = screen_context(rencontre)
    steps = agenda(rencontre)
    participants = room_participants(rencontre)
    ordered = [a for step in steps for a in step.activities.all()]
    ids = [a.pk for a in ordered]
    index = ids.index(rencontre.current_activity_id) if rencontre.current_activity_id in ids else -1
    context.update(
        {
            "steps": steps,
            "has_previous": index > 0,
            "has_next": 0 <= index < len(ordered) - 1 or (index == -1 and bool(ordered)),
            "next_activity": ordered[index + 1] if index + 1 < len(ordered) else None,
            "planned_total": sum(step.planned_minutes for step in steps),
            "participants": participants,
            "n_absent": sum(1 for p in participants if p.absent),
        }
    )
    return context


ANSWER_MEMO = "_saved_answers"


def remember_answer(participant: Participant, activity_id: int, data: dict) -> None:
    """Keep what was just saved on this participant object, so that the part rendered in
    answer to the same request reads it instead of querying it again (read once)."""
    participant.__dict__.setdefault(ANSWER_MEMO, {})[activity_id] = data


_SAVED_ANSWER: dict[str, str] = {}


def saved_answer(activity: Activity, participant: Participant) -> dict[str, Any] | None:
    """The participant's saved answer to an activity (None when none), for kinds that keep
    one answer each in `Answer.data`.

    Read on every tap: `Answer.objects.filter(activity=activity, participant=participant)
    .values_list("data", flat=True).first()` as one statement written once (`rawsql`)."""
    memo = participant.__dict__.get(ANSWER_MEMO)
    if memo and activity.pk in memo:
        return dict(memo.pop(activity.pk))
    sql = _SAVED_ANSWER.get(connection.vendor)
    if sql is None:
        sql = _SAVED_ANSWER[connection.vendor] = (
            f"SELECT {rawsql.column(Answer, 'data')} FROM {rawsql.table(Answer)}"
            f" WHERE {rawsql.column(Answer, 'activity')} = %s"
            f" AND {rawsql.column(Answer, 'participant')} = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [activity.pk, participant.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(rawsql.convert(Answer._meta.get_field("data"), row[0]))


PHONE_ACTIVITY = (
    rawsql.Columns(Activity, "a"),
    rawsql.Columns(Step, "s"),
    rawsql.Columns(Rencontre, "r"),
    rawsql.Columns(Participant, "p"),
)
_PHONE_ACTIVITY: dict[tuple[str, int], str] = {}


def phone_activity(
    *, activity_id: int, code: str, tokens: dict[int, str]
) -> tuple[Activity | None, Participant | None]:
    """A phone's request about one activity, in one statement: the activity of the rencontre
    of this code (with its step and rencontre loaded), and the participant whose token the
    phone holds for that rencontre (`tokens`: rencontre id → token, from its valid cookies);
    None for either when there is none.

    The ORM's `Activity.objects.filter(pk=activity_id, step__rencontre__code=code)
    .select_related("step__rencontre").first()` then `Participant.objects.filter(
    rencontre=rencontre, token=token).first()`, written once (`rawsql`)."""
    low, high = connection.ops.integer_field_range("BigAutoField")
    if not low <= activity_id <= high:  # no such row (the ORM answers so too)
        return None, None
    candidates = sorted(set(tokens.values()))
    key = (connection.vendor, len(candidates))
    sql = _PHONE_ACTIVITY.get(key)
    if sql is None:
        activity, step, rencontre, participant = PHONE_ACTIVITY
        col = rawsql.column
        match = (
            f"p.{col(Participant, 'token')} IN ({', '.join(['%s'] * len(candidates))})"
            if candidates
            else "1 = 0"
        )
        sql = (
            f"SELECT {', '.join(c.sql() for c in PHONE_ACTIVITY)}"
            f" FROM {activity.table()}"
            f" INNER JOIN {step.table()} ON s.{col(Step, 'id')} = a.{col(Activity, 'step')}"
            f" INNER JOIN {rencontre.table()}"
            f" ON r.{col(Rencontre, 'id')} = s.{col(Step, 'rencontre')}"
            f" LEFT OUTER JOIN {participant.table()}"
            f" ON p.{col(Participant, 'rencontre')} = r.{col(Rencontre, 'id')} AND {match}"
            f" WHERE a.{col(Activity, 'id')} = %s AND r.{col(Rencontre, 'code')} = %s"
        )
        if len(candidates) < 2:  # the common cases; more cookies than one are rare
            _PHONE_ACTIVITY[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [*candidates, activity_id, normalize_code(code)])
        rows = cursor.fetchall()
    if not rows:
        return None, None
    found: Participant | None = None
    for row in rows:
        values, parts = list(row), []
        for columns in PHONE_ACTIVITY:
            parts.append(columns.instance(values[: len(columns)]))
            del values[: len(columns)]
        activity, step, rencontre, participant = parts
        if participant is not None and participant.token == tokens.get(rencontre.pk):
            found = participant
    step.rencontre = rencontre
    activity.step = step
    if found is not None:
        found.rencontre = rencontre
    return activity, found


def answer_data(activity: Activity, participant: Participant) -> dict[str, Any]:
    """`saved_answer`, {} when none."""
    return saved_answer(activity, participant) or {}


def answer_saved(activity: Activity, participant: Participant) -> bool:
    return Answer.objects.filter(activity=activity, participant=participant).exists()
