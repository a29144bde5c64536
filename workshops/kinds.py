"""Activity kinds: the one extension point of the session engine.

A kind is a subclass of `ActivityKind`, registered once from its app's `AppConfig.ready()`:

    class RankingKind(ActivityKind):
        key = "ranking"
        label = _("Classement")
        template = "plenary/kinds/ranking.html"
        ...

    kinds.register(RankingKind())

The engine renders any activity through its kind and never names a kind nor reads a kind's
data: it asks the kind for its partials, a `KindResults`, its exports, a participant's own
context, and runs the kind's named `Command`s (one URL each, one form, one service call).

Every hook has a documented default, so a kind overrides only what it does:

| hook | default | used by |
|---|---|---|
| `template` | title and text only | a template with one `{% partialdef %}` per role in ROLES (`phone`, `screen`, `control`, `pdf`), plus `mine` (the phone's own part) and `highlight` (synthesis) when the kind has them |
| `takes_input` | False | the panel offers to close and reopen answers |
| `has_phone_part` | False | the phone fetches its own part (`mine`) when it has state of its own |
| `shows_results` | False | screen, panel and PDF ask for `results()`; the panel offers to hide them |
| `in_synthesis` | True | the synthesis and the PDF ask for `results()` (False for a kind that shows the synthesis itself) |
| `config_form` | None | the agenda editor edits the kind's settings with it |
| `initial_config()` | `{}` | settings of a new activity |
| `results(activity)` | empty `KindResults` | wall, panel, synthesis, PDF |
| `phone_context(...)` | activity and participant | the `mine` partial (and the other parts in `phone_parts`) |
| `personal(participant)` | None | the participant's page and the debrief on the phone |
| `exports()` | none | CSV and JSON exports |
| `answer_text(activity, data)` | "" | the shared `reponses` export of answers |
| `stage_key(activity)` | "" | what else the phones' stage depends on (the seating...) |
| `pages(activity)` | none | links from the activity's edit page to the kind's own pages (a talk's slides) |
| `examples(activity)` | none | commands with valid data: the contract test fills the activity with them |
| `participants_with_own_part(activity)` | None (every phone fetches its own part) | only these phones fetch their own part after a move; the others use the blank part the push carries |
| `control_commands`, `phone_commands`, `personal_commands` | none | one URL each |
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from workshops.models import Activity, Participant, Rencontre

ROLES = ("phone", "screen", "control", "pdf")


@dataclass
class KindResults:
    """What an activity produced, in terms the engine understands, plus the kind's own data.

    - `n_answers`: how many participants contributed (the counts on the wall and the panel).
    - `in_debrief`: whether the activity has its section in the synthesis and the PDF
      (by default: when someone contributed).
    - `highlight`: the context of the kind's `highlight` partial in the synthesis (None: no
      highlight).
    - `figures`, `filieres`, `lists`: key figures [(label, number)], filières named
      [(name, count)] and titled lists [(title, lines)] for the synthesis.
    - `splittable`: the results can be split by actor type (the panel offers the split).
    - `lead`: a heading; when set, the activity opens the debrief under it, before the
      synthesis, instead of appearing in its step (what the room decided).
    - `data`: the kind's own results for its partials; templates read them as
      `results.<key>` (and Python as `results["<key>"]`).
    """

    n_answers: int = 0
    n_participants: int = 0
    n_hidden: int = 0
    in_debrief: bool | None = None
    highlight: dict[str, Any] | None = None
    figures: list[tuple[str, int]] = field(default_factory=list)
    filieres: list[tuple[str, int]] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    splittable: bool = False
    lead: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.in_debrief is None:
            self.in_debrief = self.n_answers > 0

    def __getitem__(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if key in self.__dataclass_fields__ and key != "data":
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


class KindForm(forms.Form):
    """Base of a command's form: it knows the activity (and the participant on a phone or
    their personal page), so it can check ids against them instead of trusting the posted
    ones."""

    def __init__(
        self,
        *args: Any,
        activity: Activity | None = None,
        participant: Participant | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.participant = participant


class KindConfigForm(KindForm):
    """Base of a kind's settings form in the agenda editor."""

    @classmethod
    def initial_from(cls, config: dict[str, Any]) -> dict[str, Any]:
        return dict(config)

    def to_config(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CommandRefused(Exception):
    """A service's refusal, with the French message the person sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Command:
    """A named command of a kind: one URL, one form, one service call.

    - `form`: a `KindForm` subclass, bound to the POST with the activity (and participant).
    - `run`: the service, called with `activity=` (control), `activity=` and `participant=`
      (phone) or `participant=` (personal page), plus the form's `cleaned_data`.
    - `answer`: on a phone, the partial of the kind's template that answers (its context
      from `phone_context`).
    - `refusals`: domain errors the service may raise, each with its French message.
    - `success`: the message a phone shows when the command went through ("" for none).
    - `keep_valid`: an autosave: the valid fields are saved even when others are not.
    """

    name: str
    form: type[KindForm]
    run: Callable[..., Any]
    answer: str = "mine"
    refusals: dict[type[Exception], Promise | str] = field(default_factory=dict)
    success: Promise | str = ""
    keep_valid: bool = False


@dataclass(frozen=True)
class Example:
    """A command with valid data, as a participant (`phone`) or the facilitator (`control`)
    would send it. The contract test posts every kind's examples through the real URLs, and
    they show a newcomer what the commands take."""

    role: str
    command: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Export:
    """One table of a rencontre: its file name, its columns and its rows."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[Rencontre], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Personal:
    """A participant's own part on their page: a template name and its context (no writes)."""

    template: str
    context: dict[str, Any]


