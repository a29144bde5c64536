"""French typography for displayed text: a narrow no-break space before ? ! ; : and inside
« », so a question mark never starts a line on the wall."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NNBSP = "\u202f"
_BEFORE = re.compile(r"\s+([?!;:»])")
_AFTER = re.compile(r"(«)\s+")


@register.filter(is_safe=True)
def fr(value: object) -> SafeString:
    text = str(conditional_escape(value))
    text = _BEFORE.sub(NNBSP + r"\1", text)
    return mark_safe(_AFTER.sub(r"\1" + NNBSP, text))
