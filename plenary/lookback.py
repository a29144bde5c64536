"""The look back: what worked and what got stuck since the Territoires d'industrie programme
(2018 by default, set per activity), for the shared diagnosis.

Each participant adds short items (140 characters at most) to one of two columns, "Ce qui a
marché" and "Ce qui a bloqué", each with an optional theme (foncier, compétences, énergie,
financement, acceptabilité, autre); they see the others' items and support them ("Je
soutiens"), never their own. The wall shows both columns side by side, most supported first,
as many as fit and "+ N autres"; the facilitator hides an item from the panel; the PDF prints
both columns with their supports and themes, and a count per theme.

Writes: `plenary.services.lookback_*`; reads: `plenary.selectors.lookback_*`; template:
`plenary/kinds/lookback.html`.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any

from django import forms
from django.db.models import Count
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from plenary import selectors, services
from plenary.models import LookbackItem, LookbackSupport
from workshops.kinds import (
    ActivityKind,
    Command,
    Example,
    Export,
    KindConfigForm,
    KindForm,
    KindResults,
    Personal,
)
from workshops.models import Activity, Participant

MAX_LENGTH = LookbackItem._meta.get_field("text").max_length
OTHERS_SHOWN = 60  # per column on a phone


class LookbackConfigForm(KindConfigForm):
    since = forms.IntegerField(
        label=_("Depuis l'année"),
        help_text=_("Le programme Territoires d'industrie a été lancé en 2018."),
        min_value=1950,
        max_value=2100,
        error_messages={"required": _("Indiquez une année, par exemple 2018.")},
    )

    @classmethod
    def initial_from(cls, config: dict[str, Any]) -> dict[str, Any]:
        return {"since": config.get("since", selectors.LOOKBACK_SINCE)}

    def clean_since(self) -> int:
        since = self.cleaned_data["since"]
        if since > timezone.localdate().year:
            raise forms.ValidationError(_("Cette année n'est pas encore passée."))
        return since


class LookbackItemForm(KindForm):
    """One item: its text, an optional theme, and the column (the button pressed)."""

    text = forms.CharField(
        label=_("En quelques mots"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Écrivez quelques mots avant d'ajouter."),
            "max_length": _(
                "%(limit_value)d caractères au plus : raccourcissez (vous en avez tapé "
                "%(show_value)d)."
            ),
        },
    )
    theme = forms.ChoiceField(
        label=_("Thème (facultatif)"),
        required=False,
        choices=[("", _("Sans thème")), *LookbackItem.Theme.choices],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Ce thème n'est pas dans la liste.")},
    )
    column = forms.ChoiceField(
        choices=LookbackItem.Column.choices,
        error_messages={
            "required": _("Choisissez : ce qui a marché, ou ce qui a bloqué."),
            "invalid_choice": _("Choisissez : ce qui a marché, ou ce qui a bloqué."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No maxlength in the page: a pasted text is not cut silently, the server says why.
        self.fields["text"].widget.attrs.pop("maxlength", None)


class ItemForm(KindForm):
    """Names one item of this activity."""

    item = forms.ModelChoiceField(
        queryset=LookbackItem.objects.none(),
        error_messages={
            "required": _("Cet élément n'existe pas dans l'activité."),
            "invalid_choice": _("Cet élément n'existe pas dans l'activité."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = LookbackItem.objects.filter(activity=self.activity)


class OwnItemForm(ItemForm):
    """Names one of the participant's own items of this activity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = LookbackItem.objects.filter(
            activity=self.activity, participant=self.participant
        )


def _remove(*, activity: Activity, participant: Participant, item: LookbackItem) -> None:
    services.lookback_item_remove(participant=participant, item=item)


def _support(
    *, activity: Activity, participant: Participant, item: LookbackItem, supported: bool
) -> None:
    services.lookback_support_set(participant=participant, item=item, supported=supported)


NOT_YOURS = _("Vous ne pouvez soutenir que les éléments publiés par les autres participants.")


