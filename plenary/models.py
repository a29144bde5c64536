from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workshops.models import Activity, Answer, Participant


class Word(models.Model):
    """One word or short phrase of a `words` answer, with its normalised key for counting."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="words")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="words")
    text = models.CharField(max_length=60)
    key = models.CharField(max_length=60, db_index=True)
    hidden = models.BooleanField(_("masqué"), default=False)

    class Meta:
        ordering = ["id"]
        db_table = "workshops_word"  # the table keeps the name it was created with

    def __str__(self) -> str:
        return self.text


class Slide(models.Model):
    """One slide of a talk: an image file under settings.SLIDES_DIR, in the deck's order, with
    the presenter's notes (shown on the panel only, never on the wall or the phones).

    `filename` is random (`plenary.slides.new_name`): a slide's address gives nothing away and
    cannot be guessed; the file is served only to the rencontre's facilitators and walls."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="slides")
    position = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    notes = models.TextField(_("notes de l'intervenant"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("diapositive")

    def __str__(self) -> str:
        return f"{self.activity_id} #{self.position}"


class SlideJob(models.Model):
    """A PDF whose pages the background worker turns into slides, page by page: the panel
    shows `pages_done` of `pages_total` while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="slide_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The uploaded PDF, under settings.SLIDES_DIR until its pages are made.
    source = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200, blank=True)
    pages_total = models.PositiveIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conversion de PDF")

    def __str__(self) -> str:
        return f"{self.activity_id} {self.status} {self.pages_done}/{self.pages_total}"


class LookbackItem(models.Model):
    """One short item of a look back: something that worked, or that got stuck, since the
    year the activity asks about. The facilitator can hide it (it stays, marked)."""

    class Column(models.TextChoices):
        WORKED = "worked", _("Ce qui a marché")
        BLOCKED = "blocked", _("Ce qui a bloqué")

    class Theme(models.TextChoices):
        FONCIER = "foncier", _("Foncier")
        COMPETENCES = "competences", _("Compétences")
        ENERGIE = "energie", _("Énergie")
        FINANCEMENT = "financement", _("Financement")
        ACCEPTABILITE = "acceptabilite", _("Acceptabilité")
        AUTRE = "autre", _("Autre")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="lookback_items")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="lookback_items"
    )
    column = models.CharField(_("colonne"), max_length=10, choices=Column.choices)
    theme = models.CharField(_("thème"), max_length=16, choices=Theme.choices, blank=True)
    text = models.CharField(_("texte"), max_length=140)
    # The text folded (case, spaces) so that the same item sent twice is stored once.
    key = models.CharField(max_length=140)
    hidden = models.BooleanField(_("masqué"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # No unique constraint on the key: the purge may rewrite two texts into one
        # (`lookback_item_add` checks for the double tap under a lock instead).
        ordering = ["created_at", "id"]
        verbose_name = _("élément du regard en arrière")
        indexes = [models.Index(fields=["activity", "participant"], name="lookback_item_author")]

    def __str__(self) -> str:
        return self.text


class LookbackSupport(models.Model):
    """'Je soutiens': a participant backs another's look-back item."""

    item = models.ForeignKey(LookbackItem, on_delete=models.CASCADE, related_name="supports")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="lookback_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "participant"], name="lookback_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.item_id}"
