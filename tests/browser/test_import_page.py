from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, login, shot
from tests.territories.sirene_files import COLUMNS_54, COLUMNS_GEO, geo_row, row, write
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


def test_the_page_says_which_file_to_fetch_and_previews_the_dynamics(
    browser, sqlite_server, tmp_path
):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    worker = Worker(env, tmp_path / "worker.log")
    extract = write(
        tmp_path / "geo_siret_74.csv.gz",
        COLUMNS_GEO,
        [
            geo_row(
                COLUMNS_GEO,
                siret=f"1234567890{n:04d}",
                dateCreationEtablissement=f"{2016 + n % 10}-03-01",
                activitePrincipaleEtablissement=["25.62B", "22.22Z", "28.41Z"][n % 3],
                etatAdministratifEtablissement="F" if n % 7 == 0 else "A",
                dateDebut="2024-05-31",
                codeCommuneEtablissement="74081" if n % 4 else "74010",
            )
            for n in range(120)
        ],
        bom=False,
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    try:
        page = context.new_page()
        login(page, server.url, demo)
        page.goto(server.url + "/territoires/importer/")
        advice = page.locator("#advice")
        expect(advice).to_contain_text("Indiquez le territoire ci-dessous")
        page.get_by_label("Territoire").fill("200033116")
        expect(advice).to_contain_text("CC Cluses-Arve et Montagnes (10 communes)")
        link = advice.get_by_role("link", name="geo_siret_74.csv.gz")
        expect(link).to_have_attribute(
            "href", "https://files.data.gouv.fr/geo-sirene/last/dep/geo_siret_74.csv.gz"
        )
        shot(page, "import-advice-1366x768")
        page.get_by_label("Fichier (CSV, .gz ou .zip)").set_input_files(str(extract))
        page.get_by_role("button", name="Importer", exact=True).click()
        job = page.locator("#job")
        expect(job).to_contain_text("Import terminé.", timeout=30_000)
        expect(job).to_contain_text("Extrait SIRENE géolocalisé")
        preview = page.locator("#preview")
        expect(preview).to_contain_text("CC Cluses-Arve et Montagnes depuis")
        expect(preview.locator("tbody tr")).to_have_count(3)
        expect(preview.locator("tbody tr").first).to_contain_text("Chimie et matériaux")
        shot(page, "import-preview-1366x768")
    finally:
        context.close()
        worker.stop()