class LookbackKind(ActivityKind):
    key = "lookback"
    label = _("Regard en arrière : réussites et difficultés")
    template = "plenary/kinds/lookback.html"
    takes_input = True
    has_phone_part = True
    phone_parts = ("mine", "others")
    shows_results = True
    config_form = LookbackConfigForm
    phone_commands = (
        Command(
            "ajouter",
            LookbackItemForm,
            services.lookback_item_add,
            success=_("Ajouté. Un autre ?"),
            refusals={
                services.LookbackLimitError: format_lazy(
                    _(
                        "Vous avez déjà donné {n} éléments : retirez-en un pour en ajouter "
                        "un autre."
                    ),
                    n=services.LOOKBACK_MAX_ITEMS,
                )
            },
        ),
        Command("retirer", OwnItemForm, _remove),
        Command(
            "soutenir",
            ItemForm,
            partial(_support, supported=True),
            answer="others",
            refusals={services.LookbackNotAllowedError: NOT_YOURS},
        ),
        Command(
            "ne-plus-soutenir",
            ItemForm,
            partial(_support, supported=False),
            answer="others",
            refusals={services.LookbackNotAllowedError: NOT_YOURS},
        ),
    )
    control_commands = (
        Command("masquer", ItemForm, partial(services.lookback_item_set_hidden, hidden=True)),
        Command("afficher", ItemForm, partial(services.lookback_item_set_hidden, hidden=False)),
    )

    def initial_config(self) -> dict[str, Any]:
        return {"since": selectors.LOOKBACK_SINCE}

    def results(self, activity: Activity) -> KindResults:
        return selectors.lookback_results(activity)

    def participants_with_own_part(self, activity: Activity) -> Collection[int]:
        """Authors and supporters: their items and their supports are theirs alone."""
        authors = LookbackItem.objects.filter(activity=activity).values_list(
            "participant_id", flat=True
        )
        supporters = LookbackSupport.objects.filter(item__activity=activity).values_list(
            "participant_id", flat=True
        )
        return set(authors) | set(supporters)

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
        pid = participant.pk if participant is not None else None
        items = [
            i for i in selectors.lookback_items(activity) if not i.hidden or i.participant_id == pid
        ]
        mine = sorted((i for i in items if i.participant_id == pid), key=lambda i: i.pk)
        others = sorted((i for i in items if i.participant_id != pid), key=lambda i: -i.pk)
        supported = (
            set(
                LookbackSupport.objects.filter(
                    participant=participant, item__activity=activity
                ).values_list("item_id", flat=True)
            )
            if participant is not None
            else set()
        )
        errors = [str(e) for field in form.errors.values() for e in field] if form else []
        about_own = isinstance(form, OwnItemForm)
        about_others = isinstance(form, ItemForm) and not about_own
        if not isinstance(form, LookbackItemForm):
            form = LookbackItemForm(activity=activity, participant=participant)
        columns = LookbackItem.Column.choices
        context.update(
            {
                "form": form,
                "since": selectors.lookback_since(activity),
                "mine": mine,
                "limit": services.LOOKBACK_MAX_ITEMS,
                "others_columns": [
                    {
                        "key": value,
                        "label": label,
                        "items": [i for i in others if i.column == value][:OTHERS_SHOWN],
                    }
                    for value, label in columns
                ],
                "n_others": len(others),
                "supported": supported,
                "message": "" if about_others else message,
                "support_message": " ".join([message, *errors]).strip() if about_others else "",
                "remove_errors": errors if about_own else [],
            }
        )
        return context

    def personal(self, participant: Participant) -> Personal | None:
        items = list(
            LookbackItem.objects.filter(participant=participant)
            .select_related("activity")
            .annotate(n_supports=Count("supports"))
            .order_by("activity__step__position", "activity__position", "column", "id")
        )
        if not items:
            return None
        return Personal("plenary/kinds/lookback.html#personal", {"items": items})

    def exports(self) -> tuple[Export, ...]:
        return (Export("regard_en_arriere", selectors.LOOKBACK_COLUMNS, selectors.lookback_rows),)

    def examples(self, activity: Activity) -> tuple[Example, ...]:
        return (
            Example(
                "phone",
                "ajouter",
                {
                    "column": LookbackItem.Column.WORKED,
                    "text": "La reprise de la fonderie par un groupe local",
                    "theme": LookbackItem.Theme.COMPETENCES,
                },
            ),
            Example(
                "phone",
                "ajouter",
                {"column": LookbackItem.Column.BLOCKED, "text": "Pas de foncier prêt à bâtir"},
            ),
        )
