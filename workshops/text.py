"""Text measured as the wall draws it: the layouts that place words (the word cloud, the
filière map) need the width of a label in the font the projector loads, Source Sans 3."""

from __future__ import annotations

import functools
import json

from django.conf import settings

FONT_WIDTHS = settings.BASE_DIR / "static" / "fonts" / "source-sans-3" / "widths.json"


@functools.cache
def _advances() -> dict[str, dict[str, float]]:
    return json.loads(FONT_WIDTHS.read_text(encoding="utf-8"))


def text_width(text: str, size: float, *, weight: int = 700) -> float:
    """The width of `text` drawn in Source Sans 3 (the font the wall loads) at `size`, from
    the advance widths of the shipped font (static/fonts/build_screen_fonts.py); a character
    outside the subset counts as wide as an "M"."""
    advances = _advances()[str(weight)]
    wide = advances["M"]
    return size * sum(advances.get(char, wide) for char in text)
