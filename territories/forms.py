from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from territories.cog import naf_labels
from territories.events import event_values, horizon_date
from territories.files import UploadRefused, check_file, limits
from territories.models import Filiere, ImportJob, MapLink, Territory
from workshops.kinds import KindConfigForm, KindForm


class TerritoryConfigForm(KindConfigForm):
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


class FiliereShownForm(KindForm):
    """The filière whose dynamics the wall shows (a key of the dynamics: a filière or the
    whole territory)."""

    filiere = forms.CharField(max_length=120, required=False)


class MapContributionForm(KindForm):
    locomotive = forms.CharField(
        label=_("Entreprise locomotive"),
        max_length=120,
        error_messages={"required": _("Nommez l'entreprise locomotive.")},
        widget=forms.TextInput(attrs={"list": "establishments", "autocomplete": "off"}),
    )
    filiere = forms.ModelChoiceField(
        label=_("Filière"),
        queryset=Filiere.objects.all(),
        to_field_name="name",
        empty_label=_("— choisir —"),
        error_messages={"required": _("Choisissez la filière.")},
    )
    partner = forms.CharField(
        label=_("Un partenaire local"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": "establishments", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(
        label=_("Sa relation avec la locomotive"), choices=MapLink.Relation.choices
    )


class FiliereOverridesForm(forms.Form):
    """One line per correspondence: `25.62 = Décolletage` (a NAF code or prefix, a filière)."""

    lines = forms.CharField(
        label=_("Correspondances propres au territoire (une par ligne : code NAF = filière)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "25.62 = Mines et métallurgie"}),
    )

    @classmethod
    def initial_from(cls, overrides: dict[str, str]) -> dict:
        return {"lines": "\n".join(f"{k} = {v}" for k, v in sorted(overrides.items()))}

    def clean_lines(self) -> dict[str, str]:
        names = set(Filiere.objects.values_list("name", flat=True))
        codes = naf_labels()
        result, errors = {}, []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, filiere = (part.strip() for part in line.partition("="))
            if not sep or not code or not filiere:
                errors.append(_("ligne %(n)d : écrivez « code NAF = filière »") % {"n": number})
            elif code.upper() not in codes:
                errors.append(
                    _("ligne %(n)d : code NAF inconnu « %(c)s »") % {"n": number, "c": code}
                )
            elif filiere not in names:
                errors.append(
                    _("ligne %(n)d : filière inconnue « %(f)s »") % {"n": number, "f": filiere}
                )
            else:
                result[code.upper()] = filiere
        if errors:
            raise forms.ValidationError(errors)
        return result


class EventForm(forms.Form):
    """One local event typed by hand, validated by the same rules as the CSV."""

    type = forms.CharField(label=_("Type"), max_length=20, required=False)
    date = forms.CharField(label=_("Date"), max_length=20, required=False)
    entreprise = forms.CharField(label=_("Entreprise"), max_length=200, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=20, required=False)
    emplois = forms.CharField(label=_("Emplois"), max_length=12, required=False)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        typed = {k: (v or "").strip() for k, v in super().clean().items()}
        values, problems = event_values(typed, horizon_date())
        if problems:
            raise forms.ValidationError(problems)
        self.values = values
        return typed


def _territory_field() -> forms.CharField:
    # Typing a territory asks the page which files hold it (the advice beside the form).
    return forms.CharField(
        label=_("Territoire"),
        max_length=2000,
        help_text=_(
            "SIREN d'un EPCI, code de département, codes communes séparés par des virgules, ou un territoire existant"
        ),
        error_messages={"required": _("Indiquez le territoire.")},
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("territories:import"),
                "hx-trigger": "input changed delay:500ms, change",
                "hx-target": "#advice",
                "hx-select": "#advice",
                "hx-swap": "outerHTML",
                "autocomplete": "off",
            }
        ),
    )


def _sections_field() -> forms.CharField:
    return forms.CharField(label=_("Sections NAF"), initial="C", max_length=60)


FILE_KINDS = [(k, label) for k, label in ImportJob.Kind.choices if k != ImportJob.Kind.API]


class ImportForm(forms.Form):
    territory = _territory_field()
    kind = forms.ChoiceField(label=_("Fichier"), choices=FILE_KINDS)
    file = forms.FileField(
        label=_("Fichier (CSV, .gz ou .zip)"),
        error_messages={"required": _("Choisissez un fichier.")},
    )
    stock_date = forms.DateField(
        label=_("Date du stock SIRENE"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sections = _sections_field()

    def clean_file(self):
        """Size and a ZIP's declared sizes, judged without decompressing anything."""
        upload = self.cleaned_data["file"]
        try:
            check_file(upload.file, upload.size, limits())
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


class ApiImportForm(forms.Form):
    """Fill a territory from the API Recherche d'entreprises (no file)."""

    prefix = "api"  # beside the file form on the same page

    territory = forms.CharField(
        label=_("Territoire"),
        max_length=2000,
        error_messages={"required": _("Indiquez le territoire.")},
    )
    sections = _sections_field()

    def clean_sections(self) -> str:
        letters = [s.strip().upper() for s in self.cleaned_data["sections"].split(",")]
        letters = [s for s in letters if s]
        valid = {chr(c) for c in range(ord("A"), ord("U") + 1)}
        if not letters or any(s not in valid for s in letters):
            raise forms.ValidationError(
                _("Sections NAF : des lettres de A à U, séparées par des virgules.")
            )
        return ",".join(dict.fromkeys(letters))


class RetryForm(forms.Form):
    """Start a failed import again (the job is named by the URL)."""
