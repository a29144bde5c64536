"""Writes of the territories app."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories import cog
from territories.models import Territory

DEPARTEMENT = re.compile(r"^(\d{2}|2A|2B|97\d)$")
COMMUNE = re.compile(r"^(\d{5}|2A\d{3}|2B\d{3})$")


class TerritoryError(ValueError):
    """A territory that cannot be made; the message is for the user, in French."""


@transaction.atomic
def territory_resolve(*, spec: str) -> Territory:
    """An existing territory (by slug), or one created from the shipped composition: an EPCI
    SIREN (9 digits), a département code, or commune codes separated by commas.
    Side effects: may create the territory."""
    spec = spec.strip()
    existing = Territory.objects.filter(slug=spec).first()
    if existing is not None:
        return existing
    data = cog.load()
    if re.fullmatch(r"\d{9}", spec):
        if spec not in data.epci:
            raise TerritoryError(_("Aucun EPCI ne porte le SIREN %(s)s.") % {"s": spec})
        communes = sorted(c for c, (_n, _d, e) in data.communes.items() if e == spec)
        name, kind, code = data.epci[spec][0], Territory.Kind.EPCI, spec
    elif DEPARTEMENT.match(spec.upper()):
        code = spec.upper()
        communes = sorted(c for c, (_n, d, _e) in data.communes.items() if d == code)
        name, kind = _("Département %(c)s") % {"c": code}, Territory.Kind.DEPARTEMENT
    else:
        codes = [c.strip().upper() for c in spec.split(",") if c.strip()]
        bad = [c for c in codes if not COMMUNE.match(c) or data.resolve(c) is None]
        if bad:
            raise TerritoryError(_("Codes commune inconnus : %(c)s.") % {"c": ", ".join(bad[:10])})
        communes = sorted({data.resolve(c) for c in codes})
        name = ", ".join(data.communes[c][0] for c in communes[:3]) + (
            "…" if len(communes) > 3 else ""
        )
        kind, code = Territory.Kind.CUSTOM, ""
    if not communes:
        raise TerritoryError(_("Ce territoire ne compte aucune commune."))
    slug = slugify(f"{name}-{code}" if code else name)[:70] or "territoire"
    base, n = slug, 2
    while Territory.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Territory.objects.create(name=name, slug=slug, kind=kind, code=code, communes=communes)
