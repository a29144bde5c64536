"""The géolocalised SIRENE extracts by département (`geo_siret_<dep>.csv.gz`), and the import
page's advice on which of them to fetch."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from territories.models import Establishment, ImportJob, Territory
from territories.selectors import file_advice, import_preview, import_preview_labelled
from territories.services import territory_resolve
from territories.sirene import COLUMNS_48, GEO_COLUMNS, file_format, sirene_import
from tests.factories import UserFactory
from tests.territories.sirene_files import COLUMNS_54, COLUMNS_GEO, geo_row, row, write

pytestmark = pytest.mark.django_db

CLUSES = "200033116"


@pytest.fixture
def organiser():
    client = Client()
    user = UserFactory()
    client.force_login(user)
    return client, user


def geo_extract(path):
    """A département extract as published: the stock's 48 columns, then the geocoder's nine,
    no BOM, gzip."""
    return write(
        path,
        COLUMNS_GEO,
        [
            geo_row(
                COLUMNS_GEO,
                siret="12345678900011",
                enseigne1Etablissement="Décolletage Alpin",
                dateCreationEtablissement="2021-03-02",
                trancheEffectifsEtablissement="21",
            ),
            # Not placed by the geocoder: empty coordinates.
            geo_row(COLUMNS_GEO, siret="12345678900029", longitude="", latitude=""),
            geo_row(
                COLUMNS_GEO,
                siret="32345678900019",
                etatAdministratifEtablissement="F",
                dateDebut="2022-06-30",
                dateCreationEtablissement="2001-01-01",
            ),
            # Another commune of the département, outside the EPCI.
            geo_row(COLUMNS_GEO, siret="22345678900010", codeCommuneEtablissement="74010"),
            geo_row(COLUMNS_GEO, siret="52345678900017", activitePrincipaleEtablissement="47.11A"),
        ],
        bom=False,
    )


def test_the_published_layout_is_the_stock_and_nine_geocoding_columns():
    assert COLUMNS_GEO[:48] == COLUMNS_48
    assert COLUMNS_GEO[48:] == GEO_COLUMNS
    assert GEO_COLUMNS[:2] == ["longitude", "latitude"]
    assert file_format(COLUMNS_GEO) == "geo"
    assert file_format(COLUMNS_54) == "stock"


def test_a_departement_extract_goes_through_the_page_and_the_worker(organiser, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client, _user = organiser
    path = geo_extract(tmp_path / "geo_siret_74.csv.gz")
    with path.open("rb") as f:
        response = client.post(
            reverse("territories:import"),
            {
                "territory": CLUSES,
                "kind": "stock",
                "sections": "C",
                "file": SimpleUploadedFile(path.name, f.read()),
            },
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("territories:import_job", args=[job.pk])
    assert (job.status, job.report["format"], job.report["read"], job.report["kept"]) == (
        "done",
        "geo",
        5,
        3,
    )
    assert job.report["skipped"] == {"autre secteur": 1, "hors territoire": 1}
    coordinates = dict(Establishment.objects.values_list("siret", "longitude").order_by("siret"))
    assert coordinates == {
        "12345678900011": 6.580451,
        "12345678900029": None,
        "32345678900019": 6.580451,
    }
    assert Establishment.objects.get(siret="12345678900011").latitude == 46.060413
    html = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert "Extrait SIRENE géolocalisé" in html
    assert 'id="preview"' in html
    assert "<td>Mines et métallurgie</td><td>2</td>" in html
    assert not list((tmp_path / "imports").iterdir())
    # The preview was computed by the worker and stored with the report: the page only reads
    # it (here the sites are gone, the page still shows what the import found), and names the
    # filières in the reader's language.
    assert job.report["preview"]["filieres"][0]["active_sites"] == 2
    Establishment.objects.all().delete()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert "<td>Mining and metallurgy</td><td>2</td>" in html


def test_a_stock_without_coordinates_keeps_those_of_the_extract(tmp_path):
    territory = territory_resolve(spec=CLUSES)
    sirene_import(territory=territory, path=geo_extract(tmp_path / "geo_siret_74.csv.gz"))
    stock = write(
        tmp_path / "stock.csv",
        COLUMNS_54,
        [row(COLUMNS_54, siret="12345678900011", trancheEffectifsEtablissement="22")],
    )
    report = sirene_import(territory=territory, path=stock)
    assert (report.format, report.updated) == ("stock", 1)
    site = Establishment.objects.get(siret="12345678900011")
    assert (site.headcount_band, site.longitude, site.latitude) == ("22", 6.580451, 46.060413)


def test_the_preview_counts_ten_years_of_openings_and_closures(tmp_path):
    territory = territory_resolve(spec=CLUSES)
    sirene_import(territory=territory, path=geo_extract(tmp_path / "geo_siret_74.csv.gz"))
    preview = import_preview(territory, today=dt.date(2026, 11, 27))
    assert {
        k: preview[k] for k in ("since", "openings", "closures", "active_sites", "located")
    } == {
        "since": 2017,
        "openings": 1,  # in 2021; the others opened in 2015 and 2001
        "closures": 1,
        "active_sites": 2,
        "located": 2,
    }
    assert json.loads(json.dumps(preview)) == preview  # stored in the job's report
    assert import_preview_labelled(preview)["filieres"][0]["label"] == "Mines et métallurgie"


def test_the_advice_names_the_files_of_the_territory_s_departements():
    cluses = file_advice(CLUSES)
    assert [f["name"] for f in cluses["files"]] == ["geo_siret_74.csv.gz"]
    assert cluses["files"][0]["url"] == (
        "https://files.data.gouv.fr/geo-sirene/last/dep/geo_siret_74.csv.gz"
    )
    assert (cluses["territory"], cluses["communes"]) == ("CC Cluses-Arve et Montagnes", 10)
    both = file_advice("74081, 01053")
    assert [f["name"] for f in both["files"]] == ["geo_siret_01.csv.gz", "geo_siret_74.csv.gz"]
    paris = file_advice("75056")
    assert [f["name"] for f in paris["files"]][:2] == [
        "geo_siret_75101.csv.gz",
        "geo_siret_75102.csv.gz",
    ]
    assert len(paris["files"]) == 20
    assert [f["name"] for f in file_advice("2A004")["files"]] == ["geo_siret_2A.csv.gz"]
    assert file_advice("99999") == {"spec": "99999", "error": "Codes commune inconnus : 99999."}
    assert file_advice("  ") == {}
    assert Territory.objects.count() == 0  # advice creates nothing


def test_the_import_page_gives_the_advice_as_the_territory_is_typed(organiser):
    client, _user = organiser
    url = reverse("territories:import")
    partial = client.get(url, {"territory": CLUSES}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section id="advice"')
    assert "geo_siret_74.csv.gz" in partial
    assert "CC Cluses-Arve et Montagnes (10 communes)" in partial
    page = client.get(url, {"territory": CLUSES}).content.decode()
    assert f'value="{CLUSES}"' in page
    assert "https://files.data.gouv.fr/geo-sirene/last/dep/geo_siret_74.csv.gz" in page
    assert "Indiquez le territoire ci-dessous" in client.get(url).content.decode()
    paris = client.get(url, {"territory": "75056"}, HTTP_HX_REQUEST="true").content.decode()
    assert "geo_siret_75101.csv.gz</code></a> … <a" in paris
    assert "département 75 (20 fichiers, un par arrondissement)" in paris
