"""Print a territory's dynamics (openings, closures, net jobs per year, by filière).

python manage.py dynamics TERRITORY [--json] [--since 2015]
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from territories.models import Territory
from territories.selectors import dynamics, filiere_label


class Command(BaseCommand):
    help = "Print the dynamics indicators of a territory's production sites."

    def add_arguments(self, parser) -> None:
        parser.add_argument("territory", help="the territory's slug")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--since", type=int, default=None)

    def handle(self, *args, **options) -> None:
        territory = Territory.objects.filter(slug=options["territory"]).first()
        if territory is None:
            raise CommandError(
                f"Aucun territoire « {options['territory']} » (importez d'abord un fichier SIRENE)."
            )
        data = dynamics(territory, first_year=options["since"])
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        for filiere, d in data["by_filiere"].items():
            self.stdout.write(
                f"\n{filiere_label(filiere)} — {d['active_sites']} sites actifs, ~{d['estimated_jobs']:.0f} emplois, "
                f"top 5 : {d['top5_share']} %"
            )
            for y in d["years"][-10:]:
                self.stdout.write(
                    f"  {y['year']} : +{y['openings']} / -{y['closures']}  emplois nets {y['net_jobs']:+.1f}"
                )
