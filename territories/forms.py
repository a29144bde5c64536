from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from territories.models import Territory
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


class MapContributionForm(KindForm):
    locomotive = forms.CharField(
        label=_("Entreprise locomotive"),
        max_length=120,
        error_messages={"required": _("Nommez l'entreprise locomotive.")},
        widget=forms.TextInput(attrs={"list": "establishments", "autocomplete": "off"}),
    )
    filiere = forms.ModelChoiceField(
        label=_("Filière"),
        queryset=None,
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
    relation = forms.ChoiceField(label=_("Sa relation avec la locomotive"), choices=())

    def __init__(self, *args, **kwargs) -> None:
        from territories.models import Filiere, MapLink

        super().__init__(*args, **kwargs)
        self.fields["filiere"].queryset = Filiere.objects.all()
        self.fields["relation"].choices = MapLink.Relation.choices


class FiliereOverridesForm(forms.Form):
    """One line per correspondence: `25.62 = Décolletage` (a NAF code or prefix, a filière)."""

    lines = forms.CharField(
        label=_("Correspondances propres au territoire (une par ligne : code NAF = filière)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "25.62 = Mines et métallurgie"}),
    )

    @classmethod
    def initial_from(cls, overrides: dict[str, str]) -> dict:
        return {"lines": "\n".join(f"{k} = {v}" for k, v in sorted(overrides.items()))}

    def clean_lines(self) -> dict[str, str]:
        from territories.cog import naf_labels
        from territories.models import Filiere

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


class ImportForm(forms.Form):
    territory = forms.CharField(
        label=_("Territoire"),
        max_length=2000,
        help_text=_(
            "SIREN d'un EPCI, code de département, codes communes séparés par des virgules, ou un territoire existant"
        ),
        error_messages={"required": _("Indiquez le territoire.")},
    )
    kind = forms.ChoiceField(label=_("Fichier"), choices=())
    file = forms.FileField(
        label=_("Fichier (CSV, .gz ou .zip)"),
        error_messages={"required": _("Choisissez un fichier.")},
    )
    stock_date = forms.DateField(
        label=_("Date du stock SIRENE"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sections = forms.CharField(label=_("Sections NAF"), initial="C", max_length=60)

    def __init__(self, *args, **kwargs) -> None:
        from territories.models import ImportJob

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ImportJob.Kind.choices


class FiliereShownForm(KindForm):
    """The filière whose dynamics the wall shows (empty or the total: the whole territory)."""

    filiere = forms.CharField(required=False, max_length=120)
