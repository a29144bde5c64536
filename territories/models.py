"""A territory's industrial base. For now: the filières, one list shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Filiere(models.Model):
    """A value chain pulled by locomotive firms (not a NAF sector)."""

    class Source(models.TextChoices):
        CNI = "cni", _("Comité stratégique de filière (Conseil national de l'industrie)")
        NEW = "new", _("Nouvelle filière")
        LOCAL = "local", _("Filière ajoutée localement")

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("filière")

    def __str__(self) -> str:
        return self.name
