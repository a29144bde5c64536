from __future__ import annotations

from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"

    def ready(self) -> None:
        from territories import kinds as territory_kinds
        from workshops import kinds

        kinds.register(territory_kinds.TerritoryKind())
        kinds.register(territory_kinds.FiliereMapKind())
