"""The real background worker (`manage.py db_worker`) against a SQLite file: it runs an
import queued by the web page, and phones keep answering while it runs."""

from __future__ import annotations

import csv
import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from territories.sirene import COLUMNS_54
from tests.browser.scenario import demo_json
from tests.conftest import Daphne, manage, server_env, sqlite_url
from tests.territories.sirene_files import row
from tests.territories.worker import Worker

CLUSES = "200033116"
CLUSES_COMMUNE = "74081"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def query(database: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


def job_status(database: Path) -> str:
    rows = query(database, "select status from territories_importjob order by id desc limit 1")
    return rows[0][0] if rows else ""


def wait_for(condition, what: str, log: Path, limit: float = 180) -> None:
    """Polls until `condition()` (a bound on a hung test, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def generate_stock(path: Path, rows: int) -> int:
    """A SIRENE stock of `rows` lines, a quarter of them industrial sites of the territory.
    Returns how many the import keeps."""
    kept = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS_54)
        for n in range(rows):
            inside = n % 4 == 0
            kept += inside
            writer.writerow(
                row(
                    COLUMNS_54,
                    siret=f"{100000000 + n:09d}{n % 100000:05d}",
                    codeCommuneEtablissement=CLUSES_COMMUNE if inside else "75056",
                )
            )
    return kept


def login(base: str, demo: dict) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    page = client.get("/comptes/connexion/")
    client.post(
        "/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": CSRF_INPUT.search(page.text).group(1),
            "username": demo["username"],
            "password": demo["password"],
        },
        headers={"Referer": base + "/comptes/connexion/"},
    ).raise_for_status()
    return client


def upload(client: httpx.Client, base: str, path: Path) -> httpx.Response:
    page = client.get("/territoires/importer/")
    with path.open("rb") as f:
        return client.post(
            "/territoires/importer/",
            data={
                "csrfmiddlewaretoken": CSRF_INPUT.search(page.text).group(1),
                "territory": CLUSES,
                "kind": "stock",
                "sections": "C",
                "stock_date": "2026-11-01",
            },
            files={"file": (path.name, f, "text/csv")},
            headers={"Referer": base + "/territoires/importer/"},
        )


@pytest.fixture
def room(tmp_path, migrated_sqlite):
    """A daphne on a SQLite file with the demo loaded (the worker is started by the test)."""
    database = tmp_path / "room.sqlite3"
    env = server_env(
        DATABASE_URL=sqlite_url(migrated_sqlite, database), IMPORT_DIR=str(tmp_path / "imports")
    )
    server = Daphne(env, tmp_path / "daphne.log")
    yield server, env, database
    server.stop()


def test_the_worker_command_runs_an_import_queued_by_the_page(room, tmp_path):
    server, env, database = room
    demo = demo_json(env, server.url)
    stock = tmp_path / "StockEtablissement_utf8.csv"
    kept = generate_stock(stock, 400)
    organiser = login(server.url, demo)
    response = upload(organiser, server.url, stock)
    assert "Import en attente" in response.text  # queued: no worker yet, nothing imported
    assert query(database, "select count(*) from territories_establishment") == [(0,)]
    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_status(database) in {"done", "failed"}, "the import", worker.log)
    finally:
        assert worker.stop() == 0  # SIGTERM: a graceful stop
    assert job_status(database) == "done"
    assert query(database, "select count(*) from territories_establishment") == [(kept,)]
    assert query(database, "select status from django_tasks_database_dbtaskresult") == [
        ("SUCCESSFUL",)
    ]
    assert "Import terminé." in organiser.get(response.url.path).text
    assert list((tmp_path / "imports").iterdir()) == []
    organiser.close()


def _phone_setup(env: dict[str, str], code: str) -> tuple[int, str]:
    """The demo's first poll made the current activity; its id and first choice."""
    out = manage(
        env,
        "shell",
        "-c",
        "from workshops.models import Activity, Rencontre\n"
        f"r = Rencontre.objects.get(code={code!r})\n"
        "a = Activity.objects.filter(step__rencontre=r, kind='poll')"
        ".order_by('step__position', 'position').first()\n"
        "Rencontre.objects.filter(pk=r.pk).update(current_activity=a)\n"
        "print(a.pk, a.config['choices'][0]['id'])",
    )
    activity, choice = out.split()[-2:]
    return int(activity), choice


def _join(base: str, code: str, n: int) -> httpx.Client:
    phone = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    page = phone.get(f"/j/{code}")
    phone.post(
        f"/j/{code}",
        data={
            "csrfmiddlewaretoken": CSRF_INPUT.search(page.text).group(1),
            "name": f"Participant {n}",
            "organisation": "Test",
            "actor_type": "entreprise",
        },
        headers={"Referer": f"{base}/j/{code}"},
    ).raise_for_status()
    return phone


@pytest.mark.slow
def test_phones_answer_while_the_worker_imports_on_sqlite(room, tmp_path):
    server, env, database = room
    demo = demo_json(env, server.url)
    code = demo["code"]
    activity, choice = _phone_setup(env, code)
    stock = tmp_path / "StockEtablissement_utf8.csv"
    kept = generate_stock(stock, 120_000)
    organiser = login(server.url, demo)
    upload(organiser, server.url, stock).raise_for_status()
    phones: list[httpx.Client] = []
    answered_while_running = 0
    failures: list[str] = []
    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_status(database) == "running", "the start of the import", worker.log)
        while job_status(database) == "running":
            phone = _join(server.url, code, len(phones))
            phones.append(phone)
            page = phone.get(f"/j/{code}/a/{activity}/")
            token = CSRF_INPUT.search(page.text).group(1)
            response = phone.post(
                f"/j/{code}/a/{activity}/repondre/",
                data={"choice": choice},
                headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": server.url},
            )
            if response.status_code != 200 or "Réponse enregistrée" not in response.text:
                failures.append(f"{response.status_code} {response.text[:200]}")
            elif job_status(database) == "running":
                answered_while_running += 1
        wait_for(lambda: job_status(database) in {"done", "failed"}, "the import", worker.log)
    finally:
        worker.stop()
        for phone in phones:
            phone.close()
        organiser.close()
    assert failures == []
    assert answered_while_running > 0  # the answers did overlap the import
    assert job_status(database) == "done"
    assert query(database, "select count(*) from territories_establishment") == [(kept,)]
    stored = query(
        database, "select count(*) from workshops_answer where activity_id = ?", activity
    )
    assert stored == [(len(phones),)]
    assert "database is locked" not in (tmp_path / "daphne.log").read_text()


