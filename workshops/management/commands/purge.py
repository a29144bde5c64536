"""Apply the retention period (settings.RETENTION_DAYS): anonymise the participants of every
rencontre ended longer ago and delete leftover uploaded files. Meant to run daily; running it
again does nothing more.

    python manage.py purge             # now
    python manage.py purge --schedule  # let the background worker run it every day
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from workshops import services
from workshops.tasks import schedule_purge


class Command(BaseCommand):
    help = (
        "Anonymise the participants of rencontres ended more than RETENTION_DAYS ago and "
        "delete leftover uploads."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the daily purge for the background worker (once: it re-queues itself)",
        )

    def handle(self, *args, **options) -> None:
        if options["schedule"]:
            queued = schedule_purge()
            self.stdout.write(
                "Daily purge queued for the background worker."
                if queued
                else "The daily purge is already queued."
            )
            return
        report = services.rencontres_purge(now=timezone.now())
        self.stdout.write(
            f"Retention {settings.RETENTION_DAYS} days: {report.rencontres} rencontre(s) "
            f"purged, {report.participants} participant(s) anonymised, {report.records} "
            f"record(s) scrubbed, {report.files} leftover upload(s) deleted."
        )