class ActivityKind:
    """Base of every activity kind; the class docstring of this module lists the hooks."""

    key: ClassVar[str] = ""
    label: ClassVar[Promise | str] = _("Texte au mur")
    template: ClassVar[str] = "workshops/kinds/base.html"
    takes_input: ClassVar[bool] = False
    has_phone_part: ClassVar[bool] = False
    phone_parts: ClassVar[tuple[str, ...]] = ("mine",)
    shows_results: ClassVar[bool] = False
    in_synthesis: ClassVar[bool] = True
    config_form: ClassVar[type[KindConfigForm] | None] = None
    control_commands: ClassVar[tuple[Command, ...]] = ()
    phone_commands: ClassVar[tuple[Command, ...]] = ()
    personal_commands: ClassVar[tuple[Command, ...]] = ()

    def initial_config(self) -> dict[str, Any]:
        return {}

    def results(self, activity: Activity) -> KindResults:
        return KindResults(in_debrief=False)

    def phone_context(
        self,
        activity: Activity,
        participant: Participant | None,
        *,
        form: forms.Form | None = None,
        saved: bool = False,
        message: str = "",
    ) -> dict[str, Any]:
        """The context of the phone's own part: `form` is the bound form of a refused post
        (shown with its errors), `saved` says a command just succeeded. With no participant:
        the blank part, what a phone that has nothing of its own yet sees (unless
        `participants_with_own_part` returns None, then it is never asked)."""
        return {
            "activity": activity,
            "rencontre": activity.step.rencontre,
            "participant": participant,
            "form": form,
            "saved": saved,
            "message": message,
        }

    def personal(self, participant: Participant) -> Personal | None:
        return None

    def exports(self) -> tuple[Export, ...]:
        return ()

    def answer_text(self, activity: Activity, data: dict[str, Any]) -> str:
        return ""

    def stage_key(self, activity: Activity) -> str:
        return ""

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        return ()

    def pages(self, activity: Activity) -> tuple[tuple[Promise | str, str], ...]:
        """Links (label, URL) from the activity's edit page to the kind's own pages."""
        return ()

    def participants_with_own_part(self, activity: Activity) -> Collection[int] | None:
        """The participants whose own part differs from the blank one (`phone_context` with no
        participant): an answer, a priority... After a move only their phones fetch it; the
        others use the blank part carried by the push, so a move never costs N requests at
        once. None: the own part depends on who asks, every phone fetches it (spread out)."""
        return None

    # ---- the engine's helpers, not meant to be overridden

    def partial(self, name: str) -> str:
        """The template name of one of the kind's partials (a role, `mine`, `highlight`, a
        command's answer)."""
        return f"{self.template}#{name}"

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

    @property
    def highlight(self) -> str:
        return self.partial("highlight")

    def command(self, role: str, name: str) -> Command | None:
        commands = {
            "control": self.control_commands,
            "phone": self.phone_commands,
            "personal": self.personal_commands,
        }[role]
        return next((c for c in commands if c.name == name), None)


_registry: dict[str, ActivityKind] = {}
# An activity whose kind is no longer installed shows its title and text.
_UNKNOWN = ActivityKind()


def register(kind: ActivityKind) -> ActivityKind:
    if not kind.key:
        raise ValueError("An activity kind needs a key")
    registered = _registry.get(kind.key)
    if registered is not None and type(registered) is not type(kind):
        raise ValueError(f"Activity kind {kind.key!r} is already registered")
    _registry[kind.key] = kind
    return kind


def get(key: str) -> ActivityKind:
    """The registered kind; an activity of an unknown kind shows as plain text."""
    return _registry.get(key, _UNKNOWN)


def is_registered(key: str) -> bool:
    return key in _registry


def registered() -> list[ActivityKind]:
    """Every kind, in registration order."""
    return list(_registry.values())


def choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in _registry.values()]
