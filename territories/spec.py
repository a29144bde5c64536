"""What a territory typed by an organiser stands for, without creating anything: an EPCI
SIREN (9 digits), a département code, or commune codes separated by commas, resolved against
the shipped Code officiel géographique (territories.cog)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from territories import cog

DEPARTEMENT = re.compile(r"^(\d{2}|2A|2B|97\d)$")
COMMUNE = re.compile(r"^(\d{5}|2A\d{3}|2B\d{3})$")


class TerritoryError(ValueError):
    """A territory that cannot be made; the message is for the user, in French."""


@dataclass(frozen=True)
class TerritorySpec:
    name: str
    kind: str  # a Territory.Kind value
    code: str  # EPCI SIREN or département code; "" for a list of communes
    communes: list[str]


def territory_spec_parse(spec: str) -> TerritorySpec:
    """The territory `spec` describes (its name, kind, code and current communes).
    Raises TerritoryError with a French message when it describes none."""
    spec = spec.strip()
    data = cog.load()
    if re.fullmatch(r"\d{9}", spec):
        if spec not in data.epci:
            raise TerritoryError(_("Aucun EPCI ne porte le SIREN %(s)s.") % {"s": spec})
        communes = sorted(c for c, (_n, _d, e) in data.communes.items() if e == spec)
        name, kind, code = data.epci[spec][0], "epci", spec
    elif DEPARTEMENT.match(spec.upper()):
        code = spec.upper()
        communes = sorted(c for c, (_n, d, _e) in data.communes.items() if d == code)
        name, kind = _("Département %(c)s") % {"c": code}, "departement"
    else:
        codes = [c.strip().upper() for c in spec.split(",") if c.strip()]
        bad = [c for c in codes if not COMMUNE.match(c) or data.resolve(c) is None]
        if bad:
            raise TerritoryError(_("Codes commune inconnus : %(c)s.") % {"c": ", ".join(bad[:10])})
        communes = sorted({data.resolve(c) for c in codes})
        name = ", ".join(data.communes[c][0] for c in communes[:3]) + (
            "…" if len(communes) > 3 else ""
        )
        kind, code = "custom", ""
    if not communes:
        raise TerritoryError(_("Ce territoire ne compte aucune commune."))
    return TerritorySpec(name=name, kind=kind, code=code, communes=communes)
