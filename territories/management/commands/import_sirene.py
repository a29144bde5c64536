"""Import a territory's industrial establishments from INSEE's SIRENE stock, or from a
géolocalised extract of one département (told apart by their header).

    python manage.py import_sirene TERRITORY StockEtablissement_utf8.zip [--sections C] [--stock-date 2026-11-01]
    python manage.py import_sirene TERRITORY geo_siret_74.csv.gz

TERRITORY: an existing territory's slug, an EPCI SIREN or a département code (the territory
is then created from the shipped commune composition), or commune codes separated by commas.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.files import UploadRefused
from territories.services import TerritoryError, territory_resolve
from territories.sirene import SireneFormatError, historique_import, sirene_import


class Command(BaseCommand):
    help = "Import a territory's establishments from a SIRENE StockEtablissement file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("territory")
        parser.add_argument("file", type=Path)
        parser.add_argument("--sections", default="C", help="NAF sections, e.g. C or C,D,E")
        parser.add_argument("--stock-date", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--historique",
            action="store_true",
            help="FILE is StockEtablissementHistorique: set closure dates of the territory's sites",
        )

    def handle(self, *args, **options) -> None:
        if not options["file"].exists():
            raise CommandError(f"Fichier introuvable : {options['file']}")
        try:
            territory = territory_resolve(spec=options["territory"])
        except TerritoryError as error:
            raise CommandError(str(error)) from None
        sections = {s.strip().upper() for s in options["sections"].split(",") if s.strip()}

        def progress(read: int) -> None:
            if not options["json"]:
                sys.stderr.write(f"\r{read:>12,} lignes lues".replace(",", " "))
                sys.stderr.flush()

        if options["historique"]:
            try:
                report = historique_import(territory=territory, path=options["file"])
            except (SireneFormatError, UploadRefused) as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Historique : {report.read} périodes lues, {report.updated} dates de fermeture renseignées"
            )
            return
        try:
            report = sirene_import(
                territory=territory,
                path=options["file"],
                sections=sections,
                stock_date=options["stock_date"],
                progress=progress,
            )
        except (SireneFormatError, UploadRefused) as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(
                json.dumps({"territory": territory.slug, **report.as_dict()}, ensure_ascii=False)
            )
            return
        sys.stderr.write("\n")
        self.stdout.write(
            f"Territoire : {territory.name} ({territory.slug}, {len(territory.communes)} communes)"
        )
        if report.format == "geo":
            self.stdout.write("Extrait SIRENE géolocalisé : coordonnées des établissements gardées")
        self.stdout.write(
            f"Lues : {report.read} · retenues : {report.kept} · créées : {report.created} · "
            f"mises à jour : {report.updated} · inchangées : {report.unchanged}"
        )
        if report.changes:
            self.stdout.write(
                f"Extensions ou réductions (comparaison avec le stock précédent) : {report.changes}"
            )
        for reason, count in report.skipped_labelled().items():
            self.stdout.write(f"Écartées ({reason}) : {count}")
        if report.malformed_count:
            self.stdout.write(f"Lignes mal formées : {report.malformed_count}")
            for line, reason in report.malformed[:20]:
                self.stdout.write(f"  ligne {line} : {reason}")
