from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.models import CODE_LENGTH, ActorType, Rencontre, normalize_code


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
    )
    op = forms.ChoiceField(choices=[(op, op) for op in OPS])
    expected = forms.IntegerField(required=False)
    activity = forms.IntegerField(required=False)
    minutes = forms.IntegerField(required=False, min_value=0, max_value=240)
