"""The session engine's data: a rencontre, its steps and activities, its participants.

Models hold fields, constraints and field-local properties only; every write goes through
`workshops.services`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# No 0/O, 1/I/L: a code read aloud or from a wall is never ambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def normalize_code(raw: str) -> str:
    """The canonical form of a typed code: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def new_participant_token() -> str:
    return secrets.token_urlsafe(24)


class ActorType(models.TextChoices):
    COLLECTIVITE = "collectivite", _("Collectivité")
    ETAT = "etat", _("Service de l'État")
    ENTREPRISE = "entreprise", _("Entreprise")
    CHAMBRE = "chambre", _("Chambre consulaire / réseau")
    FINANCEUR = "financeur", _("Financeur")
    FORMATION = "formation", _("Formation / recherche")
    AUTRE = "autre", pgettext_lazy("actor type", "Autre")


class Rencontre(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        LIVE = "live", _("En cours")
        CLOSED = "closed", _("Terminée")

    title = models.CharField(_("titre"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    territory_name = models.CharField(_("territoire"), max_length=200, blank=True)
    # What the wall, the debrief PDF and the rencontre's e-mails speak; each phone and panel
    # speaks its own reader's language.
    language = models.CharField(
        _("langue de la rencontre"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="rencontres", verbose_name=_("animateurs")
    )
    current_activity = models.ForeignKey(
        "Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    qr_visible = models.BooleanField(_("QR code affiché"), default=True)
    # The wall shows nothing (a clicker's "B" key) while this is set.
    screen_blanked = models.BooleanField(_("écran noir"), default=False)
    # The secret of the read-only wall link for a room PC ("" when there is none): it opens
    # the projector page and its socket, nothing of the panel.
    screen_secret = models.CharField(max_length=64, blank=True, default="")
    # Countdown: running when timer_ends_at is set; paused when only timer_remaining is.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_remaining = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the "end the rencontre" control (joins and answers close); the retention period
    # runs from here, or from the end of `date` for a rencontre never ended.
    ended_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    # Set once the purge has anonymised the participants (see `rencontres_purge`).
    purged_at = models.DateTimeField(_("données personnelles purgées le"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("rencontre")

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class Step(models.Model):
    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    title = models.CharField(_("titre"), max_length=200)
    planned_minutes = models.PositiveIntegerField(_("durée prévue (min)"), default=30)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("étape")

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField()
    # One of the kinds registered in workshops.kinds; validated there, not by DB choices,
    # so that adding a kind needs no migration of the engine.
    kind = models.CharField(_("type"), max_length=30)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)
    config = models.JSONField(default=dict, blank=True)
    is_open = models.BooleanField(_("saisie ouverte"), default=True)
    # Display switches for kinds with results: hidden until revealed (no anchoring), and
    # split by actor type to show where the groups diverge.
    results_hidden = models.BooleanField(_("résultats masqués"), default=False)
    by_actor_type = models.BooleanField(_("vue par type d'acteur"), default=False)
    planned_minutes = models.PositiveIntegerField(_("durée prévue (min)"), default=5)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["step__position", "position"]
        verbose_name = _("activité")

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="participants")
    # The secret that recognises this phone (signed cookie) and the personal link afterwards.
    token = models.CharField(max_length=64, unique=True, default=new_participant_token)
    name = models.CharField(_("nom"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=160)
    actor_type = models.CharField(_("type d'acteur"), max_length=20, choices=ActorType.choices)
    listed = models.BooleanField(_("nom dans la liste des participants"), default=False)
    # Marked by the facilitator (left the room): kept with their answers, not counted present.
    absent = models.BooleanField(pgettext_lazy("participant", "absent"), default=False)
    # The language of the participant's phone when they last opened it: their personal sheet
    # and e-mails are written in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Number of open sockets from this participant's phones, and when one last showed it was
    # alive: connected means an open socket seen recently (a crashed server leaves no ghosts).
    sockets = models.IntegerField(default=0)
    last_seen = models.DateTimeField(null=True, blank=True)
    # Optional, each with its own consent, given on the phone or the personal page: an e-mail
    # to receive one's sheet and the reminders of one's actions; a contact (e-mail or phone)
    # to exchange with the partners of one's actions, shown only when both agreed.
    email = models.EmailField(_("e-mail"), blank=True)
    email_consent = models.BooleanField(_("recevoir sa fiche et ses rappels"), default=False)
    contact = models.CharField(_("contact à échanger"), max_length=120, blank=True)
    contact_consent = models.BooleanField(_("échanger ses coordonnées"), default=False)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = pgettext_lazy("model", "participant")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def mailable(self) -> bool:
        """Whether the participant agreed to receive their sheet and reminders by e-mail."""
        return bool(self.email) and self.email_consent


class Answer(models.Model):
    """One participant's answer to one activity, for kinds that keep one answer each.

    `data` holds the kind's own shape, validated by the kind's form before it is saved.
    Hidden answers stay, marked, and are left out of every result.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    data = models.JSONField(default=dict)
    hidden = models.BooleanField(_("masquée"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"], name="one_answer_per_activity"
            )
        ]
        verbose_name = _("réponse")

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.activity_id}"


class DebriefJob(models.Model):
    """A file made by the background worker (never by a process serving phones): the PDF
    debrief, or one of the organiser's exports (`what`: "pdf", "json", "csv:<table>").

    `fingerprint` is the SHA-256 of what the file shows: for the PDF, the debrief's HTML
    rendered without its generation time (the PDF is a pure function of that HTML); for an
    export, its bytes. Two jobs with the same fingerprint would make the same file, so the
    later one reuses the earlier file (`reused`)."""

    PDF = "pdf"
    JSON = "json"
    CSV = "csv:"

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="debriefs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Which file: "pdf", "json" (the whole rencontre) or "csv:<table>" (one export).
    what = models.CharField(max_length=60, default=PDF)
    # The language the PDF is written in (the requester's).
    language = models.CharField(max_length=10, default="fr")
    fingerprint = models.CharField(max_length=64, blank=True)
    # The file's name inside settings.DEBRIEF_DIR.
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    reused = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    # The background task running it (django-tasks result id), for the logs.
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written between the phases of the work (a heartbeat): a running job silent for long
    # lost its worker.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fichier préparé")

    def __str__(self) -> str:
        return f"{self.rencontre_id} {self.what} {self.get_status_display()}"

    @property
    def is_pdf(self) -> bool:
        return self.what == self.PDF

    @property
    def export_name(self) -> str:
        """The CSV table's name ("" for the PDF and the JSON document)."""
        return self.what.removeprefix(self.CSV) if self.what.startswith(self.CSV) else ""

    @property
    def download_name(self) -> str:
        """The file's name as the organiser sees it (without the rencontre's code)."""
        if self.what == self.JSON:
            return "export.json"
        if self.export_name:
            return f"{self.export_name}.csv"
        return "restitution.pdf"


class AgendaTemplate(models.Model):
    """A ready half-day a rencontre starts from: its steps and activities, as data.

    Shipped templates have no owner: they are the JSON files of `settings.AGENDA_LIBRARY_DIR`,
    stored at each `migrate` under their file's name (`slug`). An organiser's own template
    (owner set) is saved from one of their rencontres; only its owner sees, uses and deletes
    it. `agenda` is checked against the registered kinds before it is stored (see
    `workshops.agenda_templates`)."""

    slug = models.SlugField(max_length=80, blank=True)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.CharField(_("thème"), max_length=120, blank=True)
    language = models.CharField(_("langue"), max_length=10, default="fr")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agenda_templates",
        verbose_name=_("propriétaire"),
    )
    # The steps, each with its activities (kind, title, body, minutes, config).
    agenda = models.JSONField(_("déroulé"), default=list)
    # The filières the half-day is about (names of the filière list) and the sources of the
    # facts its texts quote.
    filieres = models.JSONField(_("filières"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    position = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("modèle de rencontre")
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(owner__isnull=True),
                name="one_shipped_template_per_slug",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DebriefSettings(models.Model):
    """What the organiser chose for the PDF debrief: its key messages (edited from the
    synthesis) and the sections it carries. No row, or an empty `key_messages`, means the
    PDF shows the messages the synthesis suggests and every section."""

    rencontre = models.OneToOneField(
        Rencontre, on_delete=models.CASCADE, related_name="debrief_settings"
    )
    # The facilitator's key messages, in order (a list of short texts).
    key_messages = models.JSONField(_("messages clés"), default=list, blank=True)
    show_figures = models.BooleanField(_("chiffres clés en couverture"), default=True)
    show_key_messages = models.BooleanField(_("messages clés"), default=True)
    show_highlights = models.BooleanField(_("faits saillants"), default=True)
    show_agenda = models.BooleanField(_("déroulé de la rencontre"), default=True)
    show_participants = models.BooleanField(_("liste des participants"), default=True)
    # Ids of the steps whose section is left out (a step added later is in by default).
    hidden_steps = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de la restitution")

    def __str__(self) -> str:
        return f"{self.rencontre_id}"


class DebriefLogo(models.Model):
    """A logo on the PDF's cover: the organiser's (one) or a partner's (a strip).

    The file is kept under settings.DEBRIEF_DIR/logos/ with a random name that never
    changes meaning (a new upload is a new file), so the debrief's fingerprint changes with
    the logos."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organisateur")
        PARTNER = "partner", _("Partenaire")

    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="logos")
    role = models.CharField(max_length=10, choices=Role.choices)
    # The organisation's name: the image's text alternative in the PDF.
    name = models.CharField(_("nom de l'organisation"), max_length=120)
    # Relative to DEBRIEF_DIR/logos/: "<rencontre id>/<random>.<png|jpg>".
    filename = models.CharField(max_length=120, unique=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "created_at", "id"]
        verbose_name = _("logo")

    def __str__(self) -> str:
        return f"{self.rencontre_id} {self.role} {self.name}"

    @property
    def path(self) -> Path:
        """Where the file is kept."""
        return Path(settings.DEBRIEF_DIR) / "logos" / self.filename


class MailSent(models.Model):
    """An e-mail sent to a participant, once per `key` ("fiche", a reminder's key...): what
    makes a retried or repeated sending task idempotent."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="mails")
    key = models.CharField(max_length=80)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "key"], name="one_mail_per_key")
        ]
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")

    def __str__(self) -> str:
        return f"{self.participant_id} {self.key}"
