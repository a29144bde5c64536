from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"

    def ready(self) -> None:
        # Models and the engine's registry exist only once the apps are loaded.
        from territories import forms, selectors, views
        from workshops import kinds

        kinds.register(
            kinds.ActivityKind(
                key="territory",
                label=_("Dynamique du territoire"),
                template="territories/kinds/territory.html",
                config_form=forms.TerritoryConfigForm,
                results=selectors.territory_results,
                control_view=views.territory_control,
                initial_config=dict,
            )
        )
        kinds.register(
            kinds.ActivityKind(
                key="filiere_map",
                label=_("Carte des filières"),
                template="territories/kinds/filiere_map.html",
                takes_input=True,
                config_form=forms.TerritoryConfigForm,
                results=selectors.filiere_map,
                phone_view=views.map_phone,
                initial_config=dict,
            )
        )
