from __future__ import annotations

from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"

    def ready(self) -> None:
        from priorities import kinds as priority_kinds
        from priorities import vote
        from workshops import kinds

        kinds.register(priority_kinds.PriorityKind())
        kinds.register(priority_kinds.TablesKind())
        kinds.register(priority_kinds.ActionsKind())
        kinds.register(vote.VoteKind())
