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
