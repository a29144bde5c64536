"""The PDF debrief is made by the background worker: the request queues a job and answers with
the page that waits for it; an unchanged rencontre reuses its file; a stopped worker leaves the
job failed with its reason, and it can be started again."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.browser.scenario import demo_json
from tests.conftest import Daphne, manage, server_env, sqlite_url
from tests.factories import UserFactory, make_rencontre
from tests.territories.worker import Worker
from workshops import services, tasks
from workshops.models import DebriefJob


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_url(rencontre, job: DebriefJob | None = None) -> str:
    url = reverse("workshops:restitution_pdf", args=[rencontre.code])
    return f"{url}?tache={job.pk}" if job else url


def files(settings) -> list[Path]:
    return sorted(Path(settings.DEBRIEF_DIR).rglob("*.pdf"))


def test_the_pdf_url_queues_a_job_and_answers_the_waiting_page(client, room, queued_only, settings):
    rencontre, user = room
    client.force_login(user)
    response = client.get(pdf_url(rencontre))
    job = DebriefJob.objects.get()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "PDF en attente" in response.text
    assert f'hx-get="/animer/{rencontre.code}/restitution/{job.pk}/?suivre=1"' in response.text
    assert job.status == DebriefJob.Status.QUEUED
    assert [r.args for r in queued_only.results] == [[job.pk]]
    assert files(settings) == []
    # The panel shows it under way; a second click while it waits makes no second PDF.
    panel = client.get(reverse("workshops:control", args=[rencontre.code]))
    assert "PDF en attente" in panel.text
    assert "Préparer le PDF" not in panel.text
    client.get(pdf_url(rencontre))
    assert DebriefJob.objects.count() == 1
    assert len(queued_only.results) == 1


def test_the_worker_makes_the_file_and_the_url_serves_it(client, room, queued_only, settings):
    rencontre, user = room
    client.force_login(user)
    client.get(pdf_url(rencontre))
    job = DebriefJob.objects.get()
    tasks.debrief_job_run(job_id=job.pk)  # what the worker process does
    job.refresh_from_db()
    assert job.status == DebriefJob.Status.DONE
    assert job.reused is False
    assert files(settings) == [Path(settings.DEBRIEF_DIR) / job.filename]
    # The waiting page's poll goes to the file; the panel's shows the link.
    job_url = reverse("workshops:restitution_job", args=[rencontre.code, job.pk])
    poll = client.get(job_url + "?suivre=1", headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == pdf_url(rencontre, job)
    panel = client.get(job_url, headers={"HX-Request": "true"})
    assert f'href="{pdf_url(rencontre, job)}"' in panel.text
    response = client.get(pdf_url(rencontre, job))
    assert response["Content-Type"] == "application/pdf"
    assert "Rencontres de la Vallée" in text_of(response.content)
    assert "Léa Martin" in text_of(response.content)


def test_an_unchanged_rencontre_reuses_its_file_and_a_change_makes_a_new_one(
    client, room, queued_only, settings
):
    rencontre, user = room
    client.force_login(user)
    client.get(pdf_url(rencontre))
    first = DebriefJob.objects.get()
    tasks.debrief_job_run(job_id=first.pk)
    first.refresh_from_db()
    first_bytes = (Path(settings.DEBRIEF_DIR) / first.filename).read_bytes()

    client.get(pdf_url(rencontre))  # nothing changed since
    again = DebriefJob.objects.latest("id")
    tasks.debrief_job_run(job_id=again.pk)
    again.refresh_from_db()
    assert again.pk != first.pk
    assert (again.status, again.reused, again.fingerprint) == ("done", True, first.fingerprint)
    assert again.filename == first.filename
    assert client.get(pdf_url(rencontre, again)).content == first_bytes

    services.participant_join(
        rencontre=rencontre,
        name="Karim Benali",
        organisation="Mecalac",
        actor_type="entreprise",
        listed=True,
    )
    client.get(pdf_url(rencontre))
    changed = DebriefJob.objects.latest("id")
    tasks.debrief_job_run(job_id=changed.pk)
    changed.refresh_from_db()
    assert changed.reused is False
    assert changed.fingerprint != first.fingerprint
    assert files(settings) == [Path(settings.DEBRIEF_DIR) / changed.filename]  # old one gone
    assert "Karim Benali" in text_of(client.get(pdf_url(rencontre, changed)).content)
    # The old link now prepares the current PDF instead of serving a stale one.
    old_link = client.get(pdf_url(rencontre, first))
    assert "PDF en attente" in old_link.text
    assert DebriefJob.objects.latest("id").status == DebriefJob.Status.QUEUED


def test_a_job_whose_worker_stopped_is_failed_with_its_reason_and_starts_again(
    client, room, queued_only
):
    rencontre, user = room
    client.force_login(user)
    client.get(pdf_url(rencontre))
    job = DebriefJob.objects.get()
    DebriefJob.objects.filter(pk=job.pk).update(
        status=DebriefJob.Status.RUNNING, updated_at=timezone.now() - dt.timedelta(minutes=10)
    )
    page = client.get(reverse("workshops:restitution_job", args=[rencontre.code, job.pk]))
    job.refresh_from_db()
    assert job.status == DebriefJob.Status.FAILED
    assert "s&#x27;est arrêté en cours de route" in page.text
    assert "Relancer la préparation" in page.text
    retry = client.post(
        reverse("workshops:restitution_prepare", args=[rencontre.code]),
        headers={"HX-Request": "true"},
    )
    fresh = DebriefJob.objects.latest("id")
    assert fresh.pk != job.pk
    assert fresh.status == DebriefJob.Status.QUEUED
    assert "PDF en attente" in retry.text
    tasks.debrief_job_run(job_id=fresh.pk)
    fresh.refresh_from_db()
    assert fresh.status == DebriefJob.Status.DONE


def test_only_the_rencontre_s_facilitators_reach_its_jobs(client, room, queued_only):
    rencontre, user = room
    client.force_login(user)
    client.get(pdf_url(rencontre))
    job = DebriefJob.objects.get()
    tasks.debrief_job_run(job_id=job.pk)
    other_rencontre = make_rencontre(facilitator=user)
    wrong = reverse("workshops:restitution_job", args=[other_rencontre.code, job.pk])
    assert client.get(wrong).status_code == 404
    assert client.get(pdf_url(other_rencontre) + f"?tache={job.pk}").status_code == 404
    assert client.get(pdf_url(rencontre) + "?tache=abc").status_code == 404
    client.force_login(UserFactory())
    assert client.get(pdf_url(rencontre, job)).status_code == 403


# ---------------------------------------------------------------- the real worker command

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def query(database: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


def job_status(database: Path) -> str:
    rows = query(database, "select status from workshops_debriefjob order by id desc limit 1")
    return rows[0][0] if rows else ""


def wait_for(condition, what: str, log: Path, limit: float = 180) -> None:
    """Polls until `condition()` (a bound on a hung test, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)


