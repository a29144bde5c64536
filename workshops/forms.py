from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from workshops.models import CODE_LENGTH, ActorType, Rencontre, normalize_code
from workshops.words import clean as tidy


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de la rencontre"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "placeholder": "ABC234",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("Le code compte %(n)d caractères (lettres et chiffres)."),
                params={"n": CODE_LENGTH},
            )
        return code


class JoinForm(forms.Form):
    name = forms.CharField(
        label=_("Prénom et nom"),
        max_length=120,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=160,
        error_messages={"required": _("Indiquez votre organisation.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    actor_type = forms.ChoiceField(
        label=_("Vous représentez"),
        choices=[("", _("— choisir —")), *ActorType.choices],
        error_messages={"required": _("Choisissez ce que vous représentez.")},
    )
    listed = forms.BooleanField(
        label=_("J'accepte que mon nom figure dans la liste des participants du compte rendu."),
        required=False,
    )


class RencontreForm(forms.ModelForm):
    class Meta:
        model = Rencontre
        fields = ["title", "date", "place", "territory_name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ControlForm(forms.Form):
    """One control-panel command. `expected` guards next/previous against double clicks."""

    OPS = (
        "next",
        "previous",
        "goto",
        "open",
        "close",
        "qr_show",
        "qr_hide",
        "timer_start",
        "timer_pause",
        "timer_extend",
        "timer_reset",
        "results_show",
        "results_hide",
        "split_on",
        "split_off",
    )
    op = forms.ChoiceField(choices=[(op, op) for op in OPS])
    expected = forms.IntegerField(required=False)
    activity = forms.IntegerField(required=False)
    minutes = forms.IntegerField(required=False, min_value=0, max_value=240)


# ---------------------------------------------------------------- answers (phone)


class PollAnswerForm(forms.Form):
    """One tap: `choice` picks (single choice) or toggles (multiple); `other` is free text."""

    choice = forms.CharField(required=False, max_length=40)
    other = forms.CharField(
        required=False,
        max_length=120,
        error_messages={
            "max_length": _("120 caractères au plus (vous en avez tapé %(show_value)d).")
        },
    )

    def __init__(self, *args, choice_ids: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choice_ids = choice_ids

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


class ScaleAnswerForm(forms.Form):
    statement = forms.CharField(max_length=40)
    value = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        error_messages={"invalid_choice": _("Choisissez un niveau de 1 à 5.")},
    )

    def __init__(self, *args, statement_ids: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.statement_ids = statement_ids

    def clean_statement(self) -> str:
        statement = self.cleaned_data["statement"]
        if statement not in self.statement_ids:
            raise forms.ValidationError(_("Cette affirmation n'existe pas."))
        return statement


class WordsAnswerForm(forms.Form):
    """Up to `max_words` words or short phrases; empty boxes are ignored."""

    def __init__(self, *args, max_words: int, max_length: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_words = max_words
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
            raise forms.ValidationError(_("%(n)d mots au plus.") % {"n": self.max_words})
        data["words"] = [w for w in words if w]
        if not self.errors and not data["words"]:
            raise forms.ValidationError(_("Écrivez au moins un mot."))
        return data


class QuestionAnswerForm(forms.Form):
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

    def __init__(self, *args, max_length: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = max_length
        self.fields["text"].validators.append(MaxLengthValidator(max_length))
        self.fields["text"].widget.attrs["maxlength"] = str(max_length)


# ---------------------------------------------------------------- activity editing (control)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_minutes = forms.IntegerField(label=_("Durée prévue (min)"), min_value=1, max_value=240)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class ChoicesConfigForm(forms.Form):
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

    def __init__(self, *args, existing: list[dict], answered: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.answered = answered
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
                _("%(n)d caractères au plus par ligne.") % {"n": self.item_max_length}
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


class WordsConfigForm(forms.Form):
    max_words = forms.IntegerField(label=_("Mots par participant"), min_value=1, max_value=3)
    max_length = forms.IntegerField(
        label=_("Longueur maximale d'un mot ou d'une expression"), min_value=10, max_value=60
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"max_words": config.get("max_words", 3), "max_length": config.get("max_length", 40)}

    def to_config(self) -> dict:
        return dict(self.cleaned_data)


class QuestionConfigForm(forms.Form):
    max_length = forms.IntegerField(
        label=_("Longueur maximale de la réponse"), min_value=20, max_value=1000
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"max_length": config.get("max_length", 280)}

    def to_config(self) -> dict:
        return dict(self.cleaned_data)


class NewActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"))
    title = forms.CharField(label=_("Titre"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        from workshops import kinds

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds.choices()


class StepForm(forms.Form):
    title = forms.CharField(label=_("Titre de l'étape"), max_length=200)
    planned_minutes = forms.IntegerField(label=_("Durée prévue (min)"), min_value=1, max_value=480)
