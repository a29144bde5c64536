"""WebSocket consumers, one per role. Thin: authorise, join the group, send the full state on
connect, forward pushes, and coalesce refreshes. Sockets only ever push; writes go over HTTP.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from workshops import access, rendering, services
from workshops.live import group_name

# A refresh waits this long for more changes before re-rendering: bursts of answers cost a
# few renders a second, not one per answer.
COALESCE_SECONDS = 0.25
CLOSE_FORBIDDEN = 4403


class RoleConsumer(AsyncWebsocketConsumer):
    role: str = ""

    async def connect(self) -> None:
        code = self.scope["url_route"]["kwargs"]["code"]
        self.rencontre_id: int | None = None
        self.participant_id: int | None = None
        self.pending_parts: set[str] = set()
        self.flush_task: asyncio.Task | None = None
        allowed = await database_sync_to_async(self.authorize)(code)
        await self.accept()
        if not allowed:
            # Accept then close with a code of our own: the page says why instead of retrying.
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = group_name(self.rencontre_id, self.role)
        await self.channel_layer.group_add(self.group, self.channel_name)
        if self.participant_id is not None:
            await database_sync_to_async(services.participant_socket_change)(
                participant_id=self.participant_id, delta=1
            )
        html = await database_sync_to_async(rendering.render_state_for_role)(
            rencontre_id=self.rencontre_id, role=self.role
        )
        await self.send(text_data=html)

    def authorize(self, code: str) -> bool:
        raise NotImplementedError

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
        # Clients only send a liveness ping; answer with the full state (cheap, idempotent).
        html = await database_sync_to_async(rendering.render_state_for_role)(
            rencontre_id=self.rencontre_id, role=self.role
        )
        await self.send(text_data=html)

    async def push(self, event: dict) -> None:
        await self.send(text_data=event["html"])

    async def refresh(self, event: dict) -> None:
        self.pending_parts.update(event["parts"])
        if self.flush_task is None or self.flush_task.done():
            self.flush_task = asyncio.ensure_future(self.flush_later())

    async def flush_later(self) -> None:
        await asyncio.sleep(COALESCE_SECONDS)
        parts, self.pending_parts = sorted(self.pending_parts), set()
        html = await database_sync_to_async(rendering.render_parts_by_id)(
            rencontre_id=self.rencontre_id, role=self.role, parts=parts
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
    role = "screen"


class ControlConsumer(FacilitatorConsumer):
    role = "control"
