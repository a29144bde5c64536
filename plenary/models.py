from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workshops.models import Activity, Answer


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
