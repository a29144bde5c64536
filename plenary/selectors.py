"""Results of the plenary kinds (poll, scale, words, question, ranking): pure reads.

Divergence by actor type, used to put first what splits the room:
- poll: for each choice, the share of each actor type's respondents who picked it; the
  divergence is the gap between the highest and the lowest share (in points, 0-100).
- scale: for each statement, the mean agreement (1-5) of each actor type; the divergence is
  the gap between the highest and lowest mean, divided by 4 to read on the same 0-100 scale.
Only groups with at least two points count; with fewer, divergence is 0.

No one's answer can be read from the split: an actor type with fewer respondents than
`settings.SPLIT_MIN_GROUP_SIZE` (3 by default) is merged with the other small ones and the
"Autre" type into one group "Autres"; when even that group stays below the minimum, its
answers are left out of the split (never out of the overall results). A group whose
respondents to one item are below the minimum shows no point on that item. The wall says
which types were merged and how many answers were left out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from plenary.models import LookbackItem, Slide, SlideJob, Word
from workshops.kinds import KindResults
from workshops.models import Activity, ActorType, Answer, Participant
from workshops.text import text_width
from workshops.words import display_forms

SCALE_LEVELS = [
    (1, _("Pas du tout d'accord")),
    (2, _("Plutôt pas d'accord")),
    (3, _("Ni d'accord ni pas d'accord")),
    (4, _("Plutôt d'accord")),
    (5, _("Tout à fait d'accord")),
]
SCALE_COLORS = {1: "#b3261e", 2: "#e8836f", 3: "#c9ced8", 4: "#7fa8ee", 5: "#1f5fbf"}
ACTOR_COLORS = {
    "collectivite": "#1f5fbf",
    "etat": "#7b3fa0",
    "entreprise": "#e07a1f",
    "chambre": "#1d7f6e",
    "financeur": "#b3261e",
    "formation": "#6b8e23",
    "autre": "#6b7280",
}
OTHER_ID = "other"


@dataclass
class Bar:
    key: str
    label: str
    count: int
    share: float  # 0-100 of respondents


@dataclass
class GroupPoint:
    actor_type: str
    label: str
    color: str
    value: float  # share 0-100 (poll) or mean 1-5 (scale)
    respondents: int
    pos: int = 0  # position on the chart's axis, 0-1000


@dataclass
class Divergent:
    key: str
    label: str
    divergence: float  # 0-100
    points: list[GroupPoint] = field(default_factory=list)

    @property
    def min_pos(self) -> int:
        return min((p.pos for p in self.points), default=0)

    @property
    def max_pos(self) -> int:
        return max((p.pos for p in self.points), default=0)


def _visible_answers(activity: Activity) -> list[tuple[dict, str]]:
    return list(
        Answer.objects.filter(activity=activity, hidden=False).values_list(
            "data", "participant__actor_type"
        )
    )


def _participant_count(activity: Activity) -> int:
    return Participant.objects.filter(rencontre_id=activity.step.rencontre_id, absent=False).count()


def _hidden_count(activity: Activity) -> int:
    return Answer.objects.filter(activity=activity, hidden=True).count()


@dataclass
class SplitGroups:
    """Who is shown in which group of the split by actor type.

    - `group_of`: actor type → the group it is shown in (itself, or OTHERS for "Autres");
      types left out are absent.
    - `counts`: respondents of each group shown.
    - `merged`: labels of the types merged into "Autres" (the "Autre" type itself aside).
    - `left_out`: respondents of the groups too small even once merged.
    """

    group_of: dict[str, str]
    counts: Counter[str]
    merged: list[str]
    left_out: int
    minimum: int

    def label(self, group: str) -> str:
        if group == OTHERS and self.merged:
            return pgettext("merged actor types", "Autres")
        return str(ActorType(group).label)

    def note(self) -> dict[str, str]:
        """The sentences the wall shows under the split ('' when nothing was merged)."""
        merged = ""
        if self.merged:
            merged = ngettext(
                "Regroupé dans « Autres » (moins de %(n)d répondant) : %(types)s.",
                "Regroupés dans « Autres » (moins de %(n)d répondants chacun) : %(types)s.",
                self.minimum,
            ) % {"n": self.minimum, "types": ", ".join(self.merged)}
        left_out = ""
        if self.left_out:
            left_out = ngettext(
                "%(count)d réponse n'apparaît pas dans les écarts : son groupe compte moins "
                "de %(n)d répondants.",
                "%(count)d réponses n'apparaissent pas dans les écarts : leurs groupes "
                "comptent moins de %(n)d répondants.",
                self.left_out,
            ) % {"count": self.left_out, "n": self.minimum}
        return {"merged": merged, "left_out": left_out}


OTHERS = ActorType.AUTRE.value


def split_groups(respondents: Counter[str]) -> SplitGroups:
    """The groups of the split, from the respondents of each actor type (see the module's
    docstring)."""
    minimum = max(1, settings.SPLIT_MIN_GROUP_SIZE)
    present = {t: n for t, n in respondents.items() if n > 0}
    small = [t for t, n in present.items() if n < minimum and t != OTHERS]
    group_of = {t: t for t, n in present.items() if n >= minimum}
    counts: Counter[str] = Counter({t: present[t] for t in group_of})
    merged: list[str] = []
    left_out = 0
    if small:
        pool = [*small, OTHERS] if OTHERS in present else small
        total = sum(present[t] for t in pool)
        if total >= minimum:
            for t in pool:
                group_of[t] = OTHERS
            counts[OTHERS] = total
            merged = [str(ActorType(t).label) for t in ActorType.values if t in small]
        else:
            left_out = sum(present[t] for t in small)
    if OTHERS in present and present[OTHERS] < minimum and OTHERS not in group_of:
        left_out += present[OTHERS]
    return SplitGroups(group_of, counts, merged, left_out, minimum)


def _divergent(
    key: str,
    label: str,
    sums_by_type: dict[str, tuple[float, int]],
    groups: SplitGroups,
    span: float,
) -> Divergent:
    """One row of the split: `sums_by_type` holds, per actor type, the sum of the values and
    how many respondents gave one (a poll's share ×100 per respondent, a scale's level)."""
    low = 0 if span == 100 else 1  # poll shares run 0-100, scale means 1-5
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for t, (total, n) in sums_by_type.items():
        group = groups.group_of.get(t)
        if group is not None and n > 0:
            sums[group][0] += total
            sums[group][1] += n
    points = [
        GroupPoint(
            group,
            groups.label(group),
            ACTOR_COLORS[group],
            round(total / n, 2),
            int(n),
            round(1000 * (total / n - low) / span),
        )
        for group, (total, n) in sums.items()
        if n >= groups.minimum
    ]
    points.sort(key=lambda p: list(ACTOR_COLORS).index(p.actor_type))
    values = [p.value for p in points]
    gap = (max(values) - min(values)) * 100 / span if len(values) >= 2 else 0.0
    return Divergent(key, label, round(gap, 1), points)


def poll_choices(activity: Activity) -> list[dict[str, str]]:
    choices = list(activity.config.get("choices", []))
    if activity.config.get("allow_other"):
        choices.append({"id": OTHER_ID, "label": str(_("Autre"))})
    return choices


def poll_results(activity: Activity) -> KindResults:
    answers = _visible_answers(activity)
    choices = poll_choices(activity)
    counts: Counter[str] = Counter()
    by_type_total: Counter[str] = Counter()
    by_type_choice: dict[str, Counter[str]] = defaultdict(Counter)
    others = []
    for data, actor_type in answers:
        picked = set(data.get("choices", []))
        if data.get("other"):
            picked.add(OTHER_ID)
            others.append(data["other"])
        by_type_total[actor_type] += 1
        for choice in picked:
            counts[choice] += 1
            by_type_choice[actor_type][choice] += 1
    # The panel lists every free text, hidden ones included, to hide or show them again.
    other_answers = [
        {"id": pk, "text": data["other"], "hidden": hidden}
        for pk, data, hidden in Answer.objects.filter(activity=activity)
        .exclude(data__other="")
        .values_list("pk", "data", "hidden")
        .order_by("-updated_at")
        if data.get("other")
    ]
    n = len(answers)
    bars = [
        Bar(c["id"], c["label"], counts[c["id"]], round(100 * counts[c["id"]] / n, 1) if n else 0)
        for c in choices
    ]
    groups = split_groups(by_type_total)
    divergence = [
        _divergent(
            c["id"],
            c["label"],
            {t: (100 * by_type_choice[t][c["id"]], total) for t, total in by_type_total.items()},
            groups,
            span=100,
        )
        for c in choices
    ]
    divergence.sort(key=lambda d: -d.divergence)
    highlight = None
    if n:
        highlight = {
            "top": max(bars, key=lambda b: b.count),
            "divergent": _most_divergent(divergence),
        }
    return KindResults(
        n_answers=n,
        n_participants=_participant_count(activity),
        n_hidden=_hidden_count(activity),
        splittable=True,
        highlight=highlight,
        data={
            "bars": bars,
            "max_count": max([b.count for b in bars], default=0),
            "others": others,
            "other_answers": other_answers,
            "divergence": divergence,
            "legend": _legend(groups),
            "split": groups.note(),
        },
    )


def _most_divergent(divergence: list[Divergent]) -> Divergent | None:
    """The item that splits the room most, among those at least two actor types answered."""
    return next((d for d in divergence if len(d.points) > 1), None)


def scale_statements(activity: Activity) -> list[dict[str, str]]:
    return list(activity.config.get("statements", []))


def scale_results(activity: Activity) -> KindResults:
    answers = _visible_answers(activity)
    rows = []
    divergence = []
    respondents_by_type: Counter[str] = Counter()
    for data, actor_type in answers:
        if data.get("values"):
            respondents_by_type[actor_type] += 1
    groups = split_groups(respondents_by_type)
    for statement in scale_statements(activity):
        sid = statement["id"]
        distribution = Counter()
        sums: dict[str, list[int]] = defaultdict(list)
        for data, actor_type in answers:
            value = data.get("values", {}).get(sid)
            if value in (1, 2, 3, 4, 5):
                distribution[value] += 1
                sums[actor_type].append(value)
        total = sum(distribution.values())
        mean = sum(v * c for v, c in distribution.items()) / total if total else None
        segments = []
        offset = 0.0
        for level, label in SCALE_LEVELS:
            share = 100 * distribution[level] / total if total else 0
            segments.append(
                {
                    "level": level,
                    "label": label,
                    "count": distribution[level],
                    "share": round(share, 1),
                    "offset": round(offset, 2),
                    "color": SCALE_COLORS[level],
                }
            )
            offset += share
        rows.append(
            {
                "id": sid,
                "label": statement["label"],
                "total": total,
                "mean": round(mean, 2) if mean is not None else None,
                "segments": segments,
                "agree": round(sum(s["share"] for s in segments if s["level"] >= 4), 1),
            }
        )
        divergence.append(
            _divergent(
                sid,
                statement["label"],
                {t: (sum(v), len(v)) for t, v in sums.items()},
                groups,
                span=4,
            )
        )
    divergence.sort(key=lambda d: -d.divergence)
    n = sum(1 for data, _t in answers if data.get("values"))
    highlight = None
    if n and rows:
        highlight = {
            "agree": max(rows, key=lambda r: r["agree"]),
            "divergent": _most_divergent(divergence),
        }
    return KindResults(
        n_answers=n,
        n_participants=_participant_count(activity),
        n_hidden=_hidden_count(activity),
        splittable=True,
        highlight=highlight,
        data={
            "rows": rows,
            "levels": SCALE_LEVELS,
            "divergence": divergence,
            "legend": _legend(groups),
            "split": groups.note(),
        },
    )


def _legend(groups: SplitGroups) -> list[dict[str, Any]]:
    return [
        {"key": t, "label": groups.label(t), "color": ACTOR_COLORS[t], "count": groups.counts[t]}
        for t in ActorType.values
        if groups.counts[t]
    ]


def word_groups(activity: Activity, *, include_hidden: bool = False) -> list[dict[str, Any]]:
    """Entries of the cloud: key, one of its words (to moderate it by id), display form,
    count (most frequent first)."""
    words = Word.objects.filter(activity=activity, answer__hidden=False)
    if not include_hidden:
        words = words.filter(hidden=False)
    texts: dict[str, list[str]] = defaultdict(list)
    hidden: dict[str, bool] = {}
    first_id: dict[str, int] = {}
    for pk, text, key, is_hidden in words.values_list("pk", "text", "key", "hidden"):
        texts[key].append(text)
        hidden[key] = hidden.get(key, False) or is_hidden
        first_id.setdefault(key, pk)
    shown = display_forms(texts)
    groups = [
        {"key": k, "word_id": first_id[k], "text": shown[k], "count": len(v), "hidden": hidden[k]}
        for k, v in texts.items()
    ]
    groups.sort(key=lambda g: (-g["count"], g["text"].casefold()))
    return groups


CLOUD_WIDTH, CLOUD_HEIGHT = 1000, 460  # about the shape the wall leaves under the title
CLOUD_COLORS = ["#ffd28a", "#8fb4f5", "#ffffff", "#9be3c9", "#f4a3a3", "#d7c2f0"]  # dark wall
CLOUD_COLORS_LIGHT = ["#1f5fbf", "#14213d", "#b85c00", "#1d7f6e", "#7b3fa0", "#4a5570"]  # paper
# The smallest word, in cloud units: the wall draws the 1000-unit frame about 1,700 px wide
# at 1080p, so 18 units stay above 28 px there.
CLOUD_MIN_SIZE = 18.0


def _box(x: float, y: float, text: str, size: float) -> tuple[float, float, float, float]:
    # The line box of Source Sans 3 runs from its ascender (1.024 em above the baseline) to
    # its descender (0.4 em below): keeping those boxes apart keeps accents and descenders
    # apart; a margin of 0.12 em on each side, and kerning only ever narrows a word.
    width = text_width(text, size) + 0.24 * size
    height = size * 1.43
    return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def _size(count: int, top: int, scale: float) -> float:
    return max(CLOUD_MIN_SIZE, scale * (22 + 58 * math.sqrt(count / top) if top > 1 else 40))


def _place(groups: list[dict[str, Any]], scale: float) -> list[dict[str, Any]]:
    top = max(g["count"] for g in groups)
    placed: list[tuple[float, float, float, float]] = []
    result = []
    stretch = CLOUD_WIDTH / CLOUD_HEIGHT  # an elliptic spiral, as wide as the frame
    for index, group in enumerate(groups):
        size = _size(group["count"], top, scale)
        angle = 0.0
        while True:
            radius = 1.8 * angle
            if radius > 0.75 * CLOUD_HEIGHT:  # the spiral has left the frame's corners
                break  # no room left for this word at this size
            x = CLOUD_WIDTH / 2 + radius * math.cos(angle) * stretch
            y = CLOUD_HEIGHT / 2 + radius * math.sin(angle)
            box = _box(x, y, group["text"], size)
            inside = (
                box[0] >= 0 and box[1] >= 0 and box[2] <= CLOUD_WIDTH and box[3] <= CLOUD_HEIGHT
            )
            if inside and not any(
                box[0] < b[2] and box[2] > b[0] and box[1] < b[3] and box[3] > b[1] for b in placed
            ):
                placed.append(box)
                result.append(
                    {
                        **group,
                        "x": round(x, 1),
                        # the baseline: 1.024 em under the top of the line box
                        "y": round(y - size * 0.715 + size * 1.024, 1),
                        "size": round(size, 1),
                        "color": CLOUD_COLORS[index % len(CLOUD_COLORS)],
                        "color_light": CLOUD_COLORS_LIGHT[index % len(CLOUD_COLORS_LIGHT)],
                    }
                )
                break
            angle += 6 / max(radius, 6)  # about 6 units along the spiral per try
    return result


def cloud_layout(groups: list[dict[str, Any]], *, limit: int = 60) -> list[dict[str, Any]]:
    """Place words on a spiral from the centre, biggest first, without overlap.

    Deterministic (same answers, same picture); sizes grow with the square root of the count
    so that a frequent word stands out without crushing the others (readable at 5 m). Words
    are measured with the advance widths of Source Sans 3, the font the wall loads, so what
    is placed apart is drawn apart. The frame has the wall's proportions and the spiral is as
    wide as the frame. When not every word fits, all sizes shrink together and the layout
    starts again, down to the smallest readable size (CLOUD_MIN_SIZE); past that, and past
    `limit`, the least frequent are left out (the panel lists every word).
    """
    groups = groups[:limit]
    if not groups:
        return []
    # Start from the size at which the words cover 40 % of the frame (a spiral packs about
    # that densely, so the first attempt usually places everything): few words grow to
    # fill the frame, up to twice their base size.
    top = max(g["count"] for g in groups)
    area = 0.0
    for g in groups:
        box = _box(0, 0, g["text"], _size(g["count"], top, 1.0))
        area += (box[2] - box[0]) * (box[3] - box[1])
    scale = min(2.0, math.sqrt(0.4 * CLOUD_WIDTH * CLOUD_HEIGHT / area))
    best: list[dict[str, Any]] = []
    for _attempt in range(12):
        result = _place(groups, scale)
        if len(result) == len(groups):
            return result
        if len(result) > len(best):
            best = result
        scale *= 0.85
    return best


def words_results(activity: Activity) -> KindResults:
    groups = word_groups(activity)
    return KindResults(
        n_answers=Answer.objects.filter(activity=activity, hidden=False).count(),
        n_participants=_participant_count(activity),
        n_hidden=Word.objects.filter(activity=activity, hidden=True)
        .values("key")
        .distinct()
        .count(),
        data={
            "groups": groups,
            "cloud": cloud_layout(groups),
            "moderation": word_groups(activity, include_hidden=True),
        },
    )


def question_results(activity: Activity) -> KindResults:
    answers = list(
        Answer.objects.filter(activity=activity)
        .select_related("participant")
        .order_by("-updated_at")
    )
    visible = [a for a in answers if not a.hidden]
    return KindResults(
        n_answers=len(visible),
        n_participants=_participant_count(activity),
        n_hidden=len(answers) - len(visible),
        data={"answers": visible, "all_answers": answers},
    )


# ---------------------------------------------------------------- talks and their slides


def talk_deck(activity: Activity) -> dict[str, Any]:
    """A talk's slides and which one is shown (`config["slide"]`, kept in range): the slide
    shown, the next one and their positions, plus the PDFs being converted. Two queries."""
    deck = list(Slide.objects.filter(activity=activity).order_by("position", "id"))
    index = min(max(int(activity.config.get("slide", 0) or 0), 0), max(len(deck) - 1, 0))
    jobs = list(SlideJob.objects.filter(activity=activity).order_by("-created_at", "-id")[:3])
    return {
        "slides": deck,
        "count": len(deck),
        "index": index,
        "number": index + 1,
        "current": deck[index] if deck else None,
        "next": deck[index + 1] if index + 1 < len(deck) else None,
        "has_previous": index > 0,
        "has_next": index + 1 < len(deck),
        "jobs": jobs,
        "converting": any(job.status in ("queued", "running") for job in jobs),
    }


def slide_of_rencontre(rencontre_id: int, filename: str) -> Slide | None:
    """The slide stored under that name, if it belongs to this rencontre."""
    return Slide.objects.filter(
        filename=filename, activity__step__rencontre_id=rencontre_id
    ).first()


# ---------------------------------------------------------------- look back

LOOKBACK_SINCE = 2018  # the Territoires d'industrie programme
# The wall's budget per column, in lines of wall text (1.3em): about 17 fit under the title,
# the count and the column's heading at 16:9 (a narrower screen has more height for its
# width, a wider one longer lines); one is kept spare for a text that wraps once more than
# estimated. A line holds about 55 characters; an item costs ceil(characters / 50) lines, the
# theme's chip counted as characters, plus its padding and gap (0.6 line).
WALL_LINES = 16
WALL_CHARS_PER_LINE = 50
WALL_ITEM_EXTRA = 0.6
WALL_MAX_ITEMS = 10


def lookback_since(activity: Activity) -> int:
    try:
        return int(activity.config.get("since", LOOKBACK_SINCE))
    except (TypeError, ValueError):
        return LOOKBACK_SINCE


def lookback_items(activity: Activity) -> list[LookbackItem]:
    """Every item of the activity, hidden ones too, most supported first (then oldest),
    each with `n_supports`."""
    return list(
        LookbackItem.objects.filter(activity=activity)
        .select_related("participant")
        .annotate(n_supports=Count("supports"))
        .order_by("-n_supports", "created_at", "id")
    )


def wall_fit(
    items: list[Any],
    *,
    lines: float = WALL_LINES,
    chars_per_line: int = WALL_CHARS_PER_LINE,
    extra: float = WALL_ITEM_EXTRA,
    limit: int = WALL_MAX_ITEMS,
) -> tuple[list[Any], int]:
    """The first items that fit one wall column, and how many are left out ("+ N autres").
    Each item costs ceil(characters / chars_per_line) lines, its theme's label counted as
    characters, plus `extra`; at least one item is shown, at most `limit`."""
    shown: list[Any] = []
    used = 0.0
    for item in items[:limit]:
        chars = len(item.text) + (len(item.get_theme_display()) + 3 if item.theme else 0)
        cost = math.ceil(chars / chars_per_line) + extra
        if shown and used + cost > lines:
            break
        shown.append(item)
        used += cost
    return shown, len(items) - len(shown)


def lookback_results(activity: Activity) -> KindResults:
    """Both columns, most supported first; the wall's share of each; per theme, how many
    items went to each column. `n_answers` counts the participants with a visible item."""
    items = lookback_items(activity)
    visible = [i for i in items if not i.hidden]
    columns = []
    for value, label in LookbackItem.Column.choices:
        in_column = [i for i in visible if i.column == value]
        shown, more = wall_fit(in_column)
        columns.append(
            {
                "key": value,
                "label": label,
                "items": in_column,
                "shown": shown,
                "more": more,
                "all": [i for i in items if i.column == value],
            }
        )
    themes = []
    for value, label in LookbackItem.Theme.choices:
        counts = [sum(1 for i in c["items"] if i.theme == value) for c in columns]
        if any(counts):
            themes.append({"key": value, "label": label, "counts": counts})
    since = lookback_since(activity)
    tops = {c["key"]: c["items"][0] for c in columns if c["items"]}
    return KindResults(
        n_answers=len({i.participant_id for i in visible}),
        n_participants=_participant_count(activity),
        n_hidden=len(items) - len(visible),
        highlight=tops or None,
        lists=[
            (
                f"{c['label']} ({_('depuis %(year)s') % {'year': since}})",
                [i.text for i in c["items"][:3]],
            )
            for c in columns
            if c["items"]
        ],
        data={
            "since": since,
            "columns": columns,
            "n_items": len(visible),
            "themes": themes,
            "all_items": items,
        },
    )


LOOKBACK_COLUMNS = (
    "activite",
    "participant",
    "colonne",
    "theme",
    "texte",
    "soutiens",
    "masque",
)


def lookback_rows(rencontre) -> list[list[Any]]:
    """One row per item of the rencontre's look backs, the author as a pseudonym."""
    items = (
        LookbackItem.objects.filter(activity__step__rencontre=rencontre)
        .select_related("activity__step")
        .annotate(n_supports=Count("supports"))
    )
    column_order = {value: n for n, (value, _label) in enumerate(LookbackItem.Column.choices)}
    items = sorted(
        items,
        key=lambda i: (
            i.activity.step.position,
            i.activity.position,
            column_order.get(i.column, 9),
            -i.n_supports,
            i.pk,
        ),
    )
    return [
        [
            i.activity.title,
            f"P{i.participant_id}",
            i.get_column_display(),
            i.get_theme_display() if i.theme else "",
            i.text,
            i.n_supports,
            "oui" if i.hidden else "non",
        ]
        for i in items
    ]
