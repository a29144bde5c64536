"""Realtime fan-out: group names and the one way to broadcast, after commit.

Two kinds of event travel on the channel layer:
- `push`: HTML already rendered once by the sender for a whole role; every consumer of the
  group forwards it as it is (a change shown to a thousand phones is rendered once).
- `refresh`: "this part changed"; screen and control consumers coalesce these and re-render
  the named parts at most a few times a second (bursts of answers, joins).
- `version_only`: the state version, for the roles a push did not concern.

Phones and control panels speak their reader's language; each such role has one group per
language (`rencontre.<id>.phone.en`), and a push is rendered once for each language that has a
socket listening, not once per socket. The wall speaks the rencontre's language: one group.

A broadcast runs after the commit, so the write is saved whatever happens to it: if the layer
(Redis) is down, the failure is logged and the request still answers normally. Pushes carry a
version of the live state; sockets compare it on their periodic ping and send the full state
to a client that missed a push while the layer was down.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
import time

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from workshops import selectors
from workshops.models import Rencontre
from workshops.rendering import render_state_for_role

LIVE_ROLES = ("phone", "screen", "control")
# Leads every push: an HTML comment, which htmx ignores.
PUSH_STAMP = "<!--push {stamp}-->"

logger = logging.getLogger(__name__)


# Roles whose sockets each speak their reader's language; the others speak the rencontre's.
READER_LANGUAGE_ROLES = ("phone", "control")
# With a shared layer (Redis), a socket marks its language present for this long and renews the
# mark on its pings (every 30 s): a push is rendered for the languages marked.
LANGUAGE_MARK_SECONDS = 120


def languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def socket_language(role: str, language: str | None) -> str | None:
    """The language a socket of `role` is grouped by: its reader's, or None for the wall."""
    if role not in READER_LANGUAGE_ROLES:
        return None
    return language if language in languages() else settings.LANGUAGE_CODE


def group_name(rencontre_id: int, role: str, language: str | None = None) -> str:
    if role not in LIVE_ROLES:
        raise ValueError(f"Unknown live role {role!r}")
    language = socket_language(role, language)
    if language is None:
        return f"rencontre.{rencontre_id}.{role}"
    return f"rencontre.{rencontre_id}.{role}.{language}"


def role_groups(rencontre_id: int, role: str) -> list[tuple[str | None, str]]:
    """(language, group) of every group of `role`, listened to or not."""
    if role not in READER_LANGUAGE_ROLES:
        return [(None, group_name(rencontre_id, role))]
    return [(code, group_name(rencontre_id, role, code)) for code in languages()]


def _mark_key(rencontre_id: int, role: str, language: str) -> str:
    return f"live-language:{rencontre_id}:{role}:{language}"


def mark_language(rencontre_id: int, role: str, language: str | None) -> None:
    """A socket of `role` listens in `language` (shared layer only: the in-memory layer knows
    its groups)."""
    language = socket_language(role, language)
    if language is None or isinstance(get_channel_layer(), InMemoryChannelLayer):
        return
    try:
        cache.set(_mark_key(rencontre_id, role, language), 1, LANGUAGE_MARK_SECONDS)
    except Exception:  # a cache failure costs a render per language, never a missed push
        logger.exception("Language mark for rencontre %s not stored", rencontre_id)


def state_version(rencontre_id: int) -> str:
    """Changes whenever a push of the full state would show something else than the last one:
    the phones' stage (activity, text, settings, open or closed), the timer, the QR code."""
    rencontre = (
        Rencontre.objects.filter(pk=rencontre_id)
        .only(
            "current_activity_id",
            "qr_visible",
            "screen_blanked",
            "timer_ends_at",
            "timer_remaining",
        )
        .first()
    )
    if rencontre is None:
        return "gone"
    stage = selectors.stage_version(selectors.current_activity(rencontre))
    state = (
        f"{stage}|{rencontre.qr_visible}|{rencontre.screen_blanked}"
        f"|{rencontre.timer_ends_at}|{rencontre.timer_remaining}"
    )
    return hashlib.sha1(state.encode()).hexdigest()[:12]


def listening_groups(rencontre_id: int, role: str) -> list[tuple[str | None, str]]:
    """(language, group) of the groups of `role` that may hold a socket. With the in-memory
    layer, those this process holds a socket in: a write made outside the server (a management
    command) then renders nothing, there being nobody to show it to. With a shared layer, the
    wall's group and the languages marked present (all of them if the cache cannot say)."""
    layer = get_channel_layer()
    if layer is None:
        return []
    groups = role_groups(rencontre_id, role)
    if isinstance(layer, InMemoryChannelLayer):
        return [(language, group) for language, group in groups if layer.groups.get(group)]
    if role not in READER_LANGUAGE_ROLES:
        return groups
    try:
        marked = cache.get_many([_mark_key(rencontre_id, role, code) for code, _g in groups])
    except Exception:
        logger.exception("Language marks for rencontre %s not read", rencontre_id)
        return groups
    return [
        (code, group) for code, group in groups if _mark_key(rencontre_id, role, code) in marked
    ]


