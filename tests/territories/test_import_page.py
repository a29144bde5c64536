from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from territories.models import Establishment, ImportJob, SiteEvent, StagedEstablishment, Territory
from tests.factories import UserFactory
from tests.territories.sirene_files import COLUMNS_54, row, write

pytestmark = pytest.mark.django_db

CLUSES = "200033116"


@pytest.fixture
def organiser():
    client = Client()
    user = UserFactory()
    client.force_login(user)
    return client, user


def upload(client, path, **data):
    with path.open("rb") as f:
        return client.post(
            reverse("territories:import"),
            {
                "territory": CLUSES,
                "kind": "stock",
                "sections": "C",
                "file": SimpleUploadedFile(path.name, f.read()),
                **data,
            },
        )


def test_an_organiser_imports_a_stock_and_reads_the_report(organiser, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client, user = organiser
    path = write(
        tmp_path / "stock.csv.gz",
        COLUMNS_54,
        [
            row(COLUMNS_54, siret="12345678900011"),
            row(COLUMNS_54, siret="22345678900010", codeCommuneEtablissement="75056"),
        ],
    )
    response = upload(client, path, stock_date="2026-11-01")
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("territories:import_job", args=[job.pk])
    assert (job.status, job.report["kept"], job.report["skipped"]) == (
        "done",
        1,
        {"hors territoire": 1},
    )
    assert str(Establishment.objects.get().stock_date) == "2026-11-01"
    assert list(Territory.objects.get().owners.all()) == [user]
    assert list((tmp_path / "imports").iterdir()) == []  # the upload is not kept
    page = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert "Import terminé." in page
    assert "hors territoire (1)" in page
    partial = client.get(
        reverse("territories:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<section id="job"')


def test_a_file_that_is_not_sirene_fails_cleanly(organiser, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client, _user = organiser
    path = tmp_path / "notes.csv"
    path.write_text("nom,prenom\nA,B\n", encoding="utf-8")
    upload(client, path)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "colonnes manquantes" in job.error
    assert Establishment.objects.count() == 0
    page = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert (
        "L&#x27;import n&#x27;a pas abouti : rien n&#x27;a été modifié." in page
        or "L'import n'a pas abouti" in page
    )


def test_events_and_missing_fields_from_the_page(organiser, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client, _user = organiser
    events = tmp_path / "evenements.csv"
    events.write_text(
        "type;date;entreprise;emplois\nouverture;2026-05-01;Usine X;120\nfusion;2026-01-01;Y;\n",
        encoding="utf-8",
    )
    upload(client, events, kind="events")
    job = ImportJob.objects.get()
    assert (job.status, job.report["kept"], len(job.report["malformed_lines"])) == ("done", 1, 1)
    assert SiteEvent.objects.get().jobs == 120
    response = client.post(reverse("territories:import"), {"territory": "", "kind": "stock"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez le territoire." in html
    assert "Choisissez un fichier." in html
    response = client.post(
        reverse("territories:import"),
        {
            "territory": "99999",
            "kind": "stock",
            "sections": "C",
            "file": SimpleUploadedFile("a.csv", b"x"),
        },
    )
    assert "Codes commune inconnus : 99999." in response.content.decode()


def test_owners_keep_their_territory(organiser, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client, _user = organiser
    upload(
        client, write(tmp_path / "stock.csv", COLUMNS_54, [row(COLUMNS_54, siret="12345678900011")])
    )
    territory = Territory.objects.get()
    other = Client()
    other.force_login(UserFactory())
    response = upload(
        other, write(tmp_path / "stock2.csv", COLUMNS_54, [row(COLUMNS_54, siret="12345678900011")])
    )
    assert "Ce territoire appartient à d&#x27;autres organisateurs" in response.content.decode()
    assert other.get(reverse("territories:filiere_table", args=[territory.slug])).status_code == 403
    job = ImportJob.objects.get()
    assert other.get(reverse("territories:import_job", args=[job.pk])).status_code == 404
    assert (
        client.get(reverse("territories:filiere_table", args=[territory.slug])).status_code == 200
    )


def test_one_event_by_hand_with_the_csv_rules(organiser):
    client, user = organiser
    territory = Territory.objects.create(name="T", slug="t", kind="custom", communes=["74081"])
    territory.owners.add(user)
    url = reverse("territories:event_form", args=["t"])
    response = client.post(
        url, {"type": "ouverture", "date": "2099-01-01", "entreprise": "Usine <X>", "emplois": "12"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "date trop lointaine (2099-01-01)" in html
    assert 'value="Usine &lt;X&gt;"' in html  # what was typed stays, escaped
    client.post(
        url,
        {
            "type": "extension",
            "date": "2026-03-15",
            "entreprise": "Mecalac",
            "emplois": "40",
            "source": "Le Messager",
        },
    )
    assert list(SiteEvent.objects.values_list("kind", "name", "jobs")) == [
        ("extension", "Mecalac", 40)
    ]
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 403


def test_a_job_whose_worker_stopped_is_marked_failed_and_can_be_started_again(
    organiser, tmp_path, settings
):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client, user = organiser
    territory = Territory.objects.create(name="T", slug="t", kind="custom", communes=["74081"])
    territory.owners.add(user)
    stock = write(tmp_path / "s.csv", COLUMNS_54, [row(COLUMNS_54, siret="12345678900011")])
    # A worker claimed the job, staged part of it, then was killed: no progress since.
    job = ImportJob.objects.create(
        territory=territory,
        kind="stock",
        filename="s.csv",
        path=str(stock),
        created_by=user,
        status="running",
        report={"stock_date": None, "sections": "C"},
    )
    StagedEstablishment.objects.create(
        run=job.staging_key, siret="12345678900011", siren="123456789", commune="74081"
    )
    page = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page  # fresh: still running
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    page = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == "failed"
    assert "Le processus d&#x27;import s&#x27;est arrêté en cours de route" in page
    assert 'hx-trigger="every 1s"' not in page
    assert (Establishment.objects.count(), StagedEstablishment.objects.count()) == (0, 0)
    assert "Relancer l'import" in page
    response = client.post(reverse("territories:import_retry", args=[job.pk]))
    assert response["Location"] == reverse("territories:import_job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.report["kept"]) == ("done", 1)
    assert list(Establishment.objects.values_list("siret", flat=True)) == ["12345678900011"]
    assert not stock.exists()
    # Done: nothing to start again.
    client.post(reverse("territories:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
