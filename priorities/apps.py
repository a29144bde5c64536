from __future__ import annotations

from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from priorities import forms, selectors, views
        from workshops import kinds

        kinds.register(
            kinds.ActivityKind(
                key="priority",
                label=_("Priorité précise"),
                template="priorities/kinds/priority.html",
                takes_input=True,
                config_form=forms.PriorityConfigForm,
                results=selectors.priority_wall,
                summary=selectors.priority_summary,
                phone_view=views.priority_phone,
                control_view=views.priority_control,
                personal=views.personal_priorities,
                exports={"priorites": selectors.export_priorities},
                initial_config=lambda: {"max_priorities": 1},
            )
        )
        kinds.register(
            kinds.ActivityKind(
                key="tables",
                label=_("Tables de pairs"),
                template="priorities/kinds/tables.html",
                takes_input=True,
                results=selectors.tables_results,
                stage_key=selectors.seating_key,
                phone_view=views.tables_phone,
                control_view=views.tables_control,
            )
        )
        kinds.register(
            kinds.ActivityKind(
                key="actions",
                label=_("Actions pour demain"),
                template="priorities/kinds/actions.html",
                takes_input=True,
                config_form=forms.ActionsConfigForm,
                results=selectors.actions_results,
                summary=selectors.actions_summary,
                phone_view=views.actions_phone,
                personal=views.personal_actions,
                exports={"actions": selectors.export_actions},
                initial_config=lambda: {"min_actions": 2, "max_actions": 3},
            )
        )
