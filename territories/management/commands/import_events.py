"""Import local events (announced openings, extensions, closures) for a territory.

python manage.py import_events TERRITORY evenements.csv
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.events import EventsFormatError, events_import
from territories.models import Territory


class Command(BaseCommand):
    help = "Import a CSV of local events (type, date, entreprise, siret, emplois, source, note)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("territory", help="the territory's slug")
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        territory = Territory.objects.filter(slug=options["territory"]).first()
        if territory is None:
            raise CommandError(f"Aucun territoire « {options['territory']} ».")
        try:
            text = options["file"].read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError("Le fichier doit être en UTF-8.") from None
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {options['file']}") from None
        try:
            report = events_import(territory=territory, text=text)
        except EventsFormatError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Événements : {report.created} ajoutés, {report.unchanged} déjà connus, {len(report.errors)} lignes refusées"
        )
        for line, reason in report.errors:
            self.stdout.write(f"  ligne {line} : {reason}")
