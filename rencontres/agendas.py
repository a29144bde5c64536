"""The half-day agendas a new rencontre starts from are content, not engine code: one JSON
file each in `rencontres/agendas/` (`settings.AGENDA_LIBRARY_DIR`), stored as shipped
templates at each `migrate`. The engine reads the default one through
`settings.DEFAULT_AGENDA`, so it never names a kind itself.

Activities of a kind that is not registered (an app left out) are skipped by
`rencontre_create` rather than shown broken.
"""

from __future__ import annotations

from django.conf import settings

from workshops.agenda_templates import library_dir, shipped_agenda


def reindustrialisation(language: str = settings.LANGUAGE_CODE) -> list[dict]:
    """The reindustrialisation half-day (about 3h30), step by step as in the method, in
    `language` where the library has it (`reindustrialisation-en.json`), else in French."""
    slug = "reindustrialisation"
    if language != settings.LANGUAGE_CODE and (library_dir() / f"{slug}-{language}.json").exists():
        slug = f"{slug}-{language}"
    return shipped_agenda(slug)
