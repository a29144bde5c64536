"""What the application keeps about a participant, and for how long: pure reads.

The retention period runs from the end of the rencontre (the "end" control, else the end of
its day) for `settings.RETENTION_DAYS`; afterwards personal links stop working and the purge
anonymises the participants (`workshops.services.rencontres_purge`).

A participant's records are found generically: every row of any app that points to the
participant (answers, priorities, actions, supports, seats, map links...), so a new kind's
table is covered without being named here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import serializers
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops import kinds
from workshops.models import Answer, Participant, Rencontre


def retention_start(rencontre: Rencontre) -> dt.datetime:
    """When the rencontre ended: its "end" control, else midnight after its day."""
    if rencontre.ended_at is not None:
        return rencontre.ended_at
    next_day = dt.datetime.combine(rencontre.date + dt.timedelta(days=1), dt.time())
    return timezone.make_aware(next_day)


def retention_end(rencontre: Rencontre) -> dt.datetime:
    """Until when the participants' personal data is kept."""
    return retention_start(rencontre) + dt.timedelta(days=settings.RETENTION_DAYS)


def link_expired(rencontre: Rencontre, *, now: dt.datetime | None = None) -> bool:
    """Whether personal links of the rencontre no longer work (retention over or purged)."""
    now = now or timezone.now()
    return rencontre.purged_at is not None or retention_end(rencontre) <= now


def _folded_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return plain.split()


def names_person(text: str, participant: Participant) -> bool:
    """Whether `text` names the participant: their whole name, a word of their name (3
    letters or more) or their whole organisation appears in it (case and accents aside)."""
    words = _folded_words(text)
    if any(len(word) >= 3 and word in words for word in _folded_words(participant.name)):
        return True

    def contains(sequence: list[str]) -> bool:
        return bool(sequence) and any(
            words[i : i + len(sequence)] == sequence for i in range(len(words))
        )

    return contains(_folded_words(participant.name)) or contains(
        _folded_words(participant.organisation)
    )


def scrub(text: str, participant: Participant) -> str:
    """`text` with the participant's organisation, name and each word of their name replaced
    by their actor type (case aside; for the purge)."""
    label = participant.get_actor_type_display()
    pieces = [participant.organisation.strip(), participant.name.strip()]
    pieces += [word for word in participant.name.split() if len(word) >= 3]
    pieces = sorted({p for p in pieces if p}, key=len, reverse=True)
    if not pieces:
        return text
    pattern = "|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in pieces)
    scrubbed = re.sub(pattern, label, text, flags=re.IGNORECASE)
    # "Léa Martin (Région)" gives "Collectivité (Collectivité)": say it once.
    repeated = rf"{re.escape(label)}(?:[\s,;/(-]+{re.escape(label)})+(\)?)"

    def once(match: re.Match) -> str:
        opened = match.group(0).count("(") - match.group(0).count(")")
        return label + (")" if match.group(1) and opened < 0 else "")

    return re.sub(repeated, once, scrubbed)


def personal_relations() -> list[models.ManyToOneRel]:
    """Every foreign key (or one-to-one) to Participant, from any installed app."""
    return [rel for rel in Participant._meta.related_objects if rel.one_to_many or rel.one_to_one]


def _rows(participant: Participant, rel: models.ManyToOneRel) -> models.QuerySet:
    return rel.related_model._default_manager.filter(**{rel.field.name: participant})


@dataclass(frozen=True)
class KeptRecords:
    """How many records of each sort point to the participant."""

    counts: list[tuple[str, int]]  # (label with its count, count), named sorts first
    total: int

    @property
    def lines(self) -> list[str]:
        return [label for label, _count in self.counts]


def kept_records(participant: Participant) -> KeptRecords:
    """The participant's records by sort ("3 réponses", "1 action"...); sorts whose model
    has no French name are counted together as other items."""
    counts: list[tuple[str, int]] = []
    others = 0
    total = 0
    for rel in personal_relations():
        n = _rows(participant, rel).count()
        if not n:
            continue
        total += n
        meta = rel.related_model._meta
        if "verbose_name" in meta.original_attrs:
            label = meta.verbose_name if n == 1 else meta.verbose_name_plural
            counts.append((f"{n} {label}", n))
        else:
            others += n
    if others:
        counts.append(
            (
                ngettext("%(n)d autre élément", "%(n)d autres éléments", others) % {"n": others},
                others,
            )
        )
    return KeptRecords(counts, total)


def _answers(participant: Participant) -> list[dict[str, Any]]:
    answers = (
        Answer.objects.filter(participant=participant)
        .select_related("activity")
        .order_by("activity__step__position", "activity__position")
    )
    return [
        {
            "activite": a.activity.title,
            "type": a.activity.kind,
            "reponse": kinds.get(a.activity.kind).answer_text(a.activity, a.data),
            "donnees": a.data,
            "masquee": a.hidden,
            "modifiee_le": a.updated_at.isoformat(),
        }
        for a in answers
    ]


def personal_document(participant: Participant) -> dict[str, Any]:
    """Everything kept about the participant, JSON-ready: who they said they are, their
    answers as the debrief reads them, and every other record that points to them."""
    rencontre = participant.rencontre
    others: dict[str, list[dict[str, Any]]] = {}
    for rel in personal_relations():
        rows = _rows(participant, rel)
        if rel.related_model is Answer or not rows.exists():
            continue
        others[rel.related_model._meta.label_lower] = [
            {"id": row["pk"], **row["fields"]} for row in serializers.serialize("python", rows)
        ]
    return {
        "rencontre": {
            "titre": rencontre.title,
            "date": rencontre.date.isoformat(),
            "lieu": rencontre.place,
            "territoire": rencontre.territory_name,
        },
        "participant": {
            "nom": participant.name,
            "organisation": participant.organisation,
            "type_acteur": participant.get_actor_type_display(),
            "nom_dans_la_liste": participant.listed,
            "email": participant.email,
            "email_fiche_et_rappels": participant.email_consent,
            "contact": participant.contact,
            "contact_echange": participant.contact_consent,
            "arrivee": participant.joined_at.isoformat(),
        },
        "conservation": {
            "jusqu_au": retention_end(rencontre).date().isoformat(),
            "regle": _(
                "Vos données personnelles sont anonymisées %(days)d jours après la fin de la "
                "rencontre."
            )
            % {"days": settings.RETENTION_DAYS},
        },
        "reponses": _answers(participant),
        "autres_enregistrements": others,
    }
