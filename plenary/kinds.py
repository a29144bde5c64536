"""The plenary kinds: what the whole room sees and answers together. A talk on the wall,
polls, agreement scales, word clouds, open questions and the collective debrief. They plug
into the engine like any other kind (`plenary.apps` registers them)."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any, ClassVar

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plenary import selectors, services
from plenary.forms import (
    AnswerModerationForm,
    PollAnswerForm,
    PollConfigForm,
    QuestionAnswerForm,
    QuestionConfigForm,
    ScaleAnswerForm,
    ScaleConfigForm,
    SlideStepForm,
    TalkConfigForm,
    WordModerationForm,
    WordsAnswerForm,
    WordsConfigForm,
)
from plenary.models import Slide
from workshops import debrief
from workshops.kinds import ActivityKind, Command, Example, KindForm, KindResults
from workshops.models import Activity, Answer, Participant
from workshops.selectors import saved_answer
from workshops.services import answer_set_hidden

HIDE_ANSWER = Command(
    "masquer-reponse", AnswerModerationForm, partial(answer_set_hidden, hidden=True)
)
SHOW_ANSWER = Command(
    "afficher-reponse", AnswerModerationForm, partial(answer_set_hidden, hidden=False)
)


class TalkKind(ActivityKind):
    """A talk: its text, or its slides, on the wall; nothing to answer.

    Slides are images (or the pages of a PDF, made by the background worker) managed on the
    talk's slides page (`plenary.views`). The slide shown is `config["slide"]`; the panel
    turns it (`diapo-suivante`, `diapo-precedente`: the arrows and PageDown / PageUp of a
    clicker, then the next activity after the last slide) and shows the presenter's notes
    and the next slide. The wall shows the slide alone, letterboxed; phones show the one-line
    `config["summary"]`, never a slide nor a note."""

    key = "talk"
    label = _("Intervention (texte ou diapositives)")
    template = "plenary/kinds/talk.html"
    config_form = TalkConfigForm
    control_commands = (
        Command("diapo-suivante", SlideStepForm, partial(services.talk_slide_step, offset=1)),
        Command("diapo-precedente", SlideStepForm, partial(services.talk_slide_step, offset=-1)),
    )

    def initial_config(self) -> dict[str, Any]:
        return {"summary": "", "slide": 0}

    def pages(self, activity: Activity) -> tuple[tuple[Any, str], ...]:
        url = reverse("plenary:slides", args=[activity.step.rencontre.code, activity.pk])
        return ((_("Diapositives et notes"), url),)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        # Paging needs slides, which only an upload makes (a file, not form data).
        if not Slide.objects.filter(activity=activity).exists():
            return ()
        index = int(activity.config.get("slide", 0) or 0)
        return (Example("control", "diapo-suivante", {"index": index}),)


class AnswerKind(ActivityKind):
    """Base of the kinds where each participant keeps one answer (`Answer.data`), changeable
    while the activity is open; one phone command, `repondre`."""

    takes_input = True
    has_phone_part = True
    shows_results = True
    answer_form: ClassVar[type[KindForm]]

    def initial_from(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The form's initial values from a saved answer (None: an empty form)."""
        return None

    def participants_with_own_part(self, activity: Activity) -> Collection[int]:
        return set(
            Answer.objects.filter(activity=activity).values_list("participant_id", flat=True)
        )

    def extra_context(self, activity: Activity, data: dict[str, Any]) -> dict[str, Any]:
        return {}

    def phone_context(
        self,
        activity: Activity,
        participant: Participant | None,
        *,
        form: forms.Form | None = None,
        saved: bool = False,
        message: str = "",
    ) -> dict[str, Any]:
        context = super().phone_context(
            activity, participant, form=form, saved=saved, message=message
        )
        saved_data = saved_answer(activity, participant) if participant is not None else None
        data = saved_data or {}
        if form is None:
            form = self.answer_form(
                activity=activity,
                participant=participant,
                initial=self.initial_from(data) if saved_data is not None else None,
            )
        context.update(
            {
                "form": form,
                "answered": saved_data is not None,
                "data": data,
                **self.extra_context(activity, data),
            }
        )
        return context


class PollKind(AnswerKind):
    key = "poll"
    label = _("Sondage")
    template = "plenary/kinds/poll.html"
    config_form = PollConfigForm
    answer_form = PollAnswerForm
    phone_commands = (Command("repondre", PollAnswerForm, services.poll_answer_submit),)
    control_commands = (HIDE_ANSWER, SHOW_ANSWER)

    def initial_config(self) -> dict[str, Any]:
        return {
            "choices": [{"id": "c1", "label": str(_("Oui"))}, {"id": "c2", "label": str(_("Non"))}],
            "multiple": False,
            "allow_other": False,
        }

    def results(self, activity: Activity) -> KindResults:
        return selectors.poll_results(activity)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        first = activity.config["choices"][0]["id"]
        return (Example("phone", "repondre", {"choice": first}),)

    def extra_context(self, activity: Activity, data: dict[str, Any]) -> dict[str, Any]:
        chosen = set(data.get("choices", []))
        return {
            # Each choice says whether it is chosen: the part is rendered at every tap, and a
            # flag read from a dict costs the template less than a test against a set.
            "choices": [
                {**choice, "selected": choice["id"] in chosen}
                for choice in activity.config.get("choices", [])
            ],
            "chosen": chosen,
            "other": data.get("other", ""),
            "closed": not activity.is_open,
        }

    def answer_text(self, activity: Activity, data: dict[str, Any]) -> str:
        labels = {c["id"]: c["label"] for c in activity.config.get("choices", [])}
        parts = [labels.get(c, c) for c in data.get("choices", [])]
        if data.get("other"):
            parts.append(_("Autre : %(text)s") % {"text": data["other"]})
        return " | ".join(parts)


