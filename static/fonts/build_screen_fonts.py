"""Build the projector's fonts from the shipped Source Sans 3 TTF files.

Writes, next to this file:
- `source-sans-3/SourceSans3-<Weight>.screen.woff2`: subsets (Latin, French punctuation) loaded
  by the screen page only (static/css/screen.css), so the phones' pages do not grow;
- `source-sans-3/widths.json`: the advance width of every kept character, in em, per weight,
  read by the layouts that place text on the wall (the word cloud), so they measure the text
  the projector draws.

Run from the repository root after changing the character set or the font version:

    .venv/bin/pip install 'fonttools[woff]'
    .venv/bin/python static/fonts/build_screen_fonts.py

The outputs are committed; this script is not run by the application.
"""

from __future__ import annotations

import json
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent / "source-sans-3"
WEIGHTS = {"400": "Regular", "600": "Semibold", "700": "Bold"}
# Basic Latin, Latin-1, Œ œ Ÿ, thin and narrow no-break spaces, dashes, quotes, bullet,
# ellipsis, euro, arrow, minus, check mark.
RANGES = [
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x152, 0x153),
    (0x178, 0x178),
    (0x2009, 0x200B),
    (0x2010, 0x2014),
    (0x2018, 0x201E),
    (0x2022, 0x2022),
    (0x2026, 0x2026),
    (0x202F, 0x202F),
    (0x20AC, 0x20AC),
    (0x2192, 0x2192),
    (0x2212, 0x2212),
    (0x2713, 0x2713),
]


def main() -> None:
    codepoints = [c for low, high in RANGES for c in range(low, high + 1)]
    widths: dict[str, dict[str, float]] = {}
    for weight, name in WEIGHTS.items():
        source = HERE / f"SourceSans3-{name}.ttf"
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["kern", "liga", "lnum", "tnum"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(HERE / f"SourceSans3-{name}.screen.woff2"), options)

        ttf = TTFont(str(source))
        em = ttf["head"].unitsPerEm
        cmap, hmtx = ttf.getBestCmap(), ttf["hmtx"]
        widths[weight] = {chr(c): round(hmtx[cmap[c]][0] / em, 4) for c in codepoints if c in cmap}
    (HERE / "widths.json").write_text(
        json.dumps(widths, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
