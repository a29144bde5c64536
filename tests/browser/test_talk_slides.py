"""A talk with slides, as the room lives it: the facilitator uploads the consultant's PDF,
the background worker makes its pages into slides, and the talk is paged with the keys of a
presenter's clicker; the wall shows the slide alone, the panel the notes and the next slide,
the phones the talk's one-line summary and never a note.

One daphne and one real worker on a SQLite file, a full room (42 participants)."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page, expect

from tests.browser.scenario import ARTIFACTS, demo_json, goto, join, login
from tests.conftest import Daphne, manage, server_env, sqlite_url
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

TALK = "Les sites qui ouvrent, s'agrandissent et ferment"
SUMMARY = "La méthode : lire les ouvertures, extensions et fermetures de sites"
NOTES = [
    "Commencer par la carte des 42 sites ; rappeler la source SIRENE.",
    "Insister : une filière n'est pas un secteur NAF.",
    "",
    "Laisser 5 minutes de questions avant la carte des filières.",
]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def deck(path: Path) -> Path:
    """A 4-page PDF: three 16:9 pages and a 4:3 one (letterboxed on the wall)."""
    sizes = [(1600, 900), (1600, 900), (1200, 900), (1600, 900)]
    colors = [(31, 95, 191), (29, 127, 110), (224, 122, 31), (20, 33, 61)]
    pages = []
    for n, (size, color) in enumerate(zip(sizes, colors, strict=True), start=1):
        image = Image.new("RGB", size, color)
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(FONT, 110) if Path(FONT).exists() else None
        draw.text((80, 80), f"Diapositive {n}", fill="white", font=font)
        draw.rectangle([0, 0, size[0] - 1, size[1] - 1], outline="white", width=12)
        pages.append(image)
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    path.write_bytes(buffer.getvalue())
    return path


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"talk-{name}.png"))


def shown(screen: Page) -> int:
    return int(screen.locator(".slide-wall").get_attribute("data-slide"))


def letterboxed(screen: Page, width: int, height: int) -> None:
    """The slide's box is the whole wall, its picture fitted without crop."""
    screen.set_viewport_size({"width": width, "height": height})
    screen.wait_for_function(
        "() => { const i = document.querySelector('.slide-wall__image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    box = screen.evaluate(
        "() => { const i = document.querySelector('.slide-wall__image');"
        " const r = i.getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height, getComputedStyle(i).objectFit]; }"
    )
    assert box == [0, 0, width, height, "contain"]


@pytest.fixture
def server(tmp_path, migrated_sqlite):
    env = server_env(
        DATABASE_URL=sqlite_url(migrated_sqlite, tmp_path / "talk.sqlite3"),
        SLIDES_DIR=str(tmp_path / "slides"),
    )
    daphne = Daphne(env, tmp_path / "daphne.log")
    yield daphne, env
    daphne.stop()


def test_a_talk_is_paged_with_the_clicker_keys(server, browser, tmp_path):
    daphne, env = server
    base = daphne.url
    demo = demo_json(env, base)
    manage(env, "fill_rencontre", demo["code"], "--participants", "42", "--actions", "1")

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    control = context.new_page()
    login(control, base, demo)

    # The slides page: the PDF is refused nothing, queued, and made into slides by the worker.
    goto(control, TALK)
    control.get_by_role("link", name="Ajouter des diapositives").click()
    control.locator("#slide-files").set_input_files(str(deck(tmp_path / "methode.pdf")))
    control.get_by_role("button", name="Envoyer").click()
    expect(control.get_by_text("PDF reçu")).to_be_visible()
    worker = Worker(env, tmp_path / "worker.log")
    try:
        expect(control.locator(".deck__row")).to_have_count(4, timeout=60_000)
    finally:
        worker.stop()
    for n, note in enumerate(NOTES, start=1):
        if note:
            row = control.locator(f'[data-slide-row="{n}"]')
            row.locator("textarea").fill(note)
            row.get_by_role("button", name="Enregistrer les notes").click()
            expect(control.get_by_text("Notes enregistrées.")).to_be_visible()
    shot(control, "slides-page")
    control.get_by_role("link", name="Modifier le résumé").click()
    control.get_by_label("Résumé d'une ligne pour les téléphones").fill(SUMMARY)
    control.get_by_role("button", name="Enregistrer").click()

    # The wall beside the panel, in the same browser; a phone of the room.
    control.goto(base + urlsplit(demo["control_url"]).path)
    screen = context.new_page()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(base + urlsplit(demo["screen_url"]).path)
    phone_context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale="fr-FR")
    phone = phone_context.new_page()
    join(
        phone, demo["join_url"], "Marie-Christine Dupont-Lefèvre", "CCI Haute-Savoie", "Entreprise"
    )
    expect(phone.locator(".talk--summary")).to_have_text(SUMMARY)

    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "1")
    expect(control.locator("[data-notes]")).to_contain_text(NOTES[0])
    letterboxed(screen, 1920, 1080)
    shot(screen, "wall-1080")
    letterboxed(screen, 1280, 720)
    shot(screen, "wall-720")
    shot(control, "panel")
    shot(phone, "phone")

    # The clicker's keys on the panel: PageDown, the arrows.
    control.keyboard.press("PageDown")
    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "2")
    expect(control.locator("[data-notes]")).to_contain_text(NOTES[1])
    control.keyboard.press("ArrowRight")
    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "3")
    expect(control.locator("[data-notes]")).to_contain_text("Pas de notes")
    letterboxed(screen, 1280, 720)  # the 4:3 page, with bars at its sides
    shot(screen, "wall-720-4x3")
    control.keyboard.press("ArrowLeft")
    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "2")
    # the panel has its answer too (a key pressed while a command is on its way is dropped)
    expect(control.locator("[data-notes]")).to_contain_text(NOTES[1])
    # The clicker plugged into the wall's computer: the wall passes its keys to the panel.
    screen.keyboard.press("PageDown")
    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "3")
    expect(control.locator("[data-notes]")).to_contain_text("Pas de notes")  # panel answered
    control.keyboard.press("PageDown")
    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "4")
    expect(control.locator("[data-notes]")).to_contain_text(NOTES[3])
    expect(control.get_by_text("Dernière diapositive")).to_be_visible()
    shot(control, "panel-last")

    # The phones never saw a slide nor a note, whatever the slide.
    phone_html = phone.content()
    for note in filter(None, NOTES):
        assert note not in phone_html
        assert note not in screen.content()
    assert phone.locator("img").count() == 0
    expect(phone.locator(".talk--summary")).to_have_text(SUMMARY)

    # Past the last slide, the same key moves to the next activity; back, the talk resumes.
    control.keyboard.press("PageDown")
    expect(control.locator("#current .current__title")).not_to_have_text(TALK)
    expect(screen.locator(".slide-wall")).to_have_count(0)
    control.keyboard.press("PageUp")
    expect(control.locator("#current .current__title")).to_have_text(TALK)
    expect(screen.locator(".slide-wall")).to_have_attribute("data-slide", "4")
    phone_context.close()
    context.close()
