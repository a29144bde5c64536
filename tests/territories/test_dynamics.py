"""Dynamics on a fixture whose figures are computed by hand."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from territories.filieres import filiere_for_naf
from territories.models import Establishment, Territory
from territories.selectors import TOTAL, dynamics

pytestmark = pytest.mark.django_db


def site(territory, siret, naf, created, band, closed=None, name="X"):
    return Establishment.objects.create(
        territory=territory,
        siret=siret,
        siren=siret[:9],
        name=name,
        naf=naf,
        commune="74081",
        created_on=dt.date(*created) if created else None,
        closed_on=dt.date(*closed) if closed else None,
        active=closed is None,
        headcount_band=band,
    )


@pytest.fixture
def territory():
    t = Territory.objects.create(name="Test", slug="test", kind="custom", communes=["74081"])
    # Metal products (25.xx -> Mines et métallurgie)
    site(t, "10000000000001", "25.62B", (2019, 5, 1), "12", name="Décolletage A")  # 34.5 jobs
    site(t, "10000000000002", "25.62A", (2020, 1, 1), "03", name="Usinage B")  # 7.5
    site(
        t, "10000000000003", "25.73A", (2010, 1, 1), "21", closed=(2020, 6, 30), name="Outils C"
    )  # 74.5, closed 2020
    # Batteries (27.20 -> Transition énergétique)
    site(t, "20000000000001", "27.20Z", (2020, 9, 1), "22", name="Batteries D")  # 149.5
    return t


def test_naf_prefixes_map_to_filieres():
    assert filiere_for_naf("25.62B") == "Mines et métallurgie"
    assert filiere_for_naf("27.20Z") == "Transition énergétique"
    assert filiere_for_naf("27.11Z") == "Industries des nouveaux systèmes énergétiques"
    assert filiere_for_naf("30.30Z") == "Aéronautique"
    assert filiere_for_naf("99.00Z") == ""
    assert filiere_for_naf("25.62B", {"25.62": "Décolletage"}) == "Décolletage"


def test_dynamics_by_hand(territory):
    data = dynamics(territory)["by_filiere"]
    metal = data["Mines et métallurgie"]
    # 2010: +1 (74.5); 2019: +1 (34.5); 2020: +1 (7.5), -1 (74.5) -> net -67.0
    assert [y["year"] for y in metal["years"]] == list(range(2010, 2021))  # no gap
    assert [y for y in metal["years"] if y["openings"] or y["closures"]] == [
        {"year": 2010, "openings": 1, "closures": 0, "net_jobs": 74.5},
        {"year": 2019, "openings": 1, "closures": 0, "net_jobs": 34.5},
        {"year": 2020, "openings": 1, "closures": 1, "net_jobs": -67.0},
    ]
    assert (metal["active_sites"], metal["estimated_jobs"]) == (2, 42.0)
    assert [lo["name"] for lo in metal["locomotives"]] == ["Décolletage A", "Usinage B"]
    total = data[TOTAL]
    # 2020 overall: openings 2 (7.5 + 149.5), closure 1 (74.5) -> +82.5
    assert total["years"][-1] == {"year": 2020, "openings": 2, "closures": 1, "net_jobs": 82.5}
    assert total["estimated_jobs"] == 191.5
    assert total["top5_share"] == 100.0
    assert next(iter(data)) == TOTAL


def test_since_filters_years_and_the_command_prints_json(territory):
    out = io.StringIO()
    call_command("dynamics", "test", "--json", "--since", "2019", stdout=out)
    data = json.loads(out.getvalue())
    assert [y["year"] for y in data["by_filiere"][TOTAL]["years"]] == [2019, 2020]
