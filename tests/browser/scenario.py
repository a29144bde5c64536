"""The foundation scenario, driven as people would: a facilitator and three phones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Browser, Page, expect

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def login(page: Page, base: str, demo: dict) -> None:
    page.goto(base + urlsplit(demo["control_url"]).path)
    page.get_by_label("Nom d’utilisateur").fill(demo["username"])
    page.get_by_label("Mot de passe").fill(demo["password"])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".control__code .code")).to_have_text(demo["code"])


def decode_qr(png: Path, zbarimg: str) -> str:
    out = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def on_server(url: str, base: str) -> str:
    """The same path on another server (phones may reach another daphne process)."""
    parts, target = urlsplit(url), urlsplit(base)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))


def goto(control: Page, title: str) -> None:
    """The facilitator jumps to an activity from the agenda of the control panel."""
    control.locator(".agenda__activity", has_text=title).click()
    expect(control.locator("#current .current__title")).to_have_text(title)


def join(page: Page, url: str, name: str, organisation: str, actor: str) -> None:
    page.goto(url)
    page.get_by_label("Prénom et nom").fill(name)
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Vous représentez").select_option(label=actor)
    page.get_by_role("button", name="Rejoindre").click()


def run_foundation(
    browser: Browser, *, facilitator_base: str, phone_base: str, demo: dict, zbarimg: str, tag: str
) -> None:
    fac = browser.new_context(viewport={"width": 1366, "height": 850}, locale="fr-FR")
    control = fac.new_page()
    login(control, facilitator_base, demo)
    screen = fac.new_page()
    screen.set_viewport_size({"width": 1280, "height": 720})
    screen.goto(facilitator_base + urlsplit(demo["screen_url"]).path)
    expect(screen.locator(".qr-panel")).to_be_visible()
    join_url = decode_qr(shot(screen, f"{tag}-screen-qr"), zbarimg)
    assert urlsplit(join_url).path == f"/j/{demo['code']}"

    iphone = browser.playwright.devices["iPhone 13"]
    phones = []
    people = [
        ("Léa Martin", "Région Auvergne-Rhône-Alpes", "Collectivité"),
        ("Karim Benali", "Mecalac", "Entreprise"),
        ("Sophie Durand", "DREETS", "Service de l'État"),
    ]
    for name, org, actor in people:
        context = browser.new_context(**iphone, locale="fr-FR")
        page = context.new_page()
        join(page, on_server(join_url, phone_base), name, org, actor)
        expect(page.locator("#stage .stage__title")).to_have_text("Bienvenue")
        expect(page.locator(".phone__who")).to_contain_text(name)
        phones.append(page)
    shot(phones[0], f"{tag}-phone-accueil")
    expect(screen.locator("#presence")).to_have_text("3 participants")
    expect(control.locator("#presence")).to_contain_text("3 inscrits")
    expect(control.locator("#presence")).to_contain_text("3 présents")

    control.bring_to_front()
    control.locator("body").press("ArrowRight")
    title = "En un mot : l'industrie de notre territoire aujourd'hui"
    for page in phones:
        expect(page.locator("#stage .stage__title")).to_have_text(title)
    expect(screen.locator("#stage .stage__title")).to_have_text(title)
    expect(screen.locator(".qr-panel")).to_be_hidden()
    expect(control.locator("#current .current__title")).to_have_text(title)
    shot(control, f"{tag}-control")
    shot(screen, f"{tag}-screen-activity")
    shot(phones[1], f"{tag}-phone-activity")

    # the timer reaches every role; a reload keeps the same participant
    control.locator("body").press("Space")
    expect(phones[2].locator("#timer")).to_have_attribute("data-running", "1")
    expect(screen.locator("#timer")).to_have_attribute("data-running", "1")
    phones[0].reload()
    expect(phones[0].locator("#stage .stage__title")).to_have_text(title)
    expect(screen.locator("#presence")).to_have_text("3 participants")
    for page in phones:
        page.context.close()
    fac.close()


def demo_json(env: dict[str, str], base: str) -> dict:
    from tests.conftest import manage

    return json.loads(manage(env, "demo", "--json", "--base-url", base))


def open_room(browser: Browser, base: str, demo: dict) -> tuple:
    """The facilitator logged in on the control panel, and the projector screen beside it."""
    fac = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    control = fac.new_page()
    login(control, base, demo)
    screen = fac.new_page()
    screen.set_viewport_size({"width": 1280, "height": 720})
    screen.goto(base + urlsplit(demo["screen_url"]).path)
    return fac, control, screen


def phones_join(browser: Browser, join_url: str, people) -> list[Page]:
    """One iPhone-sized browser context per person (name, organisation, actor type, ...)."""
    phones = []
    for name, organisation, actor, *_rest in people:
        context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale="fr-FR")
        page = context.new_page()
        join(page, join_url, name, organisation, actor)
        phones.append(page)
    return phones
