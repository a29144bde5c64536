"""Dynamics on a fixture whose figures are computed by hand."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from territories.events import EventsFormatError, events_import
from territories.filieres import filiere_for_naf
from territories.models import Establishment, Territory
from territories.selectors import TOTAL, dynamics
from territories.sirene import historique_import

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
    assert [y for y in metal["years"] if y["openings"] or y["closures"] or y["extensions"]] == [
        {"year": 2010, "openings": 1, "extensions": 0, "closures": 0, "net_jobs": 74.5},
        {"year": 2019, "openings": 1, "extensions": 0, "closures": 0, "net_jobs": 34.5},
        {"year": 2020, "openings": 1, "extensions": 0, "closures": 1, "net_jobs": -67.0},
    ]
    assert (metal["active_sites"], metal["estimated_jobs"]) == (2, 42.0)
    assert [lo["name"] for lo in metal["locomotives"]] == ["Décolletage A", "Usinage B"]
    total = data[TOTAL]
    # 2020 overall: openings 2 (7.5 + 149.5), closure 1 (74.5) -> +82.5
    assert total["years"][-1] == {
        "year": 2020,
        "openings": 2,
        "extensions": 0,
        "closures": 1,
        "net_jobs": 82.5,
    }
    assert total["estimated_jobs"] == 191.5
    assert total["top5_share"] == 100.0
    assert next(iter(data)) == TOTAL


def test_since_filters_years_and_the_command_prints_json(territory):
    out = io.StringIO()
    call_command("dynamics", "test", "--json", "--since", "2019", stdout=out)
    data = json.loads(out.getvalue())
    assert [y["year"] for y in data["by_filiere"][TOTAL]["years"]] == [2019, 2020]


def test_local_events_add_to_the_dynamics(territory, tmp_path):
    csv_text = (
        "type;date;entreprise;siret;emplois;source;note\n"
        "extension;15/03/2021;Décolletage A;10000000000001;40;Le Messager;nouvel atelier\n"
        "ouverture;2021-09-01;Gigafactory X;;300;Presse;annoncée\n"
        "fermeture;2099-01-01;Y;;10;;\n"
        "fusion;2021-01-01;Z;;;;\n"
        "ouverture;2021-10-01;;;abc;;\n"
    )
    report = events_import(territory=territory, path=_write(tmp_path, csv_text))
    assert (report.created, [n for n, _r in report.errors]) == (2, [4, 5, 6])
    assert "date trop lointaine" in report.errors[0][1]
    assert "type « fusion » inconnu" in report.errors[1][1]
    assert "entreprise manquante" in report.errors[2][1]
    assert "nombre d'emplois illisible « abc »" in report.errors[2][1]
    again = events_import(territory=territory, path=_write(tmp_path, csv_text))
    assert (again.created, again.unchanged) == (0, 2)
    data = dynamics(territory)["by_filiere"]
    y2021 = next(y for y in data[TOTAL]["years"] if y["year"] == 2021)
    assert y2021 == {"year": 2021, "openings": 1, "extensions": 1, "closures": 0, "net_jobs": 340.0}
    metal_2021 = next(y for y in data["Mines et métallurgie"]["years"] if y["year"] == 2021)
    assert (metal_2021["extensions"], metal_2021["net_jobs"]) == (1, 40.0)


def test_events_file_without_the_columns_is_refused(territory, tmp_path):
    with pytest.raises(EventsFormatError, match="Colonnes manquantes : type, date"):
        events_import(territory=territory, path=_write(tmp_path, "entreprise\nX\n"))


def test_historique_gives_closure_dates(territory, tmp_path):
    path = tmp_path / "StockEtablissementHistorique_utf8.csv"
    path.write_text(
        "siren,nic,siret,dateFin,dateDebut,etatAdministratifEtablissement,changementEtatAdministratifEtablissement\n"
        "100000000,00003,10000000000003,,2020-06-30,F,true\n"
        "100000000,00003,10000000000003,2020-06-29,2012-01-01,A,false\n"
        "999999999,00001,99999999900001,,2019-01-01,F,true\n"
        "bad,line\n",
        encoding="utf-8",
    )
    Establishment.objects.filter(siret="10000000000003").update(closed_on=None)
    report = historique_import(territory=territory, path=path)
    assert (report.read, report.kept, report.updated, report.malformed_count) == (4, 1, 1, 1)
    assert str(Establishment.objects.get(siret="10000000000003").closed_on) == "2020-06-30"


def test_the_organiser_edits_the_filiere_table_and_the_dynamics_follow(territory):
    from django.test import Client
    from django.urls import reverse

    from tests.factories import UserFactory

    url = reverse("territories:filiere_table", args=["test"])
    assert Client().get(url).status_code == 302  # login required
    client = Client()
    owner = UserFactory()
    territory.owners.add(owner)
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Mécanique industrielle" not in page  # sub-classes only when named
    assert "Fabrication de produits métalliques" in page
    html = client.post(
        url, {"lines": "25.62 = Automobile\n99.99 = Bois\n25.73A = Inconnue\nsans égal"}
    ).content.decode()
    assert "ligne 2 : code NAF inconnu « 99.99 »" in html
    assert "ligne 3 : filière inconnue « Inconnue »" in html
    assert "ligne 4 : écrivez « code NAF = filière »" in html
    assert "25.62 = Automobile" in html  # the typing is kept
    territory.refresh_from_db()
    assert territory.filiere_overrides == {}
    client.post(url, {"lines": "25.62 = Automobile"})
    territory.refresh_from_db()
    assert territory.filiere_overrides == {"25.62": "Automobile"}
    data = dynamics(territory)["by_filiere"]
    assert data["Automobile"]["active_sites"] == 2  # the two 25.62 sites moved
    assert data["Mines et métallurgie"]["active_sites"] == 0
    assert "Test" in client.get(reverse("territories:list")).content.decode()


def _write(folder, text: str):
    path = folder / "evenements.csv"
    path.write_text(text, encoding="utf-8")
    return path
