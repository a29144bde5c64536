"""WebSocket consumers, one per role. Thin: authorise, join the group, send the full state on
connect, forward pushes, and coalesce refreshes. Sockets only ever push; writes go over HTTP.

The only frame a client may send is a ping (`static/js/live.js`, every 30 s). A ping costs a
version check, not a render: the full state is sent again only when the live state changed
since the last push this socket received (a push lost while the channel layer was down). Pings
closer than `PING_MIN_SECONDS` are ignored, any other frame is ignored, and a client sending
more than `MAX_FRAMES` frames in `FRAME_WINDOW_SECONDS` is closed with `CLOSE_TOO_MANY`, as is
a phone opening more than `CONNECTS_PER_MINUTE` sockets in a minute (each costs a render).
"""

from __future__ import annotations

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.core.cache import cache

from workshops import access, rendering, services
from workshops.live import group_name, mark_language, state_version

logger = logging.getLogger(__name__)

# A refresh waits this long for more changes before re-rendering: a burst of answers costs the
# wall two renders a second and the panel one, each showing the exact totals at that moment.
COALESCE_SECONDS = settings.LIVE_COALESCE_SECONDS  # {"screen": 0.5, "control": 1.0}
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429  # the page waits before reconnecting
PING = "ping"
PING_MIN_SECONDS = 5.0
FRAME_WINDOW_SECONDS = 10.0
MAX_FRAMES = 20
# A phone's last sighting is written at most this often (the ping comes every 30 s).
SEEN_WRITE_SECONDS = 55.0
CONNECTS_PER_MINUTE = 30
# With a shared layer, a socket renews the mark of its language at most this often (the mark
# lives workshops.live.LANGUAGE_MARK_SECONDS).
LANGUAGE_MARK_RENEW_SECONDS = 50.0

_presence_reset_done = False


def _reset_presence_once(channel_layer) -> None:
    """With the in-memory layer this process serves every socket: open-socket counts found
    before its first connection are ghosts of a previous run (a crash, kill -9)."""
    global _presence_reset_done
    if _presence_reset_done:
        return
    _presence_reset_done = True
    if isinstance(channel_layer, InMemoryChannelLayer):
        services.presence_reset()


