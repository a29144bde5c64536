"""Dynamics of a territory's production sites, from its establishments.

Jobs are estimated from SIRENE headcount bands by a stated rule: the midpoint of each band
(0 for "non employeur" and "0 salarié", 1.5 for 1–2, 4 for 3–5, 7.5 for 6–9, 14.5 for 10–19,
34.5 for 20–49, 74.5 for 50–99, 149.5 for 100–199, 224.5 for 200–249, 374.5 for 250–499,
749.5 for 500–999, 1,499.5 for 1,000–1,999, 3,499.5 for 2,000–4,999, 7,499.5 for 5,000–9,999
and 10,000 for 10,000 and more; `sirene.BAND_JOBS`). An opening adds the jobs of its band in its year of creation;
a closure removes them in its year of closure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from territories import cog
from territories.cog import naf_labels
from territories.filieres import NAF_TO_FILIERE, filiere_for_naf
from territories.layout import cluster_centre
from territories.models import (
    Establishment,
    ImportJob,
    MapLink,
    MapNode,
    SiteEvent,
    Territory,
)
from territories.sirene import jobs_of
from territories.spec import TerritoryError, territory_spec_parse
from workshops.kinds import KindResults
from workshops.models import Activity, Participant
from workshops.text import text_width

# Keys of the whole territory and of sites whose NAF code maps to no filière, beside the
# filière names in `dynamics()["by_filiere"]`.
TOTAL = "*"
OTHER = "~"
LABELS = {TOTAL: _("Ensemble du territoire"), OTHER: _("Autres industries")}


def filiere_label(key: str) -> str:
    """A filière's name in the reader's language, as `Filiere.__str__` gives it (a shipped
    filière's translated, a local one as typed)."""
    if key in LABELS:
        return str(LABELS[key])
    return gettext(key) if key else key


def territories_for(user: User) -> QuerySet[Territory]:
    """The territories an account sees: all for staff, else those it owns."""
    territories = Territory.objects.all()
    if not user.is_staff:
        territories = territories.filter(owners=user)
    return territories


def territory_list(user: User) -> QuerySet[Territory]:
    return territories_for(user).annotate(
        n_sites=Count("establishments", distinct=True), n_events=Count("events", distinct=True)
    )


def territory_editable_by(*, territory: Territory, user: User) -> bool:
    """Its owners and staff edit a territory and import into it; nobody else."""
    return user.is_staff or territory.owners.filter(pk=user.pk).exists()


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(created_by=user).select_related("territory")


def filiere_table(territory: Territory) -> list[dict[str, Any]]:
    """The NAF → filière table in force: the defaults and the territory's own lines."""
    labels = naf_labels()
    return [
        {
            "code": code,
            "label": labels.get(code, ""),
            "filiere": territory.filiere_overrides.get(code, name),
            "overridden": code in territory.filiere_overrides,
        }
        for code, name in sorted({**NAF_TO_FILIERE, **territory.filiere_overrides}.items())
    ]


def map_suggestions(activity: Activity) -> QuerySet:
    """Names of the activity's territory's sites, for the phone's autocompletion."""
    return (
        Establishment.objects.filter(
            territory__slug=activity.config.get("territory", ""), active=True, diffusible=True
        )
        .exclude(name="")
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:400]
    )


def map_links_of(activity: Activity, participant: Participant) -> QuerySet[MapLink]:
    return MapLink.objects.filter(activity=activity, participant=participant).select_related(
        "locomotive", "partner"
    )


