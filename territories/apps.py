from __future__ import annotations

from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"

    def ready(self) -> None:
        # Models and the engine's registry exist only once the apps are loaded.
        from territories import kinds as territory_kinds
        from workshops import kinds

        kinds.register(territory_kinds.TerritoryKind())
        kinds.register(territory_kinds.FiliereMapKind())