@pytest.mark.slow
def test_a_killed_worker_leaves_the_territory_untouched_and_the_job_restarts(room, tmp_path):
    server, env, database = room
    demo = demo_json(env, server.url)
    stock = tmp_path / "StockEtablissement_utf8.csv"
    kept = generate_stock(stock, 240_000)
    organiser = login(server.url, demo)
    job_url = upload(organiser, server.url, stock).url.path
    worker = Worker(env, tmp_path / "worker.log")
    try:
        # Killed while it stages (its first batch is written after a few thousand rows, the
        # territory only at the very end): the first progress report may come only then.
        wait_for(
            lambda: (
                query(database, "select count(*) from territories_stagedestablishment")[0][0] > 0
            ),
            "the import's first staged rows",
            worker.log,
        )
    finally:
        worker.proc.kill()  # as the machine would: no chance to clean up
        worker.proc.wait()
        worker._log.close()
    assert job_status(database) == "running"
    assert query(database, "select count(*) from territories_establishment") == [(0,)]
    # Two minutes later (no heartbeat), the page says what happened.
    query(database, "update territories_importjob set updated_at = '2000-01-01 00:00:00'")
    page = organiser.get(job_url).text
    assert job_status(database) == "failed"
    assert "Le processus d&#x27;import s&#x27;est arrêté en cours de route" in page
    assert query(database, "select count(*) from territories_establishment") == [(0,)]
    assert query(database, "select count(*) from territories_stagedestablishment") == [(0,)]
    token = CSRF_INPUT.search(page).group(1)
    organiser.post(
        job_url + "relancer/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": server.url + job_url},
    ).raise_for_status()
    worker = Worker(env, tmp_path / "worker2.log")
    try:
        wait_for(lambda: job_status(database) in {"done", "failed"}, "the import", worker.log)
    finally:
        worker.stop()
        organiser.close()
    assert job_status(database) == "done"
    assert query(database, "select count(*) from territories_establishment") == [(kept,)]
