"""The organiser's exports (each CSV table, the whole rencontre as JSON) are made by the
background worker, as the PDF is: the export's address queues a job and answers the page that
waits for it; the panel's buttons show its progress and then its file; an unchanged rencontre
keeps its file; a stopped worker leaves the job failed with its reason, and it starts again."""

from __future__ import annotations

import datetime as dt
import json
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, make_rencontre
from workshops import services, tasks
from workshops.models import DebriefJob


def csv_url(rencontre, name: str = "participants", job: DebriefJob | None = None) -> str:
    url = reverse("workshops:export_csv", args=[rencontre.code, name])
    return f"{url}?tache={job.pk}" if job else url


def json_url(rencontre, job: DebriefJob | None = None) -> str:
    url = reverse("workshops:export_json", args=[rencontre.code])
    return f"{url}?tache={job.pk}" if job else url


def export_files(settings) -> list[Path]:
    folder = Path(settings.DEBRIEF_DIR)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".csv", ".json"})


def run_worker(job: DebriefJob) -> DebriefJob:
    tasks.debrief_job_run(job_id=job.pk)  # what the worker process does
    job.refresh_from_db()
    return job


def test_the_old_csv_address_queues_a_job_and_the_worker_makes_the_file(
    client, room, queued_only, settings
):
    rencontre, user = room
    client.force_login(user)
    waiting = client.get(csv_url(rencontre))
    job = DebriefJob.objects.get()
    assert waiting.status_code == 200
    assert waiting["Content-Type"] == "text/html; charset=utf-8"
    assert "Export « participants.csv » en attente" in waiting.text
    assert f'hx-get="/animer/{rencontre.code}/export/{job.pk}/?suivre=1"' in waiting.text
    assert (job.what, job.status) == ("csv:participants", DebriefJob.Status.QUEUED)
    assert [r.args for r in queued_only.results] == [[job.pk]]
    assert export_files(settings) == []  # nothing built by the request

    job = run_worker(job)
    assert job.status == DebriefJob.Status.DONE
    assert export_files(settings) == [Path(settings.DEBRIEF_DIR) / job.filename]
    job_url = reverse("workshops:export_job", args=[rencontre.code, job.pk])
    poll = client.get(job_url + "?suivre=1", headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == csv_url(rencontre, job=job)
    response = client.get(csv_url(rencontre, job=job))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{rencontre.code}-participants.csv"'
    )
    text = response.content.decode()
    assert text.startswith("\ufeffparticipant;nom;organisation;type_acteur;arrivee")
    assert "Léa Martin;Région" in text


def test_the_panel_button_queues_the_json_export_and_shows_its_link_when_ready(
    client, room, queued_only
):
    rencontre, user = room
    client.force_login(user)
    panel = client.get(reverse("workshops:control", args=[rencontre.code]))
    assert 'name="quoi" value="json"' in panel.text
    assert 'name="quoi" value="participants"' in panel.text
    prepare = reverse("workshops:export_prepare", args=[rencontre.code])
    shown = client.post(prepare, {"quoi": "json"}, headers={"HX-Request": "true"})
    job = DebriefJob.objects.get()
    assert job.what == "json"
    assert "Export « export.json » en attente" in shown.text
    assert 'hx-trigger="every 1s"' in shown.text
    # A second click while it waits makes no second export; the panel shows it under way.
    client.post(prepare, {"quoi": "json"}, headers={"HX-Request": "true"})
    assert DebriefJob.objects.count() == 1
    panel = client.get(reverse("workshops:control", args=[rencontre.code]))
    assert "Export « export.json » en attente" in panel.text

    run_worker(job)
    ready = client.get(
        reverse("workshops:export_job", args=[rencontre.code, job.pk]),
        headers={"HX-Request": "true"},
    )
    assert f'href="{json_url(rencontre, job)}"' in ready.text
    assert "Télécharger export.json" in ready.text
    assert "every 1s" not in ready.text  # no more polling
    data = client.get(json_url(rencontre, job)).json()
    assert data["rencontre"]["title"] == "Rencontres de la Vallée"
    assert [p["nom"] for p in data["participants"]] == ["Léa Martin"]


def test_an_unknown_export_is_refused_and_nothing_is_queued(client, room, queued_only):
    rencontre, user = room
    client.force_login(user)
    prepare = reverse("workshops:export_prepare", args=[rencontre.code])
    for quoi in ("inconnu", "", "pdf", "csv:participants", "x" * 500):
        shown = client.post(prepare, {"quoi": quoi}, headers={"HX-Request": "true"})
        assert "Cet export n'existe pas." in unescape(shown.text)
    page = client.post(prepare, {"quoi": "inconnu"}, follow=True)
    assert "Cet export n'existe pas." in unescape(page.text)
    assert client.get(csv_url(rencontre, "inconnu")).status_code == 404
    assert DebriefJob.objects.count() == 0
    assert queued_only.results == []


