from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TerritoriesConfig(AppConfig):
    name = "territories"

    def ready(self) -> None:
        # Models and the engine's registry exist only once the apps are loaded.
        from territories import kinds as territory_kinds
        from territories import services
        from workshops import kinds

        kinds.register(territory_kinds.TerritoryKind())
        kinds.register(territory_kinds.FiliereMapKind())
        post_migrate.connect(
            services.default_filieres_on_migrate, sender=self, dispatch_uid="territories.filieres"
        )
