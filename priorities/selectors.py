"""Reads of priorities, tables and actions: the wall's, the panel's and the phones' contexts."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from priorities.models import Action, Partnership, PeerGroup, Priority, Seat
from workshops.kinds import KindResults
from workshops.models import Activity, Participant
from workshops.personal_data import names_person


def priority_wall(activity: Activity) -> KindResults:
    """Priorities grouped by filière (biggest groups first), with precision levels."""
    rencontre_id = activity.step.rencontre_id
    priorities = list(
        Priority.objects.filter(rencontre_id=rencontre_id)
        .exclude(statement="")
        .select_related("filiere", "participant")
        .order_by("-updated_at")
    )
    groups: dict[str, list[Priority]] = defaultdict(list)
    for priority in priorities:
        groups[priority.filiere_label or _("Filière à préciser")].append(priority)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    spotlight_id = activity.config.get("spotlight")
    filieres = Counter(p.filiere_label for p in priorities if p.filiere_label)
    precise = sum(1 for p in priorities if p.precision >= 4)
    return KindResults(
        n_answers=len({p.participant_id for p in priorities}),
        n_participants=Participant.objects.filter(rencontre_id=rencontre_id, absent=False).count(),
        figures=[
            (
                ngettext("priorité formulée", "priorités formulées", len(priorities)),
                len(priorities),
            ),
            (
                ngettext(
                    "priorité précise (4 ou 5 sur 5)", "priorités précises (4 ou 5 sur 5)", precise
                ),
                precise,
            ),
        ],
        filieres=filieres.most_common(),
        data={
            "groups": ordered,
            "precise": precise,
            "spotlight": next((p for p in priorities if p.pk == spotlight_id), None),
            "all": priorities,
        },
    )


def _top_actions_list(top: list[Action]) -> list[tuple[str, list[str]]]:
    if not top:
        return []
    lines = [
        ngettext(
            "%(text)s — %(owner)s (%(n)d soutien)",
            "%(text)s — %(owner)s (%(n)d soutiens)",
            a.n_supports,
        )
        % {"text": a.text, "owner": a.owner, "n": a.n_supports}
        for a in top
    ]
    return [(_("Les actions les plus soutenues"), lines)]


def seating_plan(rencontre_id: int) -> list[dict[str, Any]]:
    tables = PeerGroup.objects.filter(rencontre_id=rencontre_id).prefetch_related("members")
    firsts = {
        p.participant_id: p
        for p in Priority.objects.filter(rencontre_id=rencontre_id, rank=1).select_related(
            "filiere"
        )
    }
    return [
        {
            "table": table,
            "members": [
                {"participant": m, "priority": firsts.get(m.pk)}
                for m in sorted(table.members.all(), key=lambda m: m.name.casefold())
            ],
        }
        for table in tables
    ]


def tables_results(activity: Activity) -> KindResults:
    rencontre_id = activity.step.rencontre_id
    plan = seating_plan(rencontre_id)
    seated = sum(len(t["members"]) for t in plan)
    return KindResults(
        n_answers=seated,
        n_participants=Participant.objects.filter(rencontre_id=rencontre_id, absent=False).count(),
        in_debrief=bool(plan),
        data={
            "plan": plan,
            "unseated": list(
                Participant.objects.filter(rencontre_id=rencontre_id, seat__isnull=True)
            ),
        },
    )


def public_owner(action: Action) -> str:
    """The porteur as others see it: as typed, unless it names an author who did not agree to
    be listed; then their actor type."""
    if not action.participant.listed and names_person(action.owner, action.participant):
        return action.participant.get_actor_type_display()
    return action.owner


def public_label(participant: Participant) -> str:
    """How a partner appears to everyone: "Name (Organisation)" for a participant listed by
    their own choice, their actor type for the others."""
    if participant.listed:
        return f"{participant.name} ({participant.organisation})"
    return participant.get_actor_type_display()


def _with_partners(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "partnerships",
            queryset=Partnership.objects.select_related("participant").order_by("created_at", "id"),
        )
    )


def actions_with_support(**filters) -> list[Action]:
    """Actions (of a rencontre, or of one participant) with their number of supports and
    their partners (`partners`: participants; `partner_labels`: as everyone may see them).

    Their `owner` is the one others may see (`public_owner`), except on the actions of the
    participant named by `participant=` (their own page)."""
    viewer = filters.get("participant")
    actions = list(
        _with_partners(
            Action.objects.filter(**filters)
            .select_related("participant", "participant__seat__table", "priority")
            .annotate(n_supports=Count("supports", distinct=True))
            .order_by("created_at", "id")
        )
    )
    for action in actions:
        if viewer is None or action.participant_id != viewer.pk:
            action.owner = public_owner(action)
        action.partners = [p.participant for p in action.partnerships.all()]
        action.partner_labels = [public_label(p) for p in action.partners]
    return actions


def exchanged(viewer: Participant, other: Participant) -> bool:
    """Whether the organisation and contact of `other` may appear on `viewer`'s own page and
    sheet: only when both agreed to exchange them."""
    return viewer.pk != other.pk and viewer.contact_consent and other.contact_consent


def person_for(viewer: Participant, other: Participant) -> dict[str, str]:
    """One person carrying an action with `viewer`, as `viewer` may see them: their public
    label; their organisation and contact when both agreed to the exchange."""
    shared = exchanged(viewer, other)
    return {
        "label": public_label(other),
        "organisation": other.organisation if shared and not other.listed else "",
        "contact": other.contact if shared else "",
    }


def actions_carried(participant: Participant) -> list[Action]:
    """The participant's own actions and those they joined, each with `people`: the others
    carrying it (its author, its partners), as the participant may see them, and `joined`
    (True for an action of another)."""
    own = actions_with_support(participant=participant)
    joined_ids = Partnership.objects.filter(participant=participant).values_list(
        "action_id", flat=True
    )
    joined = actions_with_support(pk__in=list(joined_ids))
    for action in own:
        action.joined = False
        action.people = [person_for(participant, p) for p in action.partners]
    for action in joined:
        action.joined = True
        others = [action.participant, *(p for p in action.partners if p.pk != participant.pk)]
        action.people = [person_for(participant, p) for p in others]
    return [*own, *sorted(joined, key=lambda a: (a.due, a.pk))]


def actions_results(activity: Activity) -> KindResults:
    rencontre_id = activity.step.rencontre_id
    actions = actions_with_support(rencontre_id=rencontre_id)
    by_table: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        seat = getattr(action.participant, "seat", None)
        by_table[seat.table.number if seat else 0].append(action)
    top = sorted((a for a in actions if a.n_supports), key=lambda a: (-a.n_supports, a.pk))[:5]
    n_supports = sum(a.n_supports for a in actions)
    n_done = sum(1 for a in actions if a.done)
    return KindResults(
        n_answers=len({a.participant_id for a in actions}),
        n_participants=Participant.objects.filter(rencontre_id=rencontre_id, absent=False).count(),
        in_debrief=bool(actions),
        figures=[
            (ngettext("action engagée", "actions engagées", len(actions)), len(actions)),
            (ngettext("soutien exprimé", "soutiens exprimés", n_supports), n_supports),
            (ngettext("action déjà faite", "actions déjà faites", n_done), n_done),
        ],
        lists=_top_actions_list(top),
        data={
            # (table number, actions) in table order; 0 gathers those without a table, last.
            "by_table": sorted(by_table.items(), key=lambda item: item[0] or 10**9),
            "top": top,
            "n_actions": len(actions),
            "n_supports": n_supports,
            "n_done": n_done,
            "all": actions,
        },
    )


def table_of(participant: Participant) -> dict[str, Any] | None:
    seat = Seat.objects.filter(participant=participant).select_related("table").first()
    if seat is None:
        return None
    plan = {t["table"].pk: t for t in seating_plan(participant.rencontre_id)}
    return plan.get(seat.table_id)


def priority_rows(rencontre) -> list[list[Any]]:
    return [
        [
            f"P{p.participant_id}",
            p.participant.get_actor_type_display(),
            p.rank,
            p.statement,
            p.filiere_label,
            p.jobs_count if p.jobs_count is not None else "",
            p.jobs_kinds,
            ", ".join(p.benefit_labels),
            p.benefits_note,
            p.get_origin_display(),
            p.get_horizon_display(),
            p.indicator,
            p.precision,
        ]
        for p in Priority.objects.filter(rencontre=rencontre)
        .exclude(statement="")
        .select_related("filiere", "participant")
        .order_by("participant_id", "rank")
    ]


PRIORITY_COLUMNS = (
    "participant",
    "type_acteur",
    "rang",
    "priorite",
    "filiere",
    "emplois",
    "quels_emplois",
    "retombees",
    "precision_retombees",
    "origine",
    "horizon",
    "indicateur",
    "niveau_precision",
)


def action_rows(rencontre) -> list[list[Any]]:
    rows = []
    for a in actions_with_support(rencontre_id=rencontre.pk):
        seat = getattr(a.participant, "seat", None)
        rows.append(
            [
                f"P{a.participant_id}",
                seat.table.number if seat else "",
                a.text,
                a.get_kind_display(),
                a.owner,
                a.due.isoformat(),
                a.priority.statement if a.priority else "",
                a.n_supports,
                "oui" if a.done else "non",
            ]
        )
    return rows


ACTION_COLUMNS = (
    "participant",
    "table",
    "action",
    "nature",
    "porteur",
    "echeance",
    "priorite",
    "soutiens",
    "faite",
)


def seating_key(activity) -> str:
    """The seating of the rencontre, as the tables kind's stage key: forming tables or moving
    someone makes every phone fetch its table again."""
    seats = Seat.objects.filter(table__rencontre_id=activity.step.rencontre_id).order_by(
        "participant_id"
    )
    return ",".join(f"{p}:{n}" for p, n in seats.values_list("participant_id", "table__number"))