def test_an_unchanged_rencontre_keeps_its_file_and_a_change_makes_a_new_one(
    client, room, queued_only, settings
):
    rencontre, user = room
    client.force_login(user)
    client.get(csv_url(rencontre))
    first = run_worker(DebriefJob.objects.get())
    first_bytes = client.get(csv_url(rencontre, job=first)).content

    client.get(csv_url(rencontre))  # nothing changed since
    again = run_worker(DebriefJob.objects.latest("id"))
    assert again.pk != first.pk
    assert (again.status, again.reused, again.fingerprint) == ("done", True, first.fingerprint)
    assert again.filename == first.filename
    assert client.get(csv_url(rencontre, job=again)).content == first_bytes
    # The earlier link still serves the file: it is the current one.
    assert client.get(csv_url(rencontre, job=first)).content == first_bytes

    services.participant_join(
        rencontre=rencontre,
        name="Karim Benali",
        organisation="Mecalac",
        actor_type="entreprise",
        listed=True,
    )
    client.get(csv_url(rencontre))
    changed = run_worker(DebriefJob.objects.latest("id"))
    assert changed.reused is False
    assert changed.fingerprint != first.fingerprint
    assert export_files(settings) == [Path(settings.DEBRIEF_DIR) / changed.filename]  # old gone
    assert "Karim Benali" in client.get(csv_url(rencontre, job=changed)).content.decode()
    # The old link now prepares the current export instead of serving a stale one.
    old_link = client.get(csv_url(rencontre, job=first))
    assert "Export « participants.csv » en attente" in old_link.text
    assert DebriefJob.objects.latest("id").status == DebriefJob.Status.QUEUED
    # Each export keeps its own file: the JSON one does not replace the CSV one.
    client.get(json_url(rencontre))
    document = run_worker(DebriefJob.objects.latest("id"))
    assert document.what == "json"
    assert Path(settings.DEBRIEF_DIR, changed.filename).is_file()
    assert Path(settings.DEBRIEF_DIR, document.filename).is_file()


def test_a_job_whose_worker_stopped_is_failed_with_its_reason_and_starts_again(
    client, room, queued_only
):
    rencontre, user = room
    client.force_login(user)
    client.get(csv_url(rencontre, "reponses"))
    job = DebriefJob.objects.get()
    DebriefJob.objects.filter(pk=job.pk).update(
        status=DebriefJob.Status.RUNNING, updated_at=timezone.now() - dt.timedelta(minutes=10)
    )
    page = client.get(reverse("workshops:export_job", args=[rencontre.code, job.pk]))
    job.refresh_from_db()
    assert job.status == DebriefJob.Status.FAILED
    assert "L'export « reponses.csv » n'a pas pu être préparé." in unescape(page.text)
    assert "s'est arrêté en cours de route" in unescape(page.text)
    assert 'name="quoi" value="reponses"' in page.text
    retry = client.post(
        reverse("workshops:export_prepare", args=[rencontre.code]),
        {"quoi": "reponses"},
        headers={"HX-Request": "true"},
    )
    fresh = DebriefJob.objects.latest("id")
    assert fresh.pk != job.pk
    assert (fresh.what, fresh.status) == ("csv:reponses", DebriefJob.Status.QUEUED)
    assert "Export « reponses.csv » en attente" in retry.text
    assert run_worker(fresh).status == DebriefJob.Status.DONE
    # The failed job's address starts the export again rather than serving nothing.
    again = client.get(csv_url(rencontre, "reponses", job=job))
    assert "L'export « reponses.csv » n'a pas pu être préparé" in unescape(again.text)


def test_a_failing_export_is_marked_failed_with_a_message(client, room, queued_only, monkeypatch):
    rencontre, user = room
    client.force_login(user)
    client.get(json_url(rencontre))
    job = DebriefJob.objects.get()

    def broken(rencontre):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks.debrief, "export_document", broken)
    with pytest.raises(RuntimeError):
        tasks.debrief_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == DebriefJob.Status.FAILED
    assert job.error == "Erreur inattendue pendant la préparation de l'export. Relancez-la."


def test_export_jobs_and_pdf_jobs_stay_apart(client, room, queued_only):
    rencontre, user = room
    client.force_login(user)
    client.get(csv_url(rencontre))
    export = run_worker(DebriefJob.objects.get())
    pdf_job = reverse("workshops:restitution_job", args=[rencontre.code, export.pk])
    pdf = reverse("workshops:restitution_pdf", args=[rencontre.code])
    assert client.get(pdf_job).status_code == 404
    assert client.get(f"{pdf}?tache={export.pk}").status_code == 404
    assert client.get(json_url(rencontre, export)).status_code == 404  # another export's job
    assert client.get(csv_url(rencontre, "reponses", job=export)).status_code == 404
    assert client.get(csv_url(rencontre) + "?tache=abc").status_code == 404
    other = make_rencontre(facilitator=user)
    assert client.get(csv_url(other, job=export)).status_code == 404
    assert (
        client.get(reverse("workshops:export_job", args=[other.code, export.pk])).status_code == 404
    )
    # The panel's PDF button is not taken for the export under way.
    client.get(json_url(rencontre))
    panel = client.get(reverse("workshops:control", args=[rencontre.code]))
    assert "Préparer le PDF" in panel.text
    client.force_login(UserFactory())
    assert client.get(csv_url(rencontre, job=export)).status_code == 403


def test_the_purge_deletes_the_rencontre_s_export_files(client, room, queued_only, settings):
    rencontre, user = room
    client.force_login(user)
    client.get(json_url(rencontre))
    job = run_worker(DebriefJob.objects.get())
    assert "Léa Martin" in json.dumps(
        client.get(json_url(rencontre, job)).json(), ensure_ascii=False
    )
    past_retention = dt.datetime(2027, 3, 14, tzinfo=dt.UTC) + dt.timedelta(
        days=settings.RETENTION_DAYS
    )
    assert services.rencontres_purge(now=past_retention).rencontres == 1
    assert export_files(settings) == []
    client.get(json_url(rencontre, job))  # the old link makes the anonymised one
    fresh = run_worker(DebriefJob.objects.latest("id"))
    assert "Léa Martin" not in client.get(json_url(rencontre, fresh)).content.decode()
