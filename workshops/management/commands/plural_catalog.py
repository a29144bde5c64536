"""Regenerate the French catalog of plural forms: locale/fr/LC_MESSAGES/django.po and .mo.

    python manage.py plural_catalog

The product's strings are written in French, so they need no translation; but without a
catalog, ngettext and {% blocktranslate count %} fall back to the English rule and write
"0 actions". This catalog holds only the plural messages, each translated to itself, under
the French rule (singular for 0 and 1). Run it after adding or changing a plural message;
needs GNU gettext (xgettext, msgfmt).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

FRENCH_PLURAL = "nplurals=2; plural=(n > 1);"


def plural_entries(po_text: str) -> list[str]:
    """The plural entries of a .po file, each translated to itself (comments dropped)."""
    entries = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        text = "\n".join(lines)
        if "msgid_plural" not in text:
            continue
        context = re.search(r'^(msgctxt .*(?:\n".*")*)', text, re.M)
        singular = re.search(r'^msgid (".*"(?:\n".*")*)', text, re.M).group(1)
        plural = re.search(r'^msgid_plural (".*"(?:\n".*")*)', text, re.M).group(1)
        head = f"{context.group(1)}\n" if context else ""
        entries.append(
            f"{head}msgid {singular}\nmsgid_plural {plural}\n"
            f"msgstr[0] {singular}\nmsgstr[1] {plural}\n"
        )
    return entries


class Command(BaseCommand):
    help = "Regenerate the French plural catalog (locale/fr) from the code and templates."

    def handle(self, *args, **options) -> None:
        folder = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        po = folder / "django.po"
        po.unlink(missing_ok=True)
        call_command(
            "makemessages",
            locale=["fr"],
            ignore_patterns=[".venv/*", "bench/*", "tests/*", "staticfiles/*"],
            no_location=True,
            verbosity=0,
        )
        entries = plural_entries(po.read_text(encoding="utf-8"))
        header = (
            'msgid ""\nmsgstr ""\n'
            '"Project-Id-Version: Rencontres\\n"\n'
            '"PO-Revision-Date: \\n"\n'
            '"Last-Translator: \\n"\n'
            '"Language-Team: \\n"\n'
            '"MIME-Version: 1.0\\n"\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Content-Transfer-Encoding: 8bit\\n"\n'
            '"Language: fr\\n"\n'
            f'"Plural-Forms: {FRENCH_PLURAL}\\n"\n'
        )
        po.write_text(
            "# French plural forms of the product's messages (manage.py plural_catalog).\n"
            + header
            + "\n"
            + "\n".join(entries),
            encoding="utf-8",
        )
        subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
        self.stdout.write(f"{len(entries)} messages au pluriel dans {po}")
