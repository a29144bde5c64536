from __future__ import annotations

from django.apps import AppConfig


class PlenaryConfig(AppConfig):
    name = "plenary"
    verbose_name = "Activités en plénière"

    def ready(self) -> None:
        from plenary import kinds as plenary_kinds
        from plenary.lookback import LookbackKind
        from plenary.ranking import RankingKind
        from workshops import kinds

        for kind in (
            plenary_kinds.TalkKind(),
            plenary_kinds.DebriefKind(),
            plenary_kinds.PollKind(),
            plenary_kinds.ScaleKind(),
            plenary_kinds.WordsKind(),
            plenary_kinds.QuestionKind(),
            RankingKind(),
            LookbackKind(),
        ):
            kinds.register(kind)
