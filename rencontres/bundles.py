"""Static files served as one file made of several, so that a phone's first load costs few
requests on venue wifi.

`BundleFinder` comes first among the static files finders: for each name of `BUNDLES` it
gives the concatenation of the listed sources (found by the other finders) instead of the
source of that name. The sources stay separate in the tree and are edited as usual; every
role's style sheet is served with the shared tokens in front of it, and `live.js` with the
priority coach's helper after it. `collectstatic` collects the bundles (then hashed and
compressed like any file); in DEBUG, WhiteNoise serves them through the finders. A bundle is
rebuilt under `build/static/` whenever one of its sources is newer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import AppDirectoriesFinder, BaseFinder, FileSystemFinder
from django.core.files.storage import FileSystemStorage

BUNDLES: dict[str, tuple[str, ...]] = {
    "css/phone.css": ("css/tokens.css", "css/phone.css"),
    "css/screen.css": ("css/tokens.css", "css/screen.css"),
    "css/control.css": ("css/tokens.css", "css/control.css"),
    "js/live.js": ("js/live.js", "js/coach.js"),
}


def _source(name: str) -> Path:
    for finder in (FileSystemFinder(), AppDirectoriesFinder()):
        found = finder.find(name)
        if found:
            return Path(found)
    raise FileNotFoundError(f"Source {name!r} of a static bundle not found")


class BundleFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=Path(settings.BASE_DIR) / "build" / "static")

    def _build(self, name: str) -> str:
        target = Path(self.storage.path(name))
        sources = [_source(part) for part in BUNDLES[name]]
        newest = max(source.stat().st_mtime for source in sources)
        if not target.exists() or target.stat().st_mtime < newest:
            target.parent.mkdir(parents=True, exist_ok=True)
            parts = [source.read_text(encoding="utf-8").rstrip("\n") + "\n" for source in sources]
            partial = target.with_name(target.name + ".part")
            partial.write_text("".join(parts), encoding="utf-8")
            partial.replace(target)
        return str(target)

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        if path not in BUNDLES:
            return [] if find_all or kwargs.get("all") else ""
        built = self._build(path)
        return [built] if find_all or kwargs.get("all") else built

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for name in BUNDLES:
            self._build(name)
            yield name, self.storage
