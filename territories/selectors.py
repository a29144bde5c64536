"""Dynamics of a territory's production sites, from its establishments.

Jobs are estimated from SIRENE headcount bands by a stated rule: the midpoint of each band
(0 for "non employeur" and "0 salarié", 1.5 for 1–2, 4 for 3–5, 7.5 for 6–9, 14.5 for 10–19,
34.5 for 20–49, 74.5 for 50–99, 149.5 for 100–199, 224.5 for 200–249, 374.5 for 250–499,
749.5 for 500–999, 1,499.5 for 1,000–1,999, 3,499.5 for 2,000–4,999, 7,499.5 for 5,000–9,999
and 10,000 for 10,000 and more). An opening adds the jobs of its band in its year of creation;
a closure removes them in its year of closure.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from territories.filieres import filiere_for_naf
from territories.models import Establishment, Territory

BAND_JOBS = {
    "NN": 0.0,
    "00": 0.0,
    "01": 1.5,
    "02": 4.0,
    "03": 7.5,
    "11": 14.5,
    "12": 34.5,
    "21": 74.5,
    "22": 149.5,
    "31": 224.5,
    "32": 374.5,
    "41": 749.5,
    "42": 1499.5,
    "51": 3499.5,
    "52": 7499.5,
    "53": 10000.0,
}
TOTAL = "Ensemble du territoire"


def jobs_of(band: str) -> float:
    return BAND_JOBS.get(band, 0.0)


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
        lambda: defaultdict(lambda: {"openings": 0, "closures": 0, "net_jobs": 0.0})
    )
    employers: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    for siret, name, naf, created, closed, active, band, diffusible in rows:
        filiere = filiere_for_naf(naf) or "Autres industries"
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
    result = {}
    for key in sorted(set(years) | set(employers), key=lambda k: (k != TOTAL, k)):
        ranked = sorted(employers[key], key=lambda e: (-e[0], e[1]))
        total_jobs = sum(e[0] for e in ranked)
        top5 = sum(e[0] for e in ranked[:5])
        result[key] = {
            "years": [
                {
                    "year": y,
                    **{
                        k: (round(v, 1) if k == "net_jobs" else int(v))
                        for k, v in years[key][y].items()
                    },
                }
                for y in sorted(years[key])
            ],
            "active_sites": len(ranked),
            "estimated_jobs": round(total_jobs, 1),
            "top5_share": round(100 * top5 / total_jobs, 1) if total_jobs else 0.0,
            "locomotives": [{"siret": s, "name": n, "estimated_jobs": j} for j, s, n in ranked[:5]],
        }
    return {"territory": territory.name, "communes": len(territory.communes), "by_filiere": result}
