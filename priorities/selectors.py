"""Reads of priorities, tables and actions: the wall's, the panel's and the phones' contexts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from priorities.models import (
    Action,
    Partnership,
    PeerGroup,
    PlanningDocument,
    Priority,
    Seat,
    TableConclusion,
    VotePoints,
)
from workshops.kinds import KindResults
from workshops.models import Activity, Participant
from workshops.personal_data import names_person

PRECISE_LEVEL = 5  # a priority answering 5 or 6 of the coach's six questions is precise


def priority_wall(activity: Activity) -> KindResults:
    """Priorities grouped by filière (biggest groups first), with precision levels, and by
    the planning document they ask to change (`priorities_by_document`)."""
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
    precise = sum(1 for p in priorities if p.precision >= PRECISE_LEVEL)
    documents = priorities_by_document(priorities)
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
                    "priorité précise (5 ou 6 sur 6)", "priorités précises (5 ou 6 sur 6)", precise
                ),
                precise,
            ),
        ],
        filieres=filieres.most_common(),
        data={
            "groups": ordered,
            "precise": precise,
            "spotlight": next((p for p in priorities if p.pk == spotlight_id), None),
            "documents": documents,
            "undocumented": len(priorities) - sum(len(d.priorities) for d in documents),
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
    conclusions = table_conclusions(rencontre_id)
    written = [c for c in conclusions if c.written]
    shown_number = activity.config.get("shown_table")
    shown = next((c for c in written if c.table.number == shown_number), None)
    return KindResults(
        n_answers=seated,
        n_participants=Participant.objects.filter(rencontre_id=rencontre_id, absent=False).count(),
        in_debrief=bool(plan),
        figures=[
            (
                ngettext("table a conclu", "tables ont conclu", len(written)),
                len(written),
            )
        ]
        if written
        else [],
        data={
            "plan": plan,
            "conclusions": conclusions,
            "written": written,
            "reporters": {c.table_id: c.reporter for c in conclusions if c.reporter_id},
            "shown": shown,
            "shown_index": written.index(shown) + 1 if shown else 0,
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
    mine = plan.get(seat.table_id)
    if mine is not None:
        mine["conclusion"] = (
            TableConclusion.objects.filter(table_id=seat.table_id)
            .select_related("reporter")
            .first()
        )
    return mine


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
            p.get_document_display(),
            p.document_change,
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
    "document",
    "changement_document",
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


@dataclass(frozen=True)
class DocumentGroup:
    """The priorities asking to change one planning document."""

    code: str  # a PlanningDocument value
    label: str
    priorities: list[Priority]  # those saying what should change first
    lines: list[tuple[str, int]]  # each distinct change line, and how many priorities say it

    @property
    def unsaid(self) -> int:
        """How many of its priorities do not say yet what should change."""
        return len(self.priorities) - sum(n for _line, n in self.lines)


def priorities_by_document(priorities: Iterable[Priority]) -> list[DocumentGroup]:
    """The planning documents named by at least one priority: the most named first, then in
    the order of the choices; inside a document, the priorities saying what should change
    first, in the given order, and the change lines said the same way (case and spaces
    aside) counted once. Priorities without a document are left out."""
    order = {value: n for n, value in enumerate(PlanningDocument.values)}
    groups: dict[str, list[Priority]] = defaultdict(list)
    for priority in priorities:
        if priority.document in order:
            groups[priority.document].append(priority)
    out = []
    for code, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), order[kv[0]])):
        lines: dict[str, list] = {}
        for priority in items:
            line = " ".join(priority.document_change.split())
            if line:
                lines.setdefault(line.casefold(), [line, 0])[1] += 1
        out.append(
            DocumentGroup(
                code=code,
                label=str(PlanningDocument(code).label),
                priorities=sorted(items, key=lambda p: not p.document_change.strip()),
                lines=[(line, n) for line, n in lines.values()],
            )
        )
    return out


# ---------------------------------------------------------------- what each table concludes


def table_conclusions(rencontre_id: int) -> list[TableConclusion]:
    """Every table's conclusion (rapporteur named or something written), in table order,
    each with `reporter_label`: the rapporteur as the others may see them."""
    conclusions = list(
        TableConclusion.objects.filter(table__rencontre_id=rencontre_id)
        .select_related("table", "reporter")
        .order_by("table__number")
    )
    for conclusion in conclusions:
        conclusion.reporter_label = reporter_label(conclusion.reporter)
    return conclusions


def concluded_numbers(rencontre_id: int) -> list[int]:
    """The numbers of the tables that wrote something, in order: the wall's pages."""
    return [c.table.number for c in table_conclusions(rencontre_id) if c.written]


def reporter_label(participant: Participant | None) -> str:
    """The rapporteur as the others see them: their name if they agreed to be listed, else
    their actor type."""
    if participant is None:
        return ""
    return participant.name if participant.listed else participant.get_actor_type_display()


