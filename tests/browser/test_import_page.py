from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, login
from tests.territories.sirene_files import COLUMNS_54, row, write
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser


def test_an_organiser_uploads_a_stock_and_watches_it_finish(browser, sqlite_server, tmp_path):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    worker = Worker(env, tmp_path / "worker.log")  # as `make demo` starts it beside daphne
    stock = write(
        tmp_path / "StockEtablissement_utf8.zip",
        COLUMNS_54,
        [
            row(
                COLUMNS_54,
                siret=f"1234567890{n:04d}",
                codeCommuneEtablissement="74081" if n % 2 else "75056",
            )
            for n in range(400)
        ],
    )
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    try:
        page = context.new_page()
        login(page, server.url, demo)
        page.goto(server.url + "/territoires/")
        page.get_by_role("link", name="Importer des données").click()
        page.get_by_label("Territoire").fill("200033116")
        page.get_by_label("Fichier (CSV, .gz ou .zip)").set_input_files(str(stock))
        page.get_by_label("Date du stock SIRENE").fill("2026-11-01")
        page.get_by_role("button", name="Importer").click()
        expect(page.locator("#job")).to_contain_text("Import terminé.", timeout=30_000)
        expect(page.locator("#job")).to_contain_text("hors territoire (200)")
        page.get_by_role("link", name="Voir les filières du territoire").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("CC Cluses-Arve et Montagnes")
        # The territory is the organiser's own now: it is in their list.
        page.goto(server.url + "/territoires/")
        expect(page.locator("table")).to_contain_text("CC Cluses-Arve et Montagnes")
    finally:
        context.close()
        worker.stop()
