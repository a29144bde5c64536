from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """`{{ labels|get_item:key }}`: a dictionary lookup by a variable key."""
    return mapping.get(key, "")
