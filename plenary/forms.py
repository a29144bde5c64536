"""Forms of the plenary kinds: a phone's answer, the settings in the agenda editor, and the
moderation commands of the control panel. Each knows its activity (`KindForm`), so ids are
checked against it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from plenary.models import Slide, Word
from workshops.kinds import KindConfigForm, KindForm
from workshops.models import Answer
from workshops.words import clean as tidy

# ---------------------------------------------------------------- answers (phone)


class PollAnswerForm(KindForm):
    """One tap: `choice` picks (single choice) or toggles (multiple); `other` is free text."""

    choice = forms.CharField(required=False, max_length=40)
    other = forms.CharField(
        required=False,
        max_length=120,
        error_messages={
            "max_length": _("120 caractères au plus (vous en avez tapé %(show_value)d).")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_ids = [c["id"] for c in self.activity.config.get("choices", [])]

    def clean_choice(self) -> str:
        choice = self.cleaned_data["choice"]
        if choice and choice not in self.choice_ids:
            raise forms.ValidationError(_("Ce choix n'existe pas dans ce sondage."))
        return choice

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("choice") and not data.get("other", "").strip():
            raise forms.ValidationError(_("Choisissez une réponse."))
        return data


class ScaleAnswerForm(KindForm):
    statement = forms.CharField(max_length=40)
    value = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        error_messages={"invalid_choice": _("Choisissez un niveau de 1 à 5.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statement_ids = [s["id"] for s in self.activity.config.get("statements", [])]

    def clean_statement(self) -> str:
        statement = self.cleaned_data["statement"]
        if statement not in self.statement_ids:
            raise forms.ValidationError(_("Cette affirmation n'existe pas."))
        return statement


class WordsAnswerForm(KindForm):
    """Up to `max_words` words or short phrases; empty boxes are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_words = max_words = int(self.activity.config.get("max_words", 3))
        max_length = int(self.activity.config.get("max_length", 40))
        for i in range(max_words):
            self.fields[f"word{i}"] = forms.CharField(
                required=False,
                max_length=max_length,
                label=_("Mot ou expression %(n)d") % {"n": i + 1},
                error_messages={
                    "max_length": _("%(limit_value)d caractères au plus par mot ou expression.")
                },
                widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "send"}),
            )

    def clean(self):
        data = super().clean()
        words = [tidy(data.get(f"word{i}", "")) for i in range(self.max_words)]
        extra = [k for k in self.data if k.startswith("word") and k not in self.fields]
        if extra:
            raise forms.ValidationError(
                ngettext("%(n)d mot au plus.", "%(n)d mots au plus.", self.max_words)
                % {"n": self.max_words}
            )
        if not self.errors and not any(words):
            raise forms.ValidationError(_("Écrivez au moins un mot."))
        return {"words": [w for w in words if w]}


