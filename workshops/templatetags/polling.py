"""`{% load polling %}`: the polling intervals of settings.LIVE_POLL_SECONDS, in templates."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


def _milliseconds(name: str) -> int:
    return round(settings.LIVE_POLL_SECONDS[name] * 1000)


@register.simple_tag
def poll_every(name: str) -> str:
    """`hx-trigger="{% poll_every 'others' %}"`: "every 20s" (whole seconds as such, else ms)."""
    ms = _milliseconds(name)
    return f"every {ms // 1000}s" if ms % 1000 == 0 else f"every {ms}ms"


@register.simple_tag
def poll_ms(name: str) -> int:
    """`data-poll-ms="{% poll_ms 'fallback_poll' %}"`: the interval in milliseconds, for scripts."""
    return _milliseconds(name)
