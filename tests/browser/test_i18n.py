"""The English interface in a browser: a phone in English and another in French in the same
room, each in its language after every move; a switch on the page; an English rencontre whose
wall and PDF speak English while its facilitator's panel stays French."""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.scenario import demo_json, login, shot
from tests.conftest import Daphne, manage, server_env
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser


def en(text: str) -> str:
    with translation.override("en"):
        return translation.gettext(text)


@pytest.fixture
def room(tmp_path):
    env = server_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'i18n.sqlite3'}",
        DEBRIEF_DIR=str(tmp_path / "debriefs"),
    )
    manage(env, "migrate", "--noinput", "-v0")
    server = Daphne(env, tmp_path / "daphne.log")
    worker = Worker(env, tmp_path / "worker.log")
    yield server, demo_json(env, server.url)
    worker.stop()
    server.stop()


def phone_in(browser, locale: str) -> Page:
    context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale=locale)
    return context.new_page()


def test_an_english_and_a_french_phone_in_the_same_room(browser, room):
    server, demo = room
    fac = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    control = fac.new_page()
    login(control, server.url, demo)
    join_url = server.url + urlsplit(demo["join_url"]).path

    assert (en("Rejoindre"), en("Envoyer")) == ("Join", "Send")  # the catalogue is read
    english = phone_in(browser, "en-GB")
    english.goto(join_url)
    expect(english.locator("html")).to_have_attribute("lang", "en")
    english.get_by_label(en("Prénom et nom")).fill("Emma Clarke")
    english.get_by_label(en("Organisation")).fill("Invest North")
    english.get_by_label(en("Vous représentez")).select_option(label=en("Entreprise"))
    english.get_by_role("button", name=en("Rejoindre")).click()

    french = phone_in(browser, "fr-FR")
    french.goto(join_url)
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    french.get_by_label("Prénom et nom").fill("Léa Martin")
    french.get_by_label("Organisation").fill("Région")
    french.get_by_label("Vous représentez").select_option(label="Collectivité")
    french.get_by_role("button", name="Rejoindre").click()
    for phone in (english, french):
        expect(phone.locator(".phone__who")).to_be_visible()
    expect(control.locator("#presence")).to_contain_text("2 présents")

    # A move: each phone shows the words activity in its own language.
    control.locator("body").press("ArrowRight")
    expect(english.get_by_role("button", name=en("Envoyer"))).to_be_visible()
    expect(french.get_by_role("button", name="Envoyer")).to_be_visible()
    expect(english.get_by_role("button", name="Français")).to_be_visible()
    expect(french.get_by_role("button", name="English")).to_be_visible()
    shot(english, "i18n-phone-en")
    shot(french, "i18n-phone-fr")
    english.get_by_role("textbox").first.fill("Skills")
    english.get_by_role("button", name=en("Envoyer")).click()
    expect(control.locator("#current")).to_contain_text("1")

    # The English phone switches to French on the page; the next move reaches it in French.
    english.get_by_role("button", name="Français").click()
    expect(english.locator("html")).to_have_attribute("lang", "fr")
    expect(english.locator("#stage")).to_contain_text("Vous avez répondu")  # its answer kept
    words = control.locator("#current .current__title").inner_text()
    control.locator("body").press("ArrowLeft")
    expect(control.locator("#current .current__title")).not_to_have_text(words)
    expect(english.locator("#stage")).not_to_contain_text("Vous avez répondu")
    control.locator("body").press("ArrowRight")
    expect(control.locator("#current .current__title")).to_have_text(words)
    expect(english.locator("#stage")).to_contain_text("Vous avez répondu")
    expect(french.get_by_role("button", name="Envoyer")).to_be_visible()
    french.get_by_role("button", name="English").click()
    expect(french.locator("html")).to_have_attribute("lang", "en")
    control.locator("body").press("ArrowRight")
    expect(control.locator("#current .current__title")).not_to_have_text(words)
    title = control.locator("#current .current__title").inner_text()
    for phone in (english, french):
        expect(phone.locator("#stage .stage__title")).to_have_text(title)
    expect(french.locator("html")).to_have_attribute("lang", "en")
    expect(french.get_by_role("button", name="Français")).to_be_visible()
    expect(english.get_by_role("button", name="English")).to_be_visible()
    fac.close()


def test_an_english_rencontre_has_an_english_wall_and_pdf(browser, room, tmp_path):
    server, demo = room
    fac = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    control = fac.new_page()
    login(control, server.url, demo)
    control.goto(server.url + "/animer/nouvelle/")
    card = control.locator(".source", has_text="Reindustrialisation")
    expect(card).to_contain_text("English")
    card.locator("input[type=radio]").check()
    control.get_by_label("Titre").fill("Valley economic meeting")
    control.get_by_label("Date").fill("2027-03-12")
    control.get_by_role("button", name="Créer la rencontre").click()
    expect(control.locator(".control__heading h1")).to_have_text("Valley economic meeting")
    expect(control.locator("html")).to_have_attribute("lang", "fr")  # the panel: its reader's

    wall = fac.new_page()
    wall.set_viewport_size({"width": 1280, "height": 720})
    code = control.locator(".control__code .code").inner_text()
    wall.goto(f"{server.url}/animer/{code}/ecran/")
    expect(wall.locator("html")).to_have_attribute("lang", "en")
    expect(wall.locator(".qr-panel")).to_be_visible()
    shot(wall, "i18n-wall-en")

    control.get_by_role("button", name="Préparer le PDF").click()
    download = control.get_by_role("link", name="Télécharger le PDF")
    expect(download).to_be_visible(timeout=120_000)  # a bound on a hung worker
    response = control.request.get(server.url + download.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "debrief.pdf"
    pdf.write_bytes(response.body())
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert " ".join(en("Restitution de la rencontre économique").split()) in text
    assert "Restitution de la rencontre" not in text
    fac.close()
