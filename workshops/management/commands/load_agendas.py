"""Store the shipped agenda templates now (as `migrate` does) and say what was refused."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workshops import agenda_templates, services


class Command(BaseCommand):
    help = (
        "Charge les demi-journées prêtes à l'emploi (fichiers JSON de AGENDA_LIBRARY_DIR) et "
        "liste les fichiers refusés avec leurs raisons."
    )

    def handle(self, *args, **options) -> None:
        problems = services.agenda_templates_sync()
        files = agenda_templates.shipped_files()
        refused = {problem.split(" : ", 1)[0] for problem in problems}
        for path in files:
            if path.name not in refused:
                self.stdout.write(f"  ok       {path.name}")
        for problem in problems:
            self.stderr.write(f"  refusé   {problem}")
        if problems:
            raise CommandError(
                f"{len(refused)} fichier(s) refusé(s) sur {len(files)} ; "
                "leur version précédente est conservée."
            )
