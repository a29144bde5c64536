"""Activity kinds: the one extension point of the session engine.

A kind is registered once, with its template (holding the partials `phone`, `screen`,
`control` and `pdf`) and optional hooks. The engine renders any activity through its kind and
never names a kind itself, so adding one touches no engine code:

    kinds.register(ActivityKind(key="poll", label=_("Sondage"),
                                template="workshops/kinds/poll.html",
                                results=poll_results, phone_view=poll_phone, ...))

Apps register their kinds in `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest, HttpResponse
    from django.utils.functional import Promise

    from workshops.models import Activity, Participant

ROLES = ("phone", "screen", "control", "pdf")


@dataclass(frozen=True)
class ActivityKind:
    key: str
    label: Promise | str
    # A template with one {% partialdef %} per role in ROLES.
    template: str
    # Whether participants answer something (then the phone fetches its personal part).
    takes_input: bool = False
    # Form editing the activity's `config` in the control panel (None: title and text only).
    config_form: type[forms.Form] | None = None
    # Shared, non-personal context for screen, control and PDF (results, aggregates).
    results: Callable[[Activity], dict[str, Any]] | None = None
    # The phone's personal part: GET renders it, POST records an answer. The engine has
    # already checked that the participant belongs to the activity's rencontre.
    phone_view: Callable[[HttpRequest, Activity, Participant], HttpResponse] | None = None
    # Kind-specific commands of the control panel (moderation...): POST only.
    control_view: Callable[[HttpRequest, Activity], HttpResponse] | None = None
    # Key figures for the debrief from this kind's results:
    # {"figures": [(label, number)], "filieres": [(name, count)]}.
    summary: Callable[[dict[str, Any]], dict[str, list]] | None = None
    # The participant's own contribution, on their personal page and the debrief phone view:
    # (request, participant) -> HTML. It handles its own POSTs (those naming its key).
    personal: Callable[[HttpRequest, Participant], str] | None = None
    # CSV exports: name -> (rencontre -> (header, rows)).
    exports: dict[str, Callable[[Any], tuple[list[str], list[list[Any]]]]] | None = None
    # What else the phones' stage depends on (e.g. the seating): a change of this key makes
    # phones replace their stage (and fetch their personal part) on the next push.
    stage_key: Callable[[Activity], str] | None = None
    # Settings of a new activity of this kind.
    initial_config: Callable[[], dict[str, Any]] | None = None

    def default_config(self) -> dict[str, Any]:
        return self.initial_config() if self.initial_config else {}

    def partial(self, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"Unknown role {role!r}")
        return f"{self.template}#{role}"

    # Template names by role, for `{% include kind.screen %}` in templates.
    @property
    def phone(self) -> str:
        return self.partial("phone")

    @property
    def screen(self) -> str:
        return self.partial("screen")

    @property
    def control(self) -> str:
        return self.partial("control")

    @property
    def pdf(self) -> str:
        return self.partial("pdf")


_registry: dict[str, ActivityKind] = {}


def register(kind: ActivityKind) -> ActivityKind:
    if kind.key in _registry and _registry[kind.key] != kind:
        raise ValueError(f"Activity kind {kind.key!r} is already registered")
    _registry[kind.key] = kind
    return kind


def get(key: str) -> ActivityKind:
    """The registered kind; an activity of an unknown kind shows as plain text."""
    return _registry.get(key) or _registry["talk"]


def is_registered(key: str) -> bool:
    return key in _registry


def choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in _registry.values()]


def register_builtin_kinds() -> None:
    from workshops import debrief, forms, results, views

    register(
        ActivityKind(
            key="talk",
            label=_("Intervention (texte au mur)"),
            template="workshops/kinds/talk.html",
        )
    )
    register(
        ActivityKind(
            key="debrief",
            label=_("Restitution collective"),
            template="workshops/kinds/debrief.html",
            results=debrief.debrief_results,
            phone_view=views.debrief_phone,
        )
    )
    register(
        ActivityKind(
            key="poll",
            label=_("Sondage"),
            template="workshops/kinds/poll.html",
            takes_input=True,
            config_form=forms.PollConfigForm,
            results=results.poll_results,
            phone_view=views.poll_phone,
            control_view=views.moderation_control,
            initial_config=lambda: {
                "choices": [{"id": "c1", "label": "Oui"}, {"id": "c2", "label": "Non"}],
                "multiple": False,
                "allow_other": False,
            },
        )
    )
    register(
        ActivityKind(
            key="scale",
            label=_("Échelle d'accord"),
            template="workshops/kinds/scale.html",
            takes_input=True,
            config_form=forms.ScaleConfigForm,
            results=results.scale_results,
            phone_view=views.scale_phone,
            initial_config=lambda: {"statements": [{"id": "c1", "label": str(_("Affirmation"))}]},
        )
    )
    register(
        ActivityKind(
            key="words",
            label=_("Nuage de mots"),
            template="workshops/kinds/words.html",
            takes_input=True,
            config_form=forms.WordsConfigForm,
            results=results.words_results,
            phone_view=views.words_phone,
            control_view=views.moderation_control,
            initial_config=lambda: {"max_words": 3, "max_length": 40},
        )
    )
    register(
        ActivityKind(
            key="question",
            label=_("Question ouverte"),
            template="workshops/kinds/question.html",
            takes_input=True,
            config_form=forms.QuestionConfigForm,
            results=results.question_results,
            phone_view=views.question_phone,
            control_view=views.moderation_control,
            initial_config=lambda: {"max_length": 280},
        )
    )