def _send(rencontre_id: int, roles: tuple[str, ...], message_for_group) -> None:
    """Send to every group of `roles`; `message_for_group(role, language)` makes each message
    (None: nothing for that group)."""
    layer = get_channel_layer()
    if layer is None or not roles:
        return
    messages = []
    for role in roles:
        for language, group in role_groups(rencontre_id, role):
            message = message_for_group(role, language)
            if message is not None:
                messages.append((group, message))

    async def send_all() -> None:
        for group, message in messages:
            await layer.group_send(group, message)

    # One hop to the event loop for every role: a tap costs one, not one per role.
    async_to_sync(send_all)()


# A burst of answers sends one refresh per gathering window and group, not one per answer.
REFRESH_GATHER_SECONDS = 0.05
_gathering: dict[tuple[int, tuple[str, ...]], set[str]] = {}
_gathering_lock = threading.Lock()
_sending: set[asyncio.Task] = set()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the server this code runs in: the running one in async code, the one
    that handed this thread a request in a view (asgiref's thread-local); None elsewhere (a
    management command, a test without a server)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(local, "main_event_loop", None)
    return loop if loop is not None and not loop.is_closed() else None


def _refresh_later(rencontre_id: int, parts: tuple[str, ...], roles: tuple[str, ...]) -> bool:
    """Gather `parts` for a short window on the server's loop, then send one refresh per role;
    the view does not wait for it. False when there is no server loop (send it now)."""
    loop = _server_loop()
    layer = get_channel_layer()
    if loop is None or layer is None:
        return False
    key = (rencontre_id, roles)
    with _gathering_lock:
        waiting = _gathering.get(key)
        if waiting is not None:  # a send is already due: it will carry these parts too
            waiting.update(parts)
            return True
        _gathering[key] = set(parts)

    async def send_all() -> None:
        with _gathering_lock:
            gathered = sorted(_gathering.pop(key, ()))
        try:
            for role in roles:
                message = {"type": "refresh", "parts": gathered}
                for _language, group in role_groups(rencontre_id, role):
                    await layer.group_send(group, message)
        except Exception:
            logger.exception("Live refresh for rencontre %s not sent", rencontre_id)

    def start() -> None:
        task = loop.create_task(send_all())
        _sending.add(task)
        task.add_done_callback(_sending.discard)

    loop.call_soon_threadsafe(loop.call_later, REFRESH_GATHER_SECONDS, start)
    return True


def _after_commit(rencontre_id: int, what: str, send) -> None:
    """Run `send` after the commit; a failure is logged, never raised: the write is saved, and
    clients catch up by version when the layer is back."""

    def run() -> None:
        try:
            send()
        except Exception:
            logger.exception("Live %s for rencontre %s not sent", what, rencontre_id)

    transaction.on_commit(run)


def broadcast_state_on_commit(rencontre_id: int, roles: tuple[str, ...] = LIVE_ROLES) -> None:
    """After commit, render the live state once per role and language listening, and push it
    to that role's group in that language."""

    def send() -> None:
        # When this render starts (microseconds): two commands a few milliseconds apart may
        # send their pushes in the reverse order of their renders; a page drops a push older
        # than the last it showed (static/js/live.js) instead of going back in time.
        stamp = time.time_ns() // 1000
        version = state_version(rencontre_id)
        html = {
            (role, language): PUSH_STAMP.format(stamp=stamp)
            + render_state_for_role(rencontre_id=rencontre_id, role=role, language=language)
            for role in roles
            for language, _group in listening_groups(rencontre_id, role)
        }

        def message(role: str, language: str | None) -> dict | None:
            if (role, language) in html:
                return {"type": "push", "html": html[role, language], "version": version}
            return None

        _send(rencontre_id, roles, message)
        # Roles not pushed (a change they do not show) learn the version, so that their next
        # ping does not take the change for a missed push.
        others = tuple(role for role in LIVE_ROLES if role not in roles)
        _send(
            rencontre_id,
            others,
            lambda role, language: {"type": "version_only", "version": version},
        )

    _after_commit(rencontre_id, "push", send)


def broadcast_refresh_on_commit(
    rencontre_id: int, parts: tuple[str, ...], roles: tuple[str, ...] = ("screen", "control")
) -> None:
    """After commit, tell screens and control panels that `parts` changed (gathered over
    REFRESH_GATHER_SECONDS when a server loop runs: a burst of taps costs one send)."""

    def send() -> None:
        if not _refresh_later(rencontre_id, parts, roles):
            _send(
                rencontre_id,
                roles,
                lambda role, language: {"type": "refresh", "parts": list(parts)},
            )

    _after_commit(rencontre_id, "refresh", send)


def close_screen_links_on_commit(rencontre_id: int) -> None:
    """After commit, close the wall sockets opened with the read-only link's secret (it was
    revoked or replaced); walls opened by a facilitator stay."""

    def send() -> None:
        _send(rencontre_id, ("screen",), lambda role, language: {"type": "link_revoked"})

    _after_commit(rencontre_id, "link revocation", send)