class RoleConsumer(AsyncWebsocketConsumer):
    role: str = ""
    coalesce_seconds: float = 0.5

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        self.rencontre_id: int | None = None
        self.participant_id: int | None = None
        self.pending_parts: set[str] = set()
        self.flush_task: asyncio.Task | None = None
        self.frames: list[float] = []
        self.last_ping = 0.0
        self.last_seen_write = 0.0
        self.version = ""
        self.closing = False
        # The page's language (its reader's; the wall's rencontre's is applied by the renderer).
        self.language = access.language_from_scope(self.scope)
        self.last_mark = 0.0
        allowed = await database_sync_to_async(self.authorize)(code)
        await self.accept()
        if not allowed:
            # Accept then close with a code of our own: the page says why instead of retrying.
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if self.participant_id is not None and await sync_to_async(self.reconnecting_too_often)():
            logger.warning(
                "Phone socket of participant %s refused: too many connections", self.participant_id
            )
            self.closing = True
            await self.close(code=CLOSE_TOO_MANY)
            self.rencontre_id = None  # nothing to undo on disconnect
            return
        self.group = group_name(self.rencontre_id, self.role, self.language)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.mark_language(time.monotonic())
        if self.participant_id is not None:
            await database_sync_to_async(self.open_presence)()
            self.last_seen_write = time.monotonic()
        await self.send_full_state()

    def authorize(self, code: str) -> bool:
        raise NotImplementedError

    def reconnecting_too_often(self) -> bool:
        key = f"ws-connect:{self.participant_id}"  # a minute from the first connection
        try:
            if cache.add(key, 1, timeout=60):
                return False
            return cache.incr(key) > CONNECTS_PER_MINUTE
        except Exception:  # a cache failure must not keep phones out
            logger.exception("Connection counter unavailable")
            return False

    def open_presence(self) -> None:
        _reset_presence_once(self.channel_layer)
        services.participant_socket_change(
            participant_id=self.participant_id, delta=1, language=self.language
        )

    async def mark_language(self, now: float) -> None:
        """Say this socket's language is present, so that pushes are rendered in it (renewed
        at the pings; nothing to do with the in-memory layer)."""
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            return
        if now - self.last_mark >= LANGUAGE_MARK_RENEW_SECONDS:
            self.last_mark = now
            await sync_to_async(mark_language)(self.rencontre_id, self.role, self.language)

    async def send_full_state(self) -> None:
        # Version first: if a change lands in between, the next ping sends it (never missed).
        self.version = await database_sync_to_async(state_version)(self.rencontre_id)
        html = await database_sync_to_async(rendering.render_state_for_role)(
            rencontre_id=self.rencontre_id, role=self.role, language=self.language
        )
        await self.send(text_data=html)

    async def disconnect(self, close_code: int) -> None:
        if self.rencontre_id is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.flush_task is not None:
            self.flush_task.cancel()
        if self.participant_id is not None:
            await database_sync_to_async(services.participant_socket_change)(
                participant_id=self.participant_id, delta=-1
            )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.rencontre_id is None or self.closing:
            return
        now = time.monotonic()
        self.frames = [t for t in self.frames if now - t < FRAME_WINDOW_SECONDS]
        self.frames.append(now)
        if len(self.frames) > MAX_FRAMES:
            logger.warning(
                "Socket %s of rencontre %s closed: %d frames in %.0f s",
                self.role,
                self.rencontre_id,
                len(self.frames),
                FRAME_WINDOW_SECONDS,
            )
            self.closing = True
            await self.close(code=CLOSE_TOO_MANY)
            return
        if text_data != PING or now - self.last_ping < PING_MIN_SECONDS:
            return
        self.last_ping = now
        await self.mark_language(now)
        if self.participant_id is not None and now - self.last_seen_write >= SEEN_WRITE_SECONDS:
            self.last_seen_write = now
            await database_sync_to_async(services.participant_seen)(
                participant_id=self.participant_id
            )
        current = await database_sync_to_async(state_version)(self.rencontre_id)
        if current != self.version:
            await self.send_full_state()

    async def push(self, event: dict) -> None:
        self.version = event.get("version", self.version)
        await self.send(text_data=event["html"])

    async def version_only(self, event: dict) -> None:
        self.version = event["version"]

    async def refresh(self, event: dict) -> None:
        self.pending_parts.update(event["parts"])
        if self.flush_task is None or self.flush_task.done():
            self.flush_task = asyncio.ensure_future(self.flush_later())

    async def flush_later(self) -> None:
        # Changes that arrive while a render runs are rendered next, so the last state shown
        # is always the exact one.
        while self.pending_parts:
            await asyncio.sleep(self.coalesce_seconds)
            parts, self.pending_parts = sorted(self.pending_parts), set()
            html = await database_sync_to_async(rendering.render_parts_by_id)(
                rencontre_id=self.rencontre_id, role=self.role, parts=parts, language=self.language
            )
            if html:
                await self.send(text_data=html)


class ParticipantConsumer(RoleConsumer):
    role = "phone"

    def authorize(self, code: str) -> bool:
        participant = access.participant_from_scope(self.scope, code)
        if participant is None:
            return False
        self.rencontre_id = participant.rencontre_id
        self.participant_id = participant.pk
        return True

    async def refresh(self, event: dict) -> None:  # phones get pushes only
        return


class FacilitatorConsumer(RoleConsumer):
    def authorize(self, code: str) -> bool:
        rencontre = access.rencontre_for_facilitator(self.scope.get("user"), code)
        if rencontre is None:
            return False
        self.rencontre_id = rencontre.pk
        return True


class ScreenConsumer(FacilitatorConsumer):
    """The wall: a facilitator's, or a room PC's opened with the read-only link's secret
    (closed as soon as that link is revoked or replaced)."""

    role = "screen"
    coalesce_seconds = COALESCE_SECONDS["screen"]
    by_secret = False

    def authorize(self, code: str) -> bool:
        secret = access.screen_secret_from_scope(self.scope)
        if secret is not None:
            rencontre = access.rencontre_for_screen_secret(code, secret)
            if rencontre is None:
                return False
            self.rencontre_id = rencontre.pk
            self.by_secret = True
            return True
        return super().authorize(code)

    async def link_revoked(self, event: dict) -> None:
        if self.by_secret and not self.closing:
            self.closing = True
            await self.close(code=CLOSE_FORBIDDEN)


class ControlConsumer(FacilitatorConsumer):
    role = "control"
    coalesce_seconds = COALESCE_SECONDS["control"]