def dynamics(territory: Territory, *, first_year: int | None = None) -> dict[str, Any]:
    """Per year and per filière (and for the whole territory): openings, closures and net
    jobs; the largest active employers per filière (candidate locomotives) and the share of
    jobs held by the top five employers."""
    rows = list(
        Establishment.objects.filter(territory=territory).values_list(
            "siret",
            "name",
            "naf",
            "created_on",
            "closed_on",
            "active",
            "headcount_band",
            "diffusible",
        )
    )
    years: dict[str, dict[int, dict[str, float]]] = defaultdict(
        lambda: defaultdict(
            lambda: {"openings": 0, "extensions": 0, "closures": 0, "net_jobs": 0.0}
        )
    )
    employers: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    for siret, name, naf, created, closed, active, band, diffusible in rows:
        filiere = filiere_for_naf(naf, territory.filiere_overrides) or OTHER
        jobs = jobs_of(band)
        for key in (filiere, TOTAL):
            if created and (first_year is None or created.year >= first_year):
                years[key][created.year]["openings"] += 1
                years[key][created.year]["net_jobs"] += jobs
            if not active and closed and (first_year is None or closed.year >= first_year):
                years[key][closed.year]["closures"] += 1
                years[key][closed.year]["net_jobs"] -= jobs
            if active:
                employers[key].append((jobs, siret, name if diffusible else ""))
    # Local events: their filière is that of the establishment with their SIRET, if known.
    filiere_of_siret = {
        siret: filiere_for_naf(naf, territory.filiere_overrides) or OTHER
        for siret, _n, naf, *_rest in rows
    }
    for kind, date, siret, jobs in SiteEvent.objects.filter(territory=territory).values_list(
        "kind", "date", "siret", "jobs"
    ):
        if first_year is not None and date.year < first_year:
            continue
        for key in {TOTAL, filiere_of_siret.get(siret, TOTAL)}:
            bucket = years[key][date.year]
            if kind == SiteEvent.Kind.OPENING:
                bucket["openings"] += 1
                bucket["net_jobs"] += jobs
            elif kind == SiteEvent.Kind.EXTENSION:
                bucket["extensions"] += 1
                bucket["net_jobs"] += jobs
            elif kind == SiteEvent.Kind.REDUCTION:  # counted in net jobs only
                bucket["net_jobs"] -= jobs
            else:
                bucket["closures"] += 1
                bucket["net_jobs"] -= jobs
    result = {}
    for key in sorted(set(years) | set(employers), key=lambda k: (k != TOTAL, k)):
        ranked = sorted(employers[key], key=lambda e: (-e[0], e[1]))
        total_jobs = sum(e[0] for e in ranked)
        top5 = sum(e[0] for e in ranked[:5])
        result[key] = {
            # Every year from the first to the last, years without events included.
            "years": [
                {
                    "year": y,
                    "openings": int(years[key][y]["openings"]),
                    "extensions": int(years[key][y]["extensions"]),
                    "closures": int(years[key][y]["closures"]),
                    "net_jobs": round(years[key][y]["net_jobs"], 1),
                }
                for y in (range(min(years[key]), max(years[key]) + 1) if years[key] else [])
            ],
            "active_sites": len(ranked),
            "estimated_jobs": round(total_jobs, 1),
            "top5_share": round(100 * top5 / total_jobs, 1) if total_jobs else 0.0,
            "locomotives": [{"siret": s, "name": n, "estimated_jobs": j} for j, s, n in ranked[:5]],
        }
    return {"territory": territory.name, "communes": len(territory.communes), "by_filiere": result}


# ---------------------------------------------------------------- the import page

# The géolocalised SIRENE extracts, one file per département (Paris: one per arrondissement).
GEO_SIRENE_URL = "https://files.data.gouv.fr/geo-sirene/last/dep/{name}"
GEO_SIRENE_NAME = "geo_siret_{code}.csv.gz"
PARIS_ARRONDISSEMENTS = [f"751{n:02d}" for n in range(1, 21)]
PREVIEW_YEARS = 10