@pytest.fixture
def served(tmp_path, migrated_sqlite):
    """A daphne on a SQLite file with the demo and 60 more participants (the worker is
    started by the test)."""
    database = tmp_path / "room.sqlite3"
    env = server_env(
        DATABASE_URL=sqlite_url(migrated_sqlite, database), DEBRIEF_DIR=str(tmp_path / "debriefs")
    )
    server = Daphne(env, tmp_path / "daphne.log")
    demo = demo_json(env, server.url)
    manage(env, "fill_rencontre", demo["code"], "--participants", "60")
    client = httpx.Client(base_url=server.url, timeout=60, follow_redirects=True)
    page = client.get("/comptes/connexion/")
    client.post(
        "/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": CSRF_INPUT.search(page.text).group(1),
            "username": demo["username"],
            "password": demo["password"],
        },
        headers={"Referer": server.url + "/comptes/connexion/"},
    ).raise_for_status()
    yield client, env, database, demo["code"]
    client.close()
    server.stop()


@pytest.mark.slow
def test_the_worker_command_makes_the_pdf_the_page_waits_for(served, tmp_path):
    client, env, database, code = served
    waiting = client.get(f"/animer/{code}/restitution.pdf")
    assert "PDF en attente" in waiting.text  # no worker yet: nothing made in the request
    assert job_status(database) == "queued"
    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_status(database) in {"done", "failed"}, "the PDF", worker.log)
    finally:
        assert worker.stop() == 0
    assert job_status(database) == "done"
    (job_id,) = query(database, "select id from workshops_debriefjob")[0]
    pdf = client.get(f"/animer/{code}/restitution.pdf?tache={job_id}")
    assert pdf.content[:5] == b"%PDF-"


@pytest.mark.slow
def test_a_killed_worker_leaves_the_job_failed_and_it_starts_again(served, tmp_path):
    client, env, database, code = served
    client.get(f"/animer/{code}/restitution.pdf")
    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_status(database) == "running", "the start of the PDF", worker.log)
    finally:
        worker.proc.kill()  # as the machine would: no chance to clean up
        worker.proc.wait()
        worker._log.close()
    assert job_status(database) == "running"
    assert list((tmp_path / "debriefs").rglob("*.pdf")) == []
    # Three minutes later (no heartbeat), the page says what happened.
    query(database, "update workshops_debriefjob set updated_at = '2000-01-01 00:00:00'")
    (job_id,) = query(database, "select id from workshops_debriefjob")[0]
    page = client.get(f"/animer/{code}/restitution/{job_id}/").text
    assert job_status(database) == "failed"
    assert "Le processus de préparation s&#x27;est arrêté en cours de route" in page
    token = CSRF_INPUT.search(page).group(1)
    client.post(
        f"/animer/{code}/restitution/preparer/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{client.base_url}/animer/{code}/"},
    ).raise_for_status()
    assert job_status(database) == "queued"
    worker = Worker(env, tmp_path / "worker2.log")
    try:
        wait_for(lambda: job_status(database) in {"done", "failed"}, "the PDF", worker.log)
    finally:
        worker.stop()
    assert job_status(database) == "done"
    assert query(database, "select status from workshops_debriefjob order by id") == [
        ("failed",),
        ("done",),
    ]


