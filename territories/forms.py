from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from territories.models import Territory


class TerritoryConfigForm(forms.Form):
    territory = forms.ModelChoiceField(
        label=_("Territoire"),
        queryset=Territory.objects.all(),
        to_field_name="slug",
        empty_label=_("— choisir (importez d'abord un fichier SIRENE) —"),
    )
    since = forms.IntegerField(
        label=_("Depuis l'année"), required=False, min_value=1950, max_value=2100
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"territory": config.get("territory"), "since": config.get("since")}

    def to_config(self) -> dict:
        return {
            "territory": self.cleaned_data["territory"].slug,
            "since": self.cleaned_data["since"],
        }
