"""Typography for displayed text in the language being rendered: in French, a narrow no-break
space before ? ! ; : % and inside « », so a question mark never starts a line on the wall; in
English, none."""

from __future__ import annotations

import re

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

NNBSP = "\u202f"
_BEFORE = re.compile(r"\s+([?!;:»])")
_AFTER = re.compile(r"(«)\s+")


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


@register.filter(is_safe=True)
def fr(value: object) -> SafeString:
    text = str(conditional_escape(value))
    if not _french():
        return mark_safe(text)
    text = _BEFORE.sub(NNBSP + r"\1", text)
    return mark_safe(_AFTER.sub(r"\1" + NNBSP, text))


@register.filter(is_safe=True)
def percent(value: object) -> str:
    """A share rounded to the unit with its sign: "42 %" in French, "42%" in English."""
    number = floatformat(value, 0)
    return f"{number}{NNBSP}%" if _french() else f"{number}%"