def test_the_purge_deletes_the_rencontre_s_pdf_files(client, room, queued_only, settings):
    rencontre, user = room
    client.force_login(user)
    client.get(pdf_url(rencontre))
    job = DebriefJob.objects.get()
    tasks.debrief_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert "Léa Martin" in text_of(client.get(pdf_url(rencontre, job)).content)
    past_retention = dt.datetime(2027, 3, 14, tzinfo=dt.UTC) + dt.timedelta(
        days=settings.RETENTION_DAYS
    )
    assert services.rencontres_purge(now=past_retention).rencontres == 1
    assert files(settings) == []
    client.get(pdf_url(rencontre, job))  # the old link makes the anonymised one
    fresh = DebriefJob.objects.latest("id")
    tasks.debrief_job_run(job_id=fresh.pk)
    fresh.refresh_from_db()
    assert "Léa Martin" not in text_of(client.get(pdf_url(rencontre, fresh)).content)


FRICTION = "Quel est aujourd'hui le principal frein aux projets industriels ?"


def _goto_form_id(control_html: str, title: str) -> int:
    """The id of an activity, read from the panel's agenda (its goto form)."""
    found = re.search(
        r'name="activity" value="(\d+)">\s*<button class="agenda__activity[^"]*"[^>]*>\s*'
        r"<span>" + re.escape(title.replace("'", "&#x27;")),
        control_html,
    )
    assert found, title
    return int(found.group(1))


@pytest.mark.slow
def test_a_pdf_asked_during_a_burst_leaves_every_answer_to_the_phones(served, tmp_path):
    """30 phones answer at once while the organiser asks for the PDF: the request only queues
    it (no worker runs yet, so nothing of the PDF is made by the process serving phones);
    every answer is acknowledged and stored; the worker makes the PDF afterwards."""
    client, env, database, code = served
    base = str(client.base_url).rstrip("/")
    control = client.get(f"/animer/{code}/").text
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', control).group(1)
    poll_id = _goto_form_id(control, FRICTION)
    client.post(
        f"/animer/{code}/aller/",
        data={"activity": poll_id},
        headers={"X-CSRFToken": csrf, "Referer": base},
    ).raise_for_status()

    async def burst() -> tuple[httpx.Response, list[httpx.Response]]:
        phones = []
        for i in range(30):
            phone = httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=True)
            page = await phone.get(f"/j/{code}")
            await phone.post(
                f"/j/{code}",
                data={
                    "csrfmiddlewaretoken": CSRF_INPUT.search(page.text).group(1),
                    "name": f"Personne {i}",
                    "organisation": "Commune",
                    "actor_type": "collectivite",
                },
                headers={"Referer": base},
            )
            phones.append(phone)
        organiser = httpx.AsyncClient(base_url=base, cookies=client.cookies, timeout=120)
        taps = [
            phone.post(
                f"/j/{code}/a/{poll_id}/repondre/",
                data={"choice": f"c{i % 5 + 1}"},
                headers={
                    "X-CSRFToken": phone.cookies["csrftoken"],
                    "HX-Request": "true",
                    "Referer": base,
                },
            )
            for i, phone in enumerate(phones)
        ]
        pdf, *answers = await asyncio.gather(
            organiser.get(f"/animer/{code}/restitution.pdf"), *taps
        )
        for c in (*phones, organiser):
            await c.aclose()
        return pdf, answers

    # In a thread of its own: the suite may already run an event loop in this one.
    with ThreadPoolExecutor(1) as thread:
        pdf, answers = thread.submit(asyncio.run, burst()).result()
    assert [(a.status_code, "Réponse enregistrée" in a.text) for a in answers] == [(200, True)] * 30
    assert "PDF en attente" in pdf.text
    assert job_status(database) == "queued"  # the web process made nothing of it
    stored = query(
        database,
        "select count(*) from workshops_answer where activity_id = ? and participant_id in "
        "(select id from workshops_participant where name like 'Personne %')",
        poll_id,
    )
    assert stored == [(30,)]
    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_status(database) in {"done", "failed"}, "the PDF", worker.log)
    finally:
        assert worker.stop() == 0
    assert job_status(database) == "done"
