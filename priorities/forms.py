from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from priorities.models import (
    Action,
    Benefit,
    Horizon,
    Origin,
    PeerGroup,
    PlanningDocument,
    Priority,
)
from territories.models import Filiere
from workshops.kinds import KindConfigForm, KindForm
from workshops.models import Participant


def next_working_day(today: dt.date | None = None) -> dt.date:
    """The next day from Monday to Friday (public holidays are not known here)."""
    day = (today or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def in_one_month(today: dt.date) -> dt.date:
    """The same day next month (the month's last day when it has no such day)."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    for day in range(today.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(today.day, 28))


# The spread of due dates the phone proposes: none is preselected, so that the room's
# actions do not all fall on the same day by default.
DUE_CHOICES = (
    ("tomorrow", _("Demain")),
    ("week", _("Dans une semaine")),
    ("month", _("Dans un mois")),
    ("date", _("À une date précise")),
)


def due_from_choice(when: str, today: dt.date | None = None) -> dt.date | None:
    """The date of a proposed choice ("tomorrow", "week", "month"); None for "date"."""
    today = today or timezone.localdate()
    return {
        "tomorrow": today + dt.timedelta(days=1),
        "week": today + dt.timedelta(days=7),
        "month": in_one_month(today),
    }.get(when)


class PriorityForm(KindForm):
    """Every field optional: the phone saves each one as it is filled; `rank` says which of
    the participant's priorities (1 or 2)."""

    rank = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "1"), (2, "2")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Cette priorité n'existe pas.")},
    )

    statement = forms.CharField(
        label=_("Ma priorité, en une phrase"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("300 caractères au plus (vous en avez tapé %(show_value)d).")
        },
    )
    filiere = forms.ModelChoiceField(
        label=_("Filière"),
        queryset=Filiere.objects.all(),
        required=False,
        empty_label=_("— choisir —"),
        error_messages={"invalid_choice": _("Cette filière n'est pas dans la liste.")},
    )
    filiere_other = forms.CharField(label=_("Autre filière"), required=False, max_length=120)
    jobs_count = forms.IntegerField(
        label=_("Combien d'emplois ?"),
        required=False,
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    jobs_kinds = forms.CharField(
        label=_("Quels emplois, quelles compétences ?"), required=False, max_length=200
    )
    benefits = forms.MultipleChoiceField(
        label=_("Retombées locales attendues"),
        choices=Benefit.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    benefits_note = forms.CharField(label=_("Précisez"), required=False, max_length=300)
    origin = forms.ChoiceField(
        label=_("D'où viendra la croissance ?"),
        choices=[("", _("— choisir —")), *Origin.choices],
        required=False,
    )
    horizon = forms.ChoiceField(
        label=_("Horizon"), choices=[("", _("— choisir —")), *Horizon.choices], required=False
    )
    indicator = forms.CharField(
        label=_("Comment saurez-vous que c'est réussi ?"), required=False, max_length=200
    )
    document = forms.ChoiceField(
        label=_("Quel document faut-il faire évoluer ?"),
        choices=PlanningDocument.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Ce document n'est pas dans la liste.")},
    )
    document_change = forms.CharField(
        label=_("Qu'y changer, en une ligne ?"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": _("200 caractères au plus (vous en avez tapé %(show_value)d).")
        },
    )

    @classmethod
    def initial_from(cls, priority: Priority | None) -> dict:
        if priority is None:
            return {}
        return {name: getattr(priority, name) for name in cls.base_fields if name != "rank"}


class ActionForm(KindForm):
    text = forms.CharField(
        label=_("L'action"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Décrivez l'action."),
            "max_length": _("300 caractères au plus (vous en avez tapé %(show_value)d)."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=Action.Kind.choices,
        initial=Action.Kind.START,
        widget=forms.RadioSelect,
    )
    owner = forms.CharField(
        label=_("Porteur"),
        max_length=160,
        error_messages={
            "required": _("Qui porte l'action ?"),
            "max_length": _("160 caractères au plus (vous en avez tapé %(show_value)d)."),
        },
    )
    when = forms.ChoiceField(
        label=_("Échéance"),
        choices=DUE_CHOICES,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "due-choices"}),
        error_messages={"invalid_choice": _("Choisissez une des échéances proposées.")},
    )
    due = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Date non valide.")},
    )
    priority = forms.ModelChoiceField(
        label=_("Au service de la priorité"),
        queryset=Priority.objects.none(),
        required=False,
        empty_label=_("— aucune —"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(
            participant=self.participant
        ).exclude(statement="")
        today = timezone.localdate()
        self.fields["due"].widget.attrs["min"] = today.isoformat()
        # Each proposed choice with its date, shown under it on the phone.
        self.due_dates = {
            key: formats.date_format(day, "D j F") if day else ""
            for key, _label in DUE_CHOICES
            for day in [due_from_choice(key, today)]
        }

    def clean_due(self) -> dt.date | None:
        due = self.cleaned_data["due"]
        if due is None:
            return None
        if due < timezone.localdate():
            raise forms.ValidationError(_("L'échéance ne peut pas être dans le passé."))
        if due.year > timezone.localdate().year + 10:
            raise forms.ValidationError(_("Une échéance à plus de dix ans n'est pas une action."))
        return due

    def clean(self) -> dict:
        """`when` gives the date (a typed date with "À une date précise", or alone); the
        service receives `due` only."""
        data = super().clean()
        when = data.pop("when", "") or ""
        if "due" not in data:  # an invalid typed date, already reported
            return data
        proposed = due_from_choice(when)
        if proposed is not None:
            data["due"] = proposed
        elif data["due"] is None:
            self.add_error(
                "due" if when == "date" else "when",
                _("Indiquez la date.") if when == "date" else _("Choisissez une échéance."),
            )
        return data


class TablesForm(KindForm):
    mode = forms.ChoiceField(label=_("Composition"), choices=PeerGroup.Mode.choices)
    size = forms.IntegerField(label=_("Personnes par table"), min_value=2, max_value=12, initial=5)


class SeatMoveForm(KindForm):
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        error_messages={"invalid_choice": _("Ce participant n'est pas dans la rencontre.")},
    )
    number = forms.IntegerField(min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            rencontre_id=self.activity.step.rencontre_id
        )


class PriorityConfigForm(KindConfigForm):
    max_priorities = forms.TypedChoiceField(
        label=_("Priorités par participant"), coerce=int, choices=[(1, "1"), (2, "2")]
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {"max_priorities": config.get("max_priorities", 1)}

    def to_config(self) -> dict:
        return dict(self.cleaned_data)


class ActionsConfigForm(KindConfigForm):
    min_actions = forms.IntegerField(
        label=_("Actions attendues (minimum)"), min_value=1, max_value=5
    )
    max_actions = forms.IntegerField(
        label=_("Actions par participant (maximum)"), min_value=1, max_value=5
    )

    @classmethod
    def initial_from(cls, config: dict) -> dict:
        return {
            "min_actions": config.get("min_actions", 2),
            "max_actions": config.get("max_actions", 3),
        }

    def clean(self):
        data = super().clean()
        if (
            data.get("min_actions")
            and data.get("max_actions")
            and data["min_actions"] > data["max_actions"]
        ):
            raise forms.ValidationError(_("Le minimum dépasse le maximum."))
        return data

    def to_config(self) -> dict:
        return dict(self.cleaned_data)


class OwnActionForm(KindForm):
    """Names one of the participant's own actions."""

    action = forms.ModelChoiceField(
        queryset=Action.objects.none(),
        error_messages={"invalid_choice": _("Cette action n'existe plus.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(participant=self.participant)


class SupportForm(KindForm):
    """Names an action of the participant's rencontre."""

    action = forms.ModelChoiceField(
        queryset=Action.objects.none(),
        error_messages={"invalid_choice": _("Cette action n'existe plus.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(
            rencontre_id=self.participant.rencontre_id
        )


class SpotlightForm(KindForm):
    """Names a priority of the activity's rencontre."""

    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(),
        error_messages={"invalid_choice": _("Cette priorité n'existe pas dans la rencontre.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(
            rencontre_id=self.activity.step.rencontre_id
        )


class PartnershipForm(KindForm):
    """Names an action of another participant of the rencontre, to join it or leave it."""

    action = forms.ModelChoiceField(
        queryset=Action.objects.none(),
        error_messages={"invalid_choice": _("Cette action n'existe plus.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(
            rencontre_id=self.participant.rencontre_id
        )
