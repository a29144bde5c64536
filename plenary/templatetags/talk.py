"""The talk's deck in its templates: `{% talk_deck activity as deck %}` (see
`plenary.selectors.talk_deck`), and a slide's address for a role (`{% slide_url ... %}`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from plenary import selectors
from plenary.models import Slide
from workshops import access
from workshops.models import Activity, Rencontre

register = template.Library()


@register.simple_tag
def talk_deck(activity: Activity) -> dict[str, Any]:
    return selectors.talk_deck(activity)


@register.simple_tag
def slide_url(rencontre: Rencontre, slide: Slide, *, wall: bool = False) -> str:
    """The slide's image. For the wall, with the read-only link's secret when there is one:
    the same push serves walls opened by a facilitator and walls opened by the link."""
    url = reverse("plenary:slide_image", args=[rencontre.code, slide.filename])
    if wall and rencontre.screen_secret:
        url += "?" + urlencode({access.SCREEN_KEY_PARAM: rencontre.screen_secret})
    return url