def file_advice(spec: str) -> dict[str, Any]:
    """Which géolocalised SIRENE files hold the territory `spec` names: one per département of
    its communes (Paris: its twenty arrondissements), with their address. `error` (French)
    when `spec` names no territory. Reads the shipped commune list only."""
    spec = spec.strip()
    if not spec:
        return {}
    existing = Territory.objects.filter(slug=spec).first()
    if existing is not None:
        name, communes = existing.name, existing.communes
    else:
        try:
            parsed = territory_spec_parse(spec)
        except TerritoryError as error:
            return {"spec": spec, "error": str(error)}
        name, communes = parsed.name, parsed.communes
    data = cog.load()
    per_departement: dict[str, int] = defaultdict(int)
    for commune in communes:
        if commune in data.communes:
            per_departement[data.communes[commune][1]] += 1
    files, groups = [], []
    for code in sorted(per_departement):
        group = []
        for part in PARIS_ARRONDISSEMENTS if code == "75" else [code]:
            file_name = GEO_SIRENE_NAME.format(code=part)
            group.append(
                {
                    "departement": code,
                    "name": file_name,
                    "url": GEO_SIRENE_URL.format(name=file_name),
                    "communes": per_departement[code],
                }
            )
        files.extend(group)
        groups.append({"departement": code, "files": group})
    return {
        "spec": spec,
        "territory": name,
        "communes": len(communes),
        "departements": sorted(per_departement),
        "files": files,
        "groups": groups,  # by département, for the page (Paris: twenty files in one line)
    }


def import_preview(territory: Territory, *, today: dt.date | None = None) -> dict[str, Any]:
    """What the organiser sees right after an import: over the last PREVIEW_YEARS years, the
    territory's openings, extensions and closures and the estimated net jobs; its five
    largest filières by active sites (from `dynamics`), by key. A JSON-ready dict: the worker
    computes it once, at the end of the import (it reads every site of the territory)."""
    today = today or dt.date.today()
    since = today.year - PREVIEW_YEARS + 1
    data = dynamics(territory, first_year=since)["by_filiere"]
    total = data.get(TOTAL, {"years": [], "active_sites": 0, "estimated_jobs": 0})
    filieres = sorted(
        (
            {
                "key": key,
                "active_sites": value["active_sites"],
                "estimated_jobs": round(value["estimated_jobs"]),
                "openings": sum(y["openings"] for y in value["years"]),
                "closures": sum(y["closures"] for y in value["years"]),
            }
            for key, value in data.items()
            if key != TOTAL
        ),
        key=lambda f: (-f["active_sites"], -f["estimated_jobs"], filiere_label(f["key"])),
    )
    return {
        "since": since,
        "openings": sum(y["openings"] for y in total["years"]),
        "extensions": sum(y["extensions"] for y in total["years"]),
        "closures": sum(y["closures"] for y in total["years"]),
        "net_jobs": round(sum(y["net_jobs"] for y in total["years"])),
        "active_sites": total["active_sites"],
        "estimated_jobs": round(total["estimated_jobs"]),
        "located": Establishment.objects.filter(territory=territory)
        .exclude(longitude=None)
        .count(),
        "filieres": filieres[:5],
    }


