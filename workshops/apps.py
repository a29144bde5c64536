from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Rencontres"

    def ready(self) -> None:
        # The services import the models: only once the apps are loaded.
        from workshops import services

        post_migrate.connect(
            services.agenda_templates_on_migrate,
            sender=self,
            dispatch_uid="workshops.agenda_templates",
        )
