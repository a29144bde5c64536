"""Realtime fan-out: group names and the one way to broadcast, after commit.

Two kinds of event travel on the channel layer:
- `push`: HTML already rendered once by the sender for a whole role; every consumer of the
  group forwards it as it is (a change shown to a thousand phones is rendered once).
- `refresh`: "this part changed"; screen and control consumers coalesce these and re-render
  the named parts at most a few times a second (bursts of answers, joins).
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from workshops.rendering import render_state_for_role

LIVE_ROLES = ("phone", "screen", "control")


def group_name(rencontre_id: int, role: str) -> str:
    if role not in LIVE_ROLES:
        raise ValueError(f"Unknown live role {role!r}")
    return f"rencontre.{rencontre_id}.{role}"


def _send(rencontre_id: int, roles: tuple[str, ...], message_for_role) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for role in roles:
        async_to_sync(layer.group_send)(group_name(rencontre_id, role), message_for_role(role))


def broadcast_state_on_commit(rencontre_id: int, roles: tuple[str, ...] = LIVE_ROLES) -> None:
    """After commit, render the live state once per role and push it to that role's group."""

    def send() -> None:
        html = {role: render_state_for_role(rencontre_id=rencontre_id, role=role) for role in roles}
        _send(rencontre_id, roles, lambda role: {"type": "push", "html": html[role]})

    transaction.on_commit(send)


def broadcast_refresh_on_commit(
    rencontre_id: int, parts: tuple[str, ...], roles: tuple[str, ...] = ("screen", "control")
) -> None:
    """After commit, tell screens and control panels that `parts` changed."""

    def send() -> None:
        _send(rencontre_id, roles, lambda role: {"type": "refresh", "parts": list(parts)})

    transaction.on_commit(send)
