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
