"""Preparing a rencontre in a browser: from each ready half-day, as a copy of a past one, and
from a template saved from one's own rencontre."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.scenario import demo_json, login, shot
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

LIBRARY = ROOT / "rencontres" / "agendas"
SHIPPED = {path.stem: json.loads(path.read_text()) for path in sorted(LIBRARY.glob("*.json"))}


def activity_titles(steps: list[dict]) -> list[str]:
    return [activity["title"] for step in steps for activity in step["activities"]]


def panel_titles(control: Page) -> list[str]:
    return control.locator(".agenda__activity > span").all_inner_texts()


def create(page: Page, base: str, source: str, title: str) -> str:
    """Fill the new-rencontre page from the card named `source`; returns the new code."""
    page.goto(base + "/animer/nouvelle/")
    page.locator(".source", has_text=source).locator("input[type=radio]").check()
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Date").fill("2027-03-12")
    page.get_by_label("Lieu").fill("Salle des fêtes")
    page.get_by_role("button", name="Créer la rencontre").click()
    expect(page.locator(".control__heading h1")).to_have_text(title)
    return page.locator(".control__code .code").inner_text()


def test_create_from_each_template_duplicate_and_save_as_template(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    login(page, server.url, demo)

    page.goto(server.url + "/animer/nouvelle/")
    cards = page.locator(".sources__grid .source")
    expect(cards).to_have_count(len(SHIPPED))
    for data in SHIPPED.values():
        card = cards.filter(has_text=data["name"])
        expect(card).to_contain_text(data["description"])
        expect(card).to_contain_text(data["steps"][1]["title"])
    # The reference half-day is chosen unless the organiser picks another.
    expect(
        cards.filter(has_text=SHIPPED["reindustrialisation"]["name"]).locator("input")
    ).to_be_checked()
    shot(page, "templates-new-page")

    # One rencontre from each ready half-day: the panel shows that half-day's activities.
    codes = {}
    for slug, data in SHIPPED.items():
        # English ones titled apart: "Essai centre-de-donnees" names one row below.
        title = f"Trial {slug}" if data.get("language") == "en" else f"Essai {slug}"
        codes[slug] = create(page, server.url, data["name"], title)
        assert panel_titles(page) == activity_titles(data["steps"])

    # Duplicate the data-centre rencontre from the list, after retitling one of its activities.
    data_centre = SHIPPED["centre-de-donnees"]
    page.goto(server.url + f"/animer/{codes['centre-de-donnees']}/deroule/")
    page.locator(
        ".editor__activity a", has_text=data_centre["steps"][1]["activities"][1]["title"]
    ).click()
    page.get_by_label("Titre", exact=True).fill("Où en sommes-nous, vraiment ?")
    page.get_by_role("button", name="Enregistrer").click()
    expected = activity_titles(data_centre["steps"])
    expected[expected.index(data_centre["steps"][1]["activities"][1]["title"])] = (
        "Où en sommes-nous, vraiment ?"
    )
    page.goto(server.url + "/animer/")
    page.locator("tr", has_text="Essai centre-de-donnees").get_by_role(
        "link", name="Dupliquer"
    ).click()
    expect(page.get_by_label("Titre")).to_have_value("Essai centre-de-donnees")
    expect(
        page.locator(".source--past", has_text="Essai centre-de-donnees").locator("input")
    ).to_be_checked()
    page.get_by_label("Titre").fill("Centre de données, deuxième réunion")
    page.get_by_label("Date").fill("2027-04-02")
    page.get_by_role("button", name="Créer la rencontre").click()
    expect(page.locator(".control__heading h1")).to_have_text("Centre de données, deuxième réunion")
    assert panel_titles(page) == expected
    expect(page.locator("#presence")).to_have_attribute("data-joined", "0")

    # Save it as a template, then create a rencontre from that template.
    page.goto(server.url + "/animer/")
    page.locator("tr", has_text="Centre de données, deuxième réunion").get_by_role(
        "link", name="Enregistrer comme modèle"
    ).click()
    page.get_by_label("Nom du modèle").fill("Notre format centre de données")
    page.get_by_label("Description").fill("La version retravaillée après la première réunion.")
    page.get_by_role("button", name="Enregistrer le modèle").click()
    mine = page.locator(".library__item", has_text="Notre format centre de données")
    expect(mine).to_contain_text("Mon modèle")
    mine.get_by_role("link", name="Créer une rencontre avec ce modèle").click()
    own_card = page.locator(".source", has_text="Notre format centre de données")
    expect(own_card.locator("input")).to_be_checked()
    expect(own_card).to_contain_text("La version retravaillée")
    page.get_by_label("Titre").fill("Troisième réunion")
    page.get_by_label("Date").fill("2027-05-10")
    page.get_by_role("button", name="Créer la rencontre").click()
    expect(page.locator(".control__heading h1")).to_have_text("Troisième réunion")
    assert panel_titles(page) == expected

    # The template is the organiser's to delete.
    page.goto(server.url + "/animer/modeles/")
    page.locator(".library__item", has_text="Notre format centre de données").get_by_role(
        "button", name="Supprimer ce modèle"
    ).click()
    expect(page.locator(".notice")).to_contain_text("supprimé")
    expect(page.locator(".library__item", has_text="Notre format centre de données")).to_have_count(
        0
    )
    assert urlsplit(page.url).path == "/animer/modeles/"
    context.close()
