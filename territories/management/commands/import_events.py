"""Import local events (announced openings, extensions, closures) for a territory.

python manage.py import_events TERRITORY evenements.csv
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.events import EventsFormatError, events_import
from territories.files import UploadRefused
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
        if not options["file"].is_file():
            raise CommandError(f"Fichier introuvable : {options['file']}")
        try:
            report = events_import(territory=territory, path=options["file"])
        except (EventsFormatError, UploadRefused) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Événements : {report.created} ajoutés, {report.unchanged} déjà connus, {len(report.errors)} lignes refusées"
        )
        for line, reason in report.errors:
            self.stdout.write(f"  ligne {line} : {reason}")
