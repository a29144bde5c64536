"""Two phones carry one action together; each one's sheet shows the partnership, and the
contacts only where both agreed."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, join, open_room, shot
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

NEXT = re.compile(r'content="2;url=([^"]+)"')


def phone(browser, url: str, name: str, organisation: str, actor: str, *, listed: bool):
    context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale="fr-FR")
    page = context.new_page()
    if listed:
        page.goto(url)
        page.get_by_label("Prénom et nom").fill(name)
        page.get_by_label("Organisation").fill(organisation)
        page.get_by_label("Vous représentez").select_option(label=actor)
        page.get_by_label("J'accepte que mon nom figure").check()
        page.get_by_role("button", name="Rejoindre").click()
    else:
        join(page, url, name, organisation, actor)
    return page


def leave_contact(page, contact: str, *, agree: bool) -> None:
    page.get_by_label("Un contact à échanger").fill(contact)
    if agree:
        page.get_by_label("J'accepte d'échanger mon organisation").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#coordonnees .saved")).to_contain_text("Enregistré")


def sheet_text(page, base: str, tmp_path: Path, name: str) -> tuple[int, str]:
    href = page.get_by_role("link", name="Télécharger ma fiche").get_attribute("href")
    response = page.request.get(base + href)
    for _ in range(150):  # the page waits for the worker, reloading itself
        if response.headers["content-type"] == "application/pdf":
            break
        assert "Votre fiche est en préparation" in response.text()
        page.wait_for_timeout(200)
        response = page.request.get(base + html.unescape(NEXT.search(response.text()).group(1)))
    assert response.status == 200
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(response.body())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))[6:])
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, " ".join(text.split())


def test_an_action_joined_by_a_second_phone_shows_on_both_sheets(browser, sqlite_server, tmp_path):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    url = demo["join_url"]
    lea = phone(browser, url, "Léa Martin", "Région", "Collectivité", listed=True)
    karim = phone(browser, url, "Karim Benali", "Mecalac", "Entreprise", listed=False)
    zoe = phone(browser, url, "Zoé Durand", "CCI", "Chambre consulaire / réseau", listed=True)

    goto(control, "Mes actions pour demain")
    lea.get_by_label("L'action").fill("Réunir les DRH du décolletage")
    lea.get_by_label("Dans une semaine").check()
    lea.get_by_role("button", name="Enregistrer l'action").click()
    expect(lea.locator(".my-action")).to_have_count(1)
    for page in (karim, zoe):
        page.get_by_role("button", name="Actualiser").click()
        card = page.locator(".other-action", has_text="Réunir les DRH du décolletage")
        card.get_by_role("button", name="Je m'associe").click()
        expect(card.locator(".support--join.is-on")).to_be_visible()
    shot(karim, "partnership-phone-others")
    # The author's phone and the wall list the partners: Zoé by name (listed), Karim by type.
    lea.reload()
    expect(lea.locator(".my-action .partners")).to_have_text("Avec Entreprise, Zoé Durand (CCI)")
    expect(screen.locator(".actionwall")).to_contain_text("avec Entreprise, Zoé Durand (CCI)")
    lea.locator(".my-action").scroll_into_view_if_needed()
    shot(lea, "partnership-phone-mine")
    shot(screen, "partnership-screen-actions")

    goto(control, "La synthèse")
    leave_contact(lea, "lea.martin@region.example", agree=True)
    leave_contact(karim, "06 12 34 56 78", agree=True)
    leave_contact(zoe, "zoe@cci.example", agree=False)
    shot(karim, "partnership-phone-debrief")

    worker = Worker(env, server.log.parent / "worker.log")  # as `make demo` starts it
    try:
        sheets = {
            name: sheet_text(page, server.url, tmp_path, name)
            for name, page in (("lea", lea), ("karim", karim), ("zoe", zoe))
        }
    finally:
        worker.stop()
    pages, text = sheets["lea"]
    assert pages == 1
    assert "Partenaire : Entreprise · Mecalac · 06 12 34 56 78" in text
    assert "Partenaire : Zoé Durand (CCI)" in text
    assert "zoe@cci.example" not in text
    pages, text = sheets["karim"]
    assert pages == 1
    assert "Auteur : Léa Martin (Région) · lea.martin@region.example" in text
    assert "zoe@cci.example" not in text
    pages, text = sheets["zoe"]
    assert pages == 1
    assert "Auteur : Léa Martin (Région)" in text
    assert "lea.martin@region.example" not in text
    assert "06 12 34 56 78" not in text
    for page in (lea, karim, zoe):
        page.context.close()
    fac.close()