def import_preview_labelled(preview: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored preview (`import_preview`, computed by the worker at the end of the import),
    its filières named in the reader's language."""
    if not preview:
        return None
    return {
        **preview,
        "filieres": [{**f, "label": filiere_label(f["key"])} for f in preview["filieres"]],
    }


CHART_YEARS = 12


def dynamics_chart(years: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the openings/closures chart (viewBox 1000 x 420): bars up for openings,
    down for closures, around a middle axis; the last CHART_YEARS years."""
    rows = years[-CHART_YEARS:]
    if not rows:
        return {"bars": [], "max": 0}
    top = max(max(r["openings"] + r["extensions"], r["closures"]) for r in rows) or 1
    width = 1000 / len(rows)
    bars = []
    for i, r in enumerate(rows):
        bars.append(
            {
                **r,
                "x": round(i * width + width * 0.2, 1),
                "w": round(width * 0.6, 1),
                "cx": round(i * width + width / 2, 1),
                "up": round(150 * r["openings"] / top, 1),
                "ext": round(150 * r["extensions"] / top, 1),
                "up_total": round(150 * (r["openings"] + r["extensions"]) / top, 1),
                "down": round(150 * r["closures"] / top, 1),
            }
        )
    return {"bars": bars, "max": top}


def _territory_figures(whole: dict[str, Any]) -> list[tuple[str, int]]:
    """The territory's key figures in the synthesis (and on each participant's sheet)."""
    sites, jobs = whole["active_sites"], round(whole["estimated_jobs"])
    share = round(whole["top5_share"])
    return [
        (ngettext("site industriel actif", "sites industriels actifs", sites), sites),
        (ngettext("emploi industriel estimé", "emplois industriels estimés", jobs), jobs),
        (_("% des emplois chez les cinq premiers employeurs"), share),
    ]


def territory_results(activity: Activity) -> KindResults:
    """The `territory` kind: the dynamics of the territory set on the activity, for the
    filière chosen by the facilitator (the whole territory by default)."""
    territory = Territory.objects.filter(slug=activity.config.get("territory", "")).first()
    if territory is None:
        return KindResults(in_debrief=False, data={"territory": None})
    data = dynamics(territory, first_year=activity.config.get("since"))
    chosen = activity.config.get("filiere") or TOTAL
    current = data["by_filiere"].get(chosen) or data["by_filiere"].get(
        TOTAL,
        {"years": [], "locomotives": [], "active_sites": 0, "estimated_jobs": 0, "top5_share": 0},
    )
    stock = (
        Establishment.objects.filter(territory=territory)
        .exclude(stock_date=None)
        .order_by("-stock_date")
        .values_list("stock_date", flat=True)
        .first()
    )
    whole = data["by_filiere"].get(TOTAL, current)
    return KindResults(
        in_debrief=current["active_sites"] > 0,
        figures=_territory_figures(whole) if whole["active_sites"] else [],
        data={
            "territory": territory,
            "filieres": [(key, filiere_label(key)) for key in data["by_filiere"]],
            "chosen": chosen if chosen in data["by_filiere"] else TOTAL,
            "chosen_label": filiere_label(chosen if chosen in data["by_filiere"] else TOTAL),
            "current": current,
            "chart": dynamics_chart(current["years"]),
            "stock_date": stock,
        },
    )


RELATION_COLORS = {
    "subcontractor": "#f4a259",
    "supplier": "#8fb4f5",
    "customer": "#ffd28a",
    "research": "#d7c2f0",
    "training": "#9be3c9",
}


# The map as the wall draws it, in SVG units of about one pixel at 1080p: the locomotives in
# the middle column under their filière, their partners on either side, one row each.
MAP_FONT, MAP_ROW, MAP_BAND, MAP_DOT = 30.0, 46.0, 150.0, 11.0


def _map_layout(nodes, links) -> dict[str, Any]:
    """Places for the wall's map, from the nodes in the order they appeared: every label on
    its own row and whole (widths measured in the wall's font), so nothing collides.
    Locomotives stack in the middle column under their filière; each partner goes to the
    side of its locomotives (sorted by their mean height, alternately left and right), so
    that lines cross little. The SVG is as large as its content and the wall scales it."""
    locos = [n for n in nodes if n.role == MapNode.Role.LOCOMOTIVE]
    partners = [n for n in nodes if n.role != MapNode.Role.LOCOMOTIVE]
    rows: list[tuple[str, Any]] = []
    for filiere in dict.fromkeys(n.filiere for n in locos):
        rows.append(("filiere", filiere or "Filière à préciser"))
        rows.extend(("loco", n) for n in locos if n.filiere == filiere)
    row_of = {item.pk: i for i, (kind, item) in enumerate(rows) if kind == "loco"}
    linked: dict[int, list[int]] = defaultdict(list)
    for link in links:
        if link.locomotive_id in row_of:
            linked[link.partner_id].append(row_of[link.locomotive_id])
    order = sorted(
        partners,
        key=lambda n: sum(linked[n.pk]) / len(linked[n.pk]) if linked[n.pk] else len(rows),
    )
    left, right = order[0::2], order[1::2]

    def width(text: str, weight: int = 400) -> float:
        return text_width(text, MAP_FONT, weight=weight)

    centre = max(
        [width(n.name, 700) + 2 * MAP_FONT for n in locos]
        + [width(name, 700) for kind, name in rows if kind == "filiere"]
        + [0]
    )
    side_l = max([width(n.name) for n in left] + [0])
    side_r = max([width(n.name) for n in right] + [0])
    gap = 12.0
    x_dot_l = side_l + gap + MAP_DOT
    x_c = x_dot_l + MAP_BAND + centre / 2
    x_dot_r = x_c + centre / 2 + MAP_BAND
    total_w = x_dot_r + MAP_DOT + gap + side_r + 4
    n_rows = max(len(rows), len(left), len(right), 1)
    total_h = n_rows * MAP_ROW

    def spread(count: int, index: int) -> float:
        # rows of a shorter column are spread over the whole height
        step = total_h / count
        return step * index + step / 2

    places: dict[int, dict[str, Any]] = {}
    drawn_rows = []
    for i, (kind, item) in enumerate(rows):
        y = spread(len(rows), i)
        if kind == "filiere":
            drawn_rows.append({"kind": kind, "name": item, "x": x_c, "y": y})
            continue
        half = (width(item.name, 700) + 2 * MAP_FONT) / 2
        places[item.pk] = {"x": x_c, "y": y, "left": x_c - half, "right": x_c + half}
        drawn_rows.append(
            {
                "kind": kind,
                "name": item.name,
                "x": x_c,
                "y": y,
                "left": x_c - half,
                "w": 2 * half,
                "top": y - 0.75 * MAP_FONT,
                "h": 1.5 * MAP_FONT,
            }
        )
    for side, column, x_dot in (("left", left, x_dot_l), ("right", right, x_dot_r)):
        for i, node in enumerate(column):
            y = spread(len(column), i)
            places[node.pk] = {"x": x_dot, "y": y, "side": side}
            drawn_rows.append(
                {
                    "kind": "partner",
                    "name": node.name,
                    "x": x_dot,
                    "y": y,
                    "side": side,
                    "text_x": x_dot - MAP_DOT - gap if side == "left" else x_dot + MAP_DOT + gap,
                }
            )
    lines = []
    for link in links:
        a, b = places.get(link.locomotive_id), places.get(link.partner_id)
        if a is None or b is None:
            continue
        if b.get("side") == "left":
            x1 = a["left"]
        elif b.get("side") == "right":
            x1 = a["right"]
        else:  # a locomotive named as another's partner: both in the middle column
            x1, b = a["right"], {"x": b["right"], "y": b["y"]}
        lines.append(
            {
                "x1": round(x1, 1),
                "y1": round(a["y"], 1),
                "x2": round(b["x"], 1),
                "y2": round(b["y"], 1),
                "color": RELATION_COLORS.get(link.relation, "#ffffff"),
                "link": link,
            }
        )
    for row in drawn_rows:
        for key in ("x", "y", "left", "w", "text_x", "top", "h"):
            if key in row:
                row[key] = round(row[key], 1)
    return {
        "width": round(total_w),
        "height": round(total_h),
        "rows": drawn_rows,
        "lines": lines,
        "font": MAP_FONT,
        "dot": MAP_DOT,
    }


def filiere_map(activity: Activity) -> KindResults:
    """The live filière map: nodes at their fixed places, links coloured by relation, the
    filière labels at their cluster, and counts (the panel and the PDF); `wall`: the rows
    the projector draws (`_map_layout`)."""
    nodes = list(MapNode.objects.filter(activity=activity))
    links = list(MapLink.objects.filter(activity=activity).select_related("locomotive", "partner"))
    order = list(dict.fromkeys(n.filiere for n in nodes if n.role == MapNode.Role.LOCOMOTIVE))
    clusters = []
    for index, name in enumerate(order):
        x, y = cluster_centre(index)
        clusters.append({"name": name or _("Filière à préciser"), "x": x, "y": y - 125})
    degree: dict[int, int] = defaultdict(int)
    for link in links:
        degree[link.locomotive_id] += 1
    return KindResults(
        n_answers=len({lk.participant_id for lk in links}),
        data={
            "nodes": nodes,
            "links": [
                {"link": lk, "color": RELATION_COLORS.get(lk.relation, "#ffffff")} for lk in links
            ],
            "clusters": clusters,
            "degree": dict(degree),
            "relations": [
                (value, label, RELATION_COLORS[value]) for value, label in MapLink.Relation.choices
            ],
            "wall": _map_layout(nodes, links),
            "n_locomotives": sum(1 for n in nodes if n.role == MapNode.Role.LOCOMOTIVE),
            "n_partners": sum(1 for n in nodes if n.role == MapNode.Role.PARTNER),
        },
    )
