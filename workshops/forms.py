from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from workshops import kinds
from workshops.models import (
    CODE_LENGTH,
    Activity,
    ActorType,
    Participant,
    Rencontre,
    Step,
    normalize_code,
)


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


# ---------------------------------------------------------------- activity editing (control)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_minutes = forms.IntegerField(label=_("Durée prévue (min)"), min_value=1, max_value=240)


class NewActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"))
    title = forms.CharField(label=_("Titre"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds.choices()


class StepForm(forms.Form):
    title = forms.CharField(label=_("Titre de l'étape"), max_length=200)
    planned_minutes = forms.IntegerField(label=_("Durée prévue (min)"), min_value=1, max_value=480)


# ---------------------------------------------------------------- control-panel commands


class ExpectedForm(forms.Form):
    """Next / previous: `expected` is the activity the facilitator saw as current, so a double
    click moves only once."""

    expected = forms.IntegerField(required=False)


class RencontreItemForm(forms.Form):
    """Base of the commands that name a step or an activity: only those of this rencontre."""

    def __init__(self, *args, rencontre: Rencontre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rencontre = rencontre
        for name, field in self.fields.items():
            if name == "activity":
                field.queryset = Activity.objects.filter(step__rencontre=rencontre).select_related(
                    "step"
                )
            elif name == "step":
                field.queryset = rencontre.steps.all()


class ActivityChoiceForm(RencontreItemForm):
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        error_messages={"invalid_choice": _("Cette activité n'existe pas dans la rencontre.")},
    )


class StepChoiceForm(RencontreItemForm):
    step = forms.ModelChoiceField(
        queryset=Step.objects.none(),
        error_messages={"invalid_choice": _("Cette étape n'existe pas dans la rencontre.")},
    )


class StepEditForm(StepChoiceForm, StepForm):
    pass


class NewActivityInStepForm(StepChoiceForm, NewActivityForm):
    pass


class TimerStartForm(forms.Form):
    minutes = forms.IntegerField(required=False, min_value=0, max_value=240)


class TimerExtendForm(forms.Form):
    minutes = forms.IntegerField(required=False, min_value=1, max_value=240)


class ParticipantChoiceForm(forms.Form):
    """The panel's participant commands (absent, present, remove): only this rencontre's."""

    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        error_messages={"invalid_choice": _("Ce participant n'existe pas dans la rencontre.")},
    )

    def __init__(self, *args, rencontre: Rencontre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(rencontre=rencontre)


# ---------------------------------------------------------------- a participant's contact

PHONE_NUMBER = re.compile(r"^\+?[0-9 ().\-/]{6,25}$")


class ContactForm(forms.Form):
    """The optional e-mail and contact a participant leaves on the phone or their personal
    page, each with its own consent."""

    email = forms.EmailField(
        label=_("Mon e-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Cette adresse e-mail n'est pas valide.")},
    )
    email_consent = forms.BooleanField(
        label=_(
            "Envoyez-moi ma fiche à la fin de la rencontre et un rappel la veille de chacune "
            "de mes échéances."
        ),
        required=False,
    )
    contact = forms.CharField(
        label=_("Un contact à échanger avec mes partenaires (e-mail ou téléphone)"),
        required=False,
        max_length=120,
        error_messages={
            "max_length": _("120 caractères au plus (vous en avez tapé %(show_value)d).")
        },
    )
    contact_consent = forms.BooleanField(
        label=_(
            "J'accepte d'échanger mon organisation et ce contact avec les participants qui "
            "portent une action avec moi, s'ils l'acceptent aussi."
        ),
        required=False,
    )

    @classmethod
    def for_participant(cls, participant: Participant) -> ContactForm:
        """The form showing what the participant left."""
        return cls(
            initial={
                "email": participant.email,
                "email_consent": participant.email_consent,
                "contact": participant.contact,
                "contact_consent": participant.contact_consent,
            },
            auto_id="id_contact_%s",
        )

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"].strip()
        if not contact:
            return ""
        digits = sum(ch.isdigit() for ch in contact)
        if PHONE_NUMBER.match(contact) and digits >= 6 and contact.isascii():
            return contact
        try:
            validate_email(contact)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Indiquez une adresse e-mail ou un numéro de téléphone.")
            ) from None
        return contact

    def clean(self) -> dict:
        data = super().clean()
        if data.get("email_consent") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Indiquez votre e-mail pour recevoir votre fiche."))
        return data