class QuestionAnswerForm(KindForm):
    text = forms.CharField(
        label=_("Votre réponse"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Écrivez votre réponse."),
            "max_length": _(
                "%(limit_value)d caractères au plus (vous en avez tapé %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        max_length = int(self.activity.config.get("max_length", 280))
        self.fields["text"].max_length = max_length
        self.fields["text"].validators.append(MaxLengthValidator(max_length))
        self.fields["text"].widget.attrs["maxlength"] = str(max_length)


# ---------------------------------------------------------------- settings (agenda editor)


def _answered_items(activity) -> dict[str, int]:
    """How many answers name each poll choice, scale statement or ranked item."""
    counts: dict[str, int] = {}
    for data in Answer.objects.filter(activity=activity).values_list("data", flat=True):
        for item in [*data.get("choices", []), *data.get("values", {}), *data.get("order", [])]:
            counts[item] = counts.get(item, 0) + 1
    return counts


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class ChoicesConfigForm(KindConfigForm):
    """Edits a list of labelled items (poll choices, scale statements), one per line."""

    items_field_label = _("Choix (un par ligne)")
    min_items, max_items = 2, 12
    item_max_length = 120

    items = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    confirm = forms.BooleanField(
        required=False,
        label=_("Je confirme : retirer ces éléments et leurs réponses des résultats"),
    )

    config_key = "choices"

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"items": "\n".join(item["label"] for item in config.get(cls.config_key, []))}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing = self.activity.config.get(self.config_key, [])
        self.answered = _answered_items(self.activity)
        self.fields["items"].label = self.items_field_label
        self.orphaned: list[str] = []

    def clean_items(self) -> list[dict]:
        labels = _lines(self.cleaned_data["items"])
        if not self.min_items <= len(labels) <= self.max_items:
            raise forms.ValidationError(
                _("Entre %(a)d et %(b)d lignes.") % {"a": self.min_items, "b": self.max_items}
            )
        too_long = [label for label in labels if len(label) > self.item_max_length]
        if too_long:
            raise forms.ValidationError(
                ngettext(
                    "%(n)d caractère au plus par ligne.",
                    "%(n)d caractères au plus par ligne.",
                    self.item_max_length,
                )
                % {"n": self.item_max_length}
            )
        if len({label.casefold() for label in labels}) != len(labels):
            raise forms.ValidationError(_("Deux lignes sont identiques."))
        by_label = {item["label"]: item["id"] for item in self.existing}
        used = {item["id"] for item in self.existing}
        items = []
        counter = len(used) + 1
        for label in labels:
            if label in by_label:
                items.append({"id": by_label[label], "label": label})
                continue
            while f"c{counter}" in used:
                counter += 1
            used.add(f"c{counter}")
            items.append({"id": f"c{counter}", "label": label})
        kept = {item["id"] for item in items}
        self.orphaned = [
            item["label"]
            for item in self.existing
            if item["id"] not in kept and self.answered.get(item["id"])
        ]
        return items

    def clean(self):
        data = super().clean()
        if self.orphaned and not data.get("confirm"):
            raise forms.ValidationError(
                _(
                    "Des réponses portent déjà sur : %(items)s. Les retirer les enlève des "
                    "résultats (elles restent enregistrées). Cochez la case pour confirmer."
                )
                % {"items": ", ".join(f"« {label} »" for label in self.orphaned)}
            )
        return data


class PollConfigForm(ChoicesConfigForm):
    multiple = forms.BooleanField(label=_("Plusieurs choix possibles"), required=False)
    allow_other = forms.BooleanField(
        label=_("Proposer « Autre » avec un texte libre"), required=False
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {
            **super().initial_from(config),
            "multiple": config.get("multiple", False),
            "allow_other": config.get("allow_other", False),
        }

    def to_config(self) -> dict:
        d = self.cleaned_data
        return {"choices": d["items"], "multiple": d["multiple"], "allow_other": d["allow_other"]}


class ScaleConfigForm(ChoicesConfigForm):
    items_field_label = _("Affirmations (une par ligne)")
    config_key = "statements"
    min_items, max_items = 1, 8
    item_max_length = 200

    def to_config(self) -> dict:
        return {"statements": self.cleaned_data["items"]}


class WordsConfigForm(KindConfigForm):
    max_words = forms.IntegerField(label=_("Mots par participant"), min_value=1, max_value=3)
    max_length = forms.IntegerField(
        label=_("Longueur maximale d'un mot ou d'une expression"), min_value=10, max_value=60
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"max_words": config.get("max_words", 3), "max_length": config.get("max_length", 40)}

    def to_config(self) -> dict:
        return dict(self.cleaned_data)


class QuestionConfigForm(KindConfigForm):
    max_length = forms.IntegerField(
        label=_("Longueur maximale de la réponse"), min_value=20, max_value=1000
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"max_length": config.get("max_length", 280)}

    def to_config(self) -> dict:
        return dict(self.cleaned_data)


# ---------------------------------------------------------------- moderation (control)


class AnswerModerationForm(KindForm):
    """Names one answer of this activity."""

    answer = forms.ModelChoiceField(
        queryset=Answer.objects.none(),
        error_messages={"invalid_choice": _("Cette réponse n'existe pas dans l'activité.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"].queryset = Answer.objects.filter(activity=self.activity)


class WordModerationForm(KindForm):
    """Names one entry of this activity's cloud, by one of its words."""

    word = forms.ModelChoiceField(
        queryset=Word.objects.none(),
        error_messages={"invalid_choice": _("Ce mot n'existe pas dans ce nuage.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["word"].queryset = Word.objects.filter(activity=self.activity)


# ---------------------------------------------------------------- talks and their slides


class TalkConfigForm(KindConfigForm):
    summary = forms.CharField(
        label=_("Résumé d'une ligne pour les téléphones"),
        help_text=_(
            "Ce que les participants lisent sur leur téléphone pendant l'intervention (les "
            "diapositives restent au mur)."
        ),
        required=False,
        max_length=160,
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"summary": config.get("summary", "")}

    def clean_summary(self) -> str:
        summary = " ".join(self.cleaned_data["summary"].split())
        if "\x00" in summary:
            raise forms.ValidationError(_("Caractère invalide."))
        return summary

    def to_config(self) -> dict:
        return {"summary": self.cleaned_data["summary"]}


class SlideStepForm(KindForm):
    """Next or previous slide, from the slide the panel showed (a double click moves once)."""

    index = forms.IntegerField(min_value=0, max_value=10_000)


class SlideChoiceForm(KindForm):
    """Names one slide of this talk."""

    slide = forms.ModelChoiceField(
        queryset=Slide.objects.none(),
        error_messages={"invalid_choice": _("Cette diapositive n'existe pas dans l'intervention.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slide"].queryset = Slide.objects.filter(activity=self.activity)


class SlideNotesForm(SlideChoiceForm):
    notes = forms.CharField(
        label=_("Notes de l'intervenant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("%(limit_value)d caractères au plus.")},
    )
