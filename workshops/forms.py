from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.db.models import Count, Sum
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from workshops import agenda_templates, debrief, kinds
from workshops.models import (
    CODE_LENGTH,
    Activity,
    ActorType,
    AgendaTemplate,
    DebriefLogo,
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
        fields = ["title", "date", "place", "territory_name", "language"]
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


def language_names() -> list[tuple[str, str]]:
    """Each language offered, named in itself, as its reader looks for it."""
    return [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]


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
        # The templates in the page's language first, then the others (each says its language).
        current = get_language()
        self.templates.sort(key=lambda t: t.language != current)
        self.page_language = current if current in dict(settings.LANGUAGES) else None
        # Left as it is: the language of the template or rencontre started from (a new
        # rencontre without either: the page's).
        self.fields["language"].required = False
        self.fields["language"].choices = [("", _("Celle du point de départ")), *language_names()]
        self.fields["language"].initial = ""
        self.fields["language"].help_text = _(
            "Celle du mur, du compte rendu et des e-mails ; chaque téléphone garde la sienne."
        )
        self.fields["source"].choices = [(f"modele-{t.pk}", t.name) for t in self.templates] + [
            (f"rencontre-{r.code}", r.title) for r in self.rencontres
        ]
        if self.templates and "source" not in self.initial:
            self.initial["source"] = f"modele-{self.templates[0].pk}"

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("language"):
            source = cleaned.get("source")
            cleaned["language"] = (
                source.language
                if source is not None
                else self.page_language or settings.LANGUAGE_CODE
            )
        return cleaned

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


# ---------------------------------------------------------------- the debrief's settings

MAX_KEY_MESSAGES = 6
KEY_MESSAGE_MAX_LENGTH = 300


class DebriefSettingsForm(forms.Form):
    """The PDF's key messages (up to six lines, blank ones dropped) and its sections. The
    steps offered are the rencontre's; a ticked step has its section in the PDF."""

    SWITCHES = (
        "show_figures",
        "show_key_messages",
        "show_highlights",
        "show_agenda",
        "show_participants",
    )

    show_figures = forms.BooleanField(label=_("Chiffres clés en couverture"), required=False)
    show_key_messages = forms.BooleanField(label=_("Messages clés"), required=False)
    show_highlights = forms.BooleanField(label=_("Faits saillants du constat"), required=False)
    show_agenda = forms.BooleanField(label=_("Déroulé de la rencontre"), required=False)
    steps = forms.MultipleChoiceField(
        label=_("Sections des étapes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Cette étape n'existe pas dans la rencontre.")},
    )
    show_participants = forms.BooleanField(label=_("Annexe : les participants"), required=False)

    def __init__(self, *args, rencontre: Rencontre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rencontre = rencontre
        self.fields["steps"].choices = [
            (str(step.pk), step.title) for step in rencontre.steps.order_by("position")
        ]
        for n in range(1, MAX_KEY_MESSAGES + 1):
            self.fields[f"message_{n}"] = forms.CharField(
                label=_("Message %(n)d") % {"n": n},
                required=False,
                max_length=KEY_MESSAGE_MAX_LENGTH,
                error_messages={
                    "max_length": _(
                        "Un message clé tient en %(limit_value)d caractères au plus "
                        "(celui-ci en compte %(show_value)d) : raccourcissez-le."
                    )
                },
                widget=forms.Textarea(attrs={"class": "key-message", "rows": 3}),
            )

    def message_fields(self) -> list[forms.BoundField]:
        return [self[f"message_{n}"] for n in range(1, MAX_KEY_MESSAGES + 1)]

    def section_fields(self) -> list[forms.BoundField]:
        names = ("show_figures", "show_key_messages", "show_highlights", "show_agenda")
        return [self[name] for name in names]

    def key_messages(self) -> list[str]:
        """The non-blank messages, in order, each on one line."""
        lines = (
            self.cleaned_data.get(f"message_{n}") or "" for n in range(1, MAX_KEY_MESSAGES + 1)
        )
        printable = ("".join(ch if ch.isprintable() else " " for ch in line) for line in lines)
        return [" ".join(line.split()) for line in printable if line.strip()]

    def hidden_steps(self) -> list[int]:
        ticked = set(self.cleaned_data.get("steps") or [])
        return [int(pk) for pk, _label in self.fields["steps"].choices if pk not in ticked]


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MIN_SIDE = 16
LOGO_MAX_SIDE = 5000
LOGO_MAX_RATIO = 12  # wider than twelve times its height (or taller) is no logo
LOGO_KEPT_SIDE = 1200  # larger logos are scaled down: the cover prints them a few cm wide
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_PARTNER_LOGOS = 8


@dataclass(frozen=True)
class PreparedLogo:
    """An uploaded logo decoded and written again by Pillow (metadata and anything hidden
    after the image dropped), ready to store."""

    content: bytes
    extension: str
    width: int
    height: int


def logo_prepare(data: bytes) -> PreparedLogo:
    """Decode a PNG or JPEG logo, check its dimensions and encode it again (scaled down past
    LOGO_KEPT_SIDE). Raises ValidationError with a French message for anything else."""
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise forms.ValidationError(
            _(
                "Les logos SVG ne sont pas acceptés (ils peuvent contenir du code) : "
                "exportez-le en PNG depuis votre logiciel."
            ),
            code="svg",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                probe.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise forms.ValidationError(
            _("Cette image est bien trop grande pour un logo."), code="size"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise forms.ValidationError(
            _("Ce fichier n'est pas une image lisible : choisissez un logo PNG ou JPEG."),
            code="not_image",
        ) from None
    if kind not in LOGO_FORMATS:
        raise forms.ValidationError(
            _("Ce fichier est une image %(format)s : seuls PNG et JPEG sont acceptés."),
            params={"format": kind or "?"},
            code="format",
        )
    if min(width, height) < LOGO_MIN_SIDE or max(width, height) > LOGO_MAX_SIDE:
        raise forms.ValidationError(
            _(
                "Ce logo mesure %(w)d × %(h)d pixels : il doit faire entre %(min)d et %(max)d "
                "pixels de côté."
            ),
            params={"w": width, "h": height, "min": LOGO_MIN_SIDE, "max": LOGO_MAX_SIDE},
            code="size",
        )
    if max(width, height) > LOGO_MAX_RATIO * min(width, height):
        raise forms.ValidationError(
            _("Ce logo (%(w)d × %(h)d pixels) est trop étiré pour la couverture."),
            params={"w": width, "h": height},
            code="ratio",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((LOGO_KEPT_SIDE, LOGO_KEPT_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
            else:
                if image.mode != "RGB":
                    image = image.convert("RGB")
                image.save(out, "JPEG", quality=90)
            size = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(
            _("Cette image est abîmée ou incomplète : enregistrez-la à nouveau et réessayez."),
            code="broken",
        ) from None
    return PreparedLogo(out.getvalue(), LOGO_FORMATS[kind], size[0], size[1])


class LogoForm(forms.Form):
    """One logo for the PDF's cover: the organiser's (it replaces the previous one) or a
    partner's. The file's content decides, never its name."""

    role = forms.ChoiceField(
        label=_("Logo de"), choices=DebriefLogo.Role.choices, initial=DebriefLogo.Role.ORGANISER
    )
    name = forms.CharField(
        label=_("Nom de l'organisation"),
        max_length=120,
        help_text=_("Lu par les lecteurs d'écran à la place du logo."),
    )
    image = forms.FileField(
        label=_("Fichier (PNG ou JPEG, 1 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={
            "required": _("Choisissez le fichier du logo."),
            "empty": _("Ce fichier est vide."),
        },
    )

    def __init__(self, *args, rencontre: Rencontre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rencontre = rencontre

    def clean_image(self) -> PreparedLogo:
        upload = self.cleaned_data["image"]
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("Ce fichier pèse %(size)s : un logo pèse 1 Mo au plus."),
                params={"size": f"{upload.size / 1024 / 1024:.1f} Mo".replace(".", ",")},
                code="too_big",
            )
        return logo_prepare(upload.read())

    def clean(self) -> dict:
        cleaned = super().clean()
        partners = self.rencontre.logos.filter(role=DebriefLogo.Role.PARTNER).count()
        if cleaned.get("role") == DebriefLogo.Role.PARTNER and partners >= MAX_PARTNER_LOGOS:
            raise forms.ValidationError(
                _("La couverture porte %(n)d logos de partenaires au plus : retirez-en un."),
                params={"n": MAX_PARTNER_LOGOS},
            )
        return cleaned


class ExportChoiceForm(forms.Form):
    """One of the organiser's exports: a table's name (its CSV) or "json" (everything)."""

    quoi = forms.CharField(max_length=60)

    def clean_quoi(self) -> str:
        what = debrief.export_what(self.cleaned_data["quoi"])
        if what is None:
            raise forms.ValidationError(_("Cet export n'existe pas."))
        return what


class LogoChoiceForm(forms.Form):
    """Remove a logo: only one of this rencontre's."""

    logo = forms.ModelChoiceField(
        queryset=DebriefLogo.objects.none(),
        error_messages={"invalid_choice": _("Ce logo n'existe plus.")},
    )

    def __init__(self, *args, rencontre: Rencontre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo"].queryset = DebriefLogo.objects.filter(rencontre=rencontre)


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
