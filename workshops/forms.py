from __future__ import annotations

from django import forms
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from workshops import agenda_templates, kinds
from workshops.models import (
    CODE_LENGTH,
    Activity,
    ActorType,
    AgendaTemplate,
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


# ---------------------------------------------------------------- preparing a rencontre


class NewRencontreForm(RencontreForm):
    """A new rencontre and where it starts from: a template the user may use (shipped or their
    own: `modele-<id>`) or one of their rencontres to duplicate (`rencontre-<code>`); none
    (a post without the field) is the default half-day.

    `templates` and `rencontres` are the choices, in the order the page shows them."""

    source = forms.ChoiceField(
        label=_("Point de départ"),
        widget=forms.RadioSelect,
        required=False,  # none: the default half-day (`settings.DEFAULT_AGENDA`)
        error_messages={
            "invalid_choice": _("Ce modèle ou cette rencontre ne vous est pas accessible."),
        },
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.templates: list[AgendaTemplate] = (
            list(agenda_templates.visible_to(user)) if user is not None else []
        )
        self.rencontres: list[Rencontre] = (
            list(
                Rencontre.objects.filter(facilitators=user)
                .annotate(n_steps=Count("steps"), minutes=Sum("steps__planned_minutes"))
                .order_by("-date", "-id")
            )
            if user is not None
            else []
        )
        self.fields["source"].choices = [(f"modele-{t.pk}", t.name) for t in self.templates] + [
            (f"rencontre-{r.code}", r.title) for r in self.rencontres
        ]
        if self.templates and "source" not in self.initial:
            self.initial["source"] = f"modele-{self.templates[0].pk}"

    def clean_source(self) -> AgendaTemplate | Rencontre | None:
        value = self.cleaned_data["source"]
        if not value:
            return None
        for template in self.templates:
            if value == f"modele-{template.pk}":
                return template
        return next(r for r in self.rencontres if value == f"rencontre-{r.code}")


class AgendaTemplateForm(forms.Form):
    """Save a rencontre as a template of one's own."""

    name = forms.CharField(
        label=_("Nom du modèle"),
        max_length=200,
        error_messages={"required": _("Donnez un nom au modèle.")},
    )
    description = forms.CharField(
        label=_("Description (ce que la demi-journée permet, pour qui)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
