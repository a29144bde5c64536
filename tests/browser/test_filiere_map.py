from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, join, login, shot
from tests.conftest import manage

pytestmark = pytest.mark.browser


def test_four_phones_build_the_filiere_map(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    manage(env, "demo_territory")
    fac = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    control = fac.new_page()
    login(control, server.url, demo)
    screen = fac.new_page()
    screen.set_viewport_size({"width": 1280, "height": 720})
    screen.goto(server.url + urlsplit(demo["screen_url"]).path)
    goto(control, "Ouvertures, extensions, fermetures")
    expect(screen.locator(".chart--dyn")).to_be_visible()
    control.get_by_role("button", name="Mines et métallurgie").click()
    expect(screen.locator(".dyn__filiere")).to_have_text("Mines et métallurgie")
    shot(screen, "territory-screen-dynamics")
    goto(control, "Les locomotives et leurs partenaires")

    contributions = [
        ("Mecalac", "Automobile", "Décolletage Alpin", "Sous-traitant"),
        (
            "MECALAC",
            "Automobile",
            "Lycée Charles Poncet",
            "Formation",
        ),  # same locomotive, other spelling
        (
            "Somfy",
            "Électronique",
            "décolletage alpin",
            "Fournisseur",
        ),  # same partner, other spelling
        ("Pfeiffer Vacuum", "Industries de santé", "CEA Grenoble", "Partenaire R&D"),
    ]
    for i, (loco, filiere, partner, relation) in enumerate(contributions):
        context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale="fr-FR")
        page = context.new_page()
        join(page, demo["join_url"], f"Participant {i}", "Org", "Entreprise")
        page.get_by_label("Entreprise locomotive").fill(loco)
        page.get_by_label("Filière").select_option(label=filiere)
        page.get_by_label("Un partenaire local").fill(partner)
        page.get_by_label("Sa relation avec la locomotive").select_option(label=relation)
        page.get_by_role("button", name="Ajouter à la carte").click()
        expect(page.locator(".saved")).to_contain_text("Ajouté à la carte")
        if i == 0:
            shot(page, "territory-phone-map")
        context.close()
    map_ = screen.locator(".chart--map")
    expect(screen.locator(".results__count")).to_contain_text(
        "3 locomotives, 3 partenaires, nommés par 4 participants"
    )
    expect(map_.locator("circle.map__loco")).to_have_count(3)
    expect(map_.locator("circle.map__partner")).to_have_count(3)  # merged
    expect(map_.locator("line")).to_have_count(4)
    shot(screen, "territory-screen-map")
    fac.close()