class ScaleKind(AnswerKind):
    key = "scale"
    label = _("Échelle d'accord")
    template = "plenary/kinds/scale.html"
    config_form = ScaleConfigForm
    answer_form = ScaleAnswerForm
    phone_commands = (Command("repondre", ScaleAnswerForm, services.scale_answer_submit),)

    def initial_config(self) -> dict[str, Any]:
        return {"statements": [{"id": "c1", "label": str(_("Affirmation"))}]}

    def results(self, activity: Activity) -> KindResults:
        return selectors.scale_results(activity)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        first = activity.config["statements"][0]["id"]
        return (Example("phone", "repondre", {"statement": first, "value": 4}),)

    def extra_context(self, activity: Activity, data: dict[str, Any]) -> dict[str, Any]:
        values = data.get("values", {})
        statements = selectors.scale_statements(activity)
        return {
            # Each statement carries its levels, each saying whether it is the one chosen,
            # and whether its label is shown: the part is rendered at every tap.
            "statements": [
                {
                    **s,
                    "value": values.get(s["id"]),
                    "shown": len(statements) > 1 or s["label"] != activity.title,
                    "levels": [
                        {"level": level, "label": label, "selected": values.get(s["id"]) == level}
                        for level, label in selectors.SCALE_LEVELS
                    ],
                }
                for s in statements
            ],
            "levels": selectors.SCALE_LEVELS,
            "closed": not activity.is_open,
        }

    def answer_text(self, activity: Activity, data: dict[str, Any]) -> str:
        labels = {s["id"]: s["label"] for s in activity.config.get("statements", [])}
        return " | ".join(f"{labels.get(k, k)} = {v}" for k, v in data.get("values", {}).items())


class WordsKind(AnswerKind):
    key = "words"
    label = _("Nuage de mots")
    template = "plenary/kinds/words.html"
    config_form = WordsConfigForm
    answer_form = WordsAnswerForm
    phone_commands = (Command("repondre", WordsAnswerForm, services.words_answer_submit),)
    control_commands = (
        Command("masquer-mot", WordModerationForm, partial(services.word_set_hidden, hidden=True)),
        Command(
            "afficher-mot", WordModerationForm, partial(services.word_set_hidden, hidden=False)
        ),
    )

    def initial_config(self) -> dict[str, Any]:
        return {"max_words": 3, "max_length": 40}

    def results(self, activity: Activity) -> KindResults:
        return selectors.words_results(activity)

    def initial_from(self, data: dict[str, Any]) -> dict[str, Any]:
        return {f"word{i}": w for i, w in enumerate(data.get("words", []))}

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        return (Example("phone", "repondre", {"word0": "Énergie", "word1": "Savoir-faire"}),)

    def answer_text(self, activity: Activity, data: dict[str, Any]) -> str:
        return " | ".join(data.get("words", []))


class QuestionKind(AnswerKind):
    key = "question"
    label = _("Question ouverte")
    template = "plenary/kinds/question.html"
    config_form = QuestionConfigForm
    answer_form = QuestionAnswerForm
    phone_commands = (Command("repondre", QuestionAnswerForm, services.question_answer_submit),)
    control_commands = (HIDE_ANSWER, SHOW_ANSWER)

    def initial_config(self) -> dict[str, Any]:
        return {"max_length": 280}

    def results(self, activity: Activity) -> KindResults:
        return selectors.question_results(activity)

    def initial_from(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"text": data.get("text", "")}

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        return (Example("phone", "repondre", {"text": "Le foncier disponible manque."}),)

    def answer_text(self, activity: Activity, data: dict[str, Any]) -> str:
        return data.get("text", "")


class DebriefKind(ActivityKind):
    """The synthesis on the wall; on the phone, one's own contributions and personal link."""

    key = "debrief"
    label = _("Restitution collective")
    template = "plenary/kinds/debrief.html"
    has_phone_part = True
    shows_results = True
    in_synthesis = False  # it shows the synthesis

    def results(self, activity: Activity) -> KindResults:
        context = debrief.debrief_context(activity.step.rencontre)
        return KindResults(
            n_participants=context["n_participants"],
            in_debrief=False,
            data=context,
        )

    def phone_context(
        self,
        activity: Activity,
        participant: Participant,
        *,
        form: forms.Form | None = None,
        saved: bool = False,
        message: str = "",
    ) -> dict[str, Any]:
        context = super().phone_context(activity, participant)
        context["personal_parts"] = debrief.personal_parts(participant)
        return context
