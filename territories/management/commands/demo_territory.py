"""Load the fictional demo territory and show its dynamics in the demo rencontre.

python manage.py demo_territory
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.demo import COMMUNES, write_stock
from territories.models import Territory
from territories.services import territory_owner_add
from territories.sirene import sirene_import
from workshops import services
from workshops.management.commands.demo import DEMO_TITLE
from workshops.models import Activity, Rencontre

SLUG = "vallee-de-l-arve-fictif"


class Command(BaseCommand):
    help = (
        "Create the fictional demo territory (SIRENE-format file) and add it to the demo rencontre."
    )

    def handle(self, *args, **options) -> None:
        territory, _created = Territory.objects.get_or_create(
            slug=SLUG,
            defaults={
                "name": "Vallée de l'Arve (territoire fictif)",
                "kind": Territory.Kind.CUSTOM,
                "communes": COMMUNES,
            },
        )
        with tempfile.TemporaryDirectory() as work:
            report = sirene_import(territory=territory, path=write_stock(Path(work) / "stock.csv"))
        rencontre = Rencontre.objects.filter(title=DEMO_TITLE).first()
        if rencontre is None:
            raise CommandError("Run `manage.py demo` first.")
        # The operator running the command grants the demo's facilitators the territory.
        for user in rencontre.facilitators.all():
            territory_owner_add(territory=territory, user=user)
        methode = rencontre.steps.get(position=2)
        if not Activity.objects.filter(step=methode, kind="territory").exists():
            activity = services.activity_create(
                step=methode, kind="territory", title="Ouvertures, extensions, fermetures"
            )
            Activity.objects.filter(pk=activity.pk).update(
                config={"territory": territory.slug, "since": 2010},
                position=1,
                body="Territoire fictif : les établissements sont inventés, au format SIRENE.",
            )
        if not Activity.objects.filter(step=methode, kind="filiere_map").exists():
            activity = services.activity_create(
                step=methode, kind="filiere_map", title="Les locomotives et leurs partenaires"
            )
            Activity.objects.filter(pk=activity.pk).update(
                config={"territory": territory.slug},
                position=2,
                body="Nommez une entreprise locomotive du territoire, puis ses partenaires locaux.",
            )
        self.stdout.write(f"{territory.name} : {report.kept} établissements")
