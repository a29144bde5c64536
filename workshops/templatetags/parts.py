"""`{% render_part part %}`: a kind's `Personal` part (a template name and its context),
rendered inside the page's own context so its forms get the page's CSRF token."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from workshops.kinds import Personal

register = template.Library()


@register.simple_tag(takes_context=True)
def render_part(context: template.Context, part: Personal) -> SafeString:
    compiled = context.template.engine.get_template(part.template)
    with context.push(part.context):
        return compiled.render(context)
