"""The organiser clicks an export on the control panel: the real background worker builds it,
the panel shows its progress and then its link, and the click on the link downloads the file
(the participants who agreed by name, the others by their actor type only)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, login
from tests.conftest import Daphne, manage, server_env
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser


@pytest.fixture
def room(tmp_path):
    """The demo rencontre with 20 more participants, on daphne and the real worker."""
    database = tmp_path / "room.sqlite3"
    env = server_env(DATABASE_URL=f"sqlite:///{database}", DEBRIEF_DIR=str(tmp_path / "debriefs"))
    manage(env, "migrate", "--noinput", "-v0")
    server = Daphne(env, tmp_path / "daphne.log")
    worker = Worker(env, tmp_path / "worker.log")
    demo = demo_json(env, server.url)
    manage(env, "fill_rencontre", demo["code"], "--participants", "20")
    yield server, demo
    worker.stop()
    server.stop()


def test_the_organiser_clicks_an_export_and_gets_the_file_the_worker_made(browser, room, tmp_path):
    server, demo = room
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    login(page, server.url, demo)

    page.get_by_role("button", name="participants.csv").click()
    link = page.get_by_role("link", name="Télécharger participants.csv")
    expect(link).to_be_visible(timeout=120_000)  # a bound on a hung worker
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{demo['code']}-participants.csv"
    saved = tmp_path / "participants.csv"
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "participant;nom;organisation;type_acteur;arrivee"
    assert len(lines) > 20  # the demo's participants and the 20 added

    # The whole rencontre, the same way; clicked again unchanged, the same file at once.
    page.get_by_role("button", name="tout (JSON)").click()
    link = page.get_by_role("link", name="Télécharger export.json")
    expect(link).to_be_visible(timeout=120_000)
    with page.expect_download() as download_info:
        link.click()
    first = tmp_path / "first.json"
    download_info.value.save_as(first)
    document = json.loads(first.read_text(encoding="utf-8"))
    assert document["rencontre"]["code"] == demo["code"]
    assert len(document["participants"]) == len(lines) - 1
    page.get_by_role("button", name="tout (JSON)").click()
    expect(page.get_by_text("rien n'a changé depuis le précédent")).to_be_visible(timeout=120_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger export.json").click()
    again = tmp_path / "again.json"
    download_info.value.save_as(again)
    assert again.read_bytes() == first.read_bytes()
    context.close()