def conclusion_rows(rencontre) -> list[list[Any]]:
    return [
        [
            c.table.number,
            f"P{c.reporter_id}" if c.reporter_id else "",
            c.findings,
            c.proposal,
        ]
        for c in table_conclusions(rencontre.pk)
        if c.written
    ]


CONCLUSION_COLUMNS = ("table", "rapporteur", "constats", "proposition")


# ---------------------------------------------------------------- deciding together

DEFAULT_VOTE_POINTS = 3
DEFAULT_VOTE_ACTIONS = 5
DEFAULT_VOTE_RETAINED = 3


def _setting(activity: Activity, key: str, default: int, high: int) -> int:
    try:
        value = int(activity.config.get(key, default))
    except (TypeError, ValueError):
        value = default
    return max(1, min(value, high))


def vote_budget(activity: Activity) -> int:
    """The points each participant spreads: the `points` setting (1 to 10, 3 by default)."""
    return _setting(activity, "points", DEFAULT_VOTE_POINTS, 10)


def vote_retained(activity: Activity) -> int:
    """How many of the first options the room retains: the `retained` setting (3 by default)."""
    return _setting(activity, "retained", DEFAULT_VOTE_RETAINED, 10)


def vote_options(activity: Activity) -> list[dict[str, Any]]:
    """The ballot, in this order: every table's joint proposal (by table number), then the
    most supported actions (at least one support; the `actions` setting, 5 by default, by
    supports then age). Each option: `key` (`t<table id>` or `a<action id>`), `label`,
    `carrier` (who carries it: the table, or the action's porteur as others see it) and
    `origin` ("table" or "action")."""
    rencontre_id = activity.step.rencontre_id
    options = [
        {
            "key": f"t{c.table_id}",
            "label": c.proposal,
            "carrier": _("Table %(n)d") % {"n": c.table.number},
            "origin": "table",
        }
        for c in table_conclusions(rencontre_id)
        if c.proposal.strip()
    ]
    supported = sorted(
        (a for a in actions_with_support(rencontre_id=rencontre_id) if a.n_supports),
        key=lambda a: (-a.n_supports, a.created_at, a.pk),
    )[: _setting(activity, "actions", DEFAULT_VOTE_ACTIONS, 20)]
    options += [
        {
            "key": f"a{a.pk}",
            "label": a.text,
            "carrier": a.owner,
            "origin": "action",
            "supports": a.n_supports,
        }
        for a in supported
    ]
    return options


def vote_results(activity: Activity) -> KindResults:
    """The ballot with its points, ranked: points, then voters, then the ballot's order. The
    wall shows only the count of voters until the vote is closed; then the ranking, the
    first `retained` (3 by default) with points being what the room decides."""
    options = vote_options(activity)
    rows = VotePoints.objects.filter(activity=activity, points__gt=0).values_list(
        "participant_id", "option", "points"
    )
    keys = {o["key"] for o in options}
    points: Counter[str] = Counter()
    voters_of: Counter[str] = Counter()
    voters = set()
    for participant_id, option, n in rows:
        if option in keys:
            points[option] += n
            voters_of[option] += 1
            voters.add(participant_id)
    position = {o["key"]: i for i, o in enumerate(options)}
    ranking = sorted(
        ({**o, "points": points[o["key"]], "voters": voters_of[o["key"]]} for o in options),
        key=lambda r: (-r["points"], -r["voters"], position[r["key"]]),
    )
    closed = not activity.is_open
    retained = [r for r in ranking if r["points"]][: vote_retained(activity)]
    for rank, row in enumerate(ranking, start=1):
        row["rank"] = rank
        row["retained"] = row in retained
    return KindResults(
        n_answers=len(voters),
        n_participants=Participant.objects.filter(
            rencontre_id=activity.step.rencontre_id, absent=False
        ).count(),
        in_debrief=bool(voters),
        lead=_("Ce que nous décidons") if closed and retained else "",
        figures=[
            (ngettext("participant a voté", "participants ont voté", len(voters)), len(voters))
        ]
        if voters
        else [],
        data={
            "options": options,
            "ranking": ranking,
            "retained": retained,
            "closed": closed,
            "max_points": max((r["points"] for r in ranking), default=0),
            "budget": vote_budget(activity),
        },
    )


def vote_rows(rencontre) -> list[list[Any]]:
    rows = []
    votes = Activity.objects.filter(step__rencontre=rencontre, kind="vote").select_related("step")
    for activity in votes.order_by("step__position", "position"):
        for row in vote_results(activity)["ranking"]:
            rows.append(
                [
                    activity.title,
                    row["rank"],
                    row["label"],
                    row["carrier"],
                    row["points"],
                    row["voters"],
                    "oui" if row["retained"] else "non",
                ]
            )
    return rows


VOTE_COLUMNS = ("vote", "rang", "proposition", "porteur", "points", "votants", "retenue")
