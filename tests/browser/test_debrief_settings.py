"""The organiser prepares the PDF debrief in a real browser: edits the key messages, uploads
the organiser's logo (a broken file is refused with a message, nothing typed is lost), unticks
a section, then downloads the PDF made by the real background worker and finds all of it."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, login
from tests.conftest import Daphne, manage, server_env, sqlite_url
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

MESSAGE = "Le bassin s'engage à former 40 soudeurs par an dès 2028."


def logo_png() -> bytes:
    image = Image.new("RGB", (480, 160), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 150, 150), fill=(31, 95, 191))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def room(tmp_path, migrated_sqlite):
    """The demo rencontre with 30 more participants, on daphne and the real worker."""
    database = sqlite_url(migrated_sqlite, tmp_path / "room.sqlite3")
    env = server_env(DATABASE_URL=database, DEBRIEF_DIR=str(tmp_path / "debriefs"))
    server = Daphne(env, tmp_path / "daphne.log")
    worker = Worker(env, tmp_path / "worker.log")
    demo = demo_json(env, server.url)
    manage(env, "fill_rencontre", demo["code"], "--participants", "30")
    yield server, demo
    worker.stop()
    server.stop()


def poppler(tool: str, pdf: Path, *args: str) -> str:
    command = [tool, *args, str(pdf), *(["-"] if tool == "pdftotext" else [])]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_the_organiser_edits_the_messages_adds_a_logo_and_the_pdf_carries_them(
    browser, room, tmp_path
):
    server, demo = room
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    login(page, server.url, demo)
    page.get_by_role("link", name="Messages clés, sections et logos du PDF").click()
    expect(page.get_by_role("heading", name="Préparer la restitution (PDF)")).to_be_visible()

    # Prefilled from the synthesis; the organiser rewrites the first line.
    first = page.get_by_label("Message 1", exact=True)
    expect(first).to_have_value(re.compile(r"^30 participants, 30 priorités formulées, .*\.$"))
    first.fill(MESSAGE)
    page.get_by_label("Déroulé de la rencontre").uncheck()
    page.get_by_role("button", name="Enregistrer les réglages").click()
    expect(page.get_by_role("status")).to_have_text("Réglages de la restitution enregistrés.")
    expect(page.get_by_label("Message 1", exact=True)).to_have_value(MESSAGE)
    expect(page.get_by_label("Déroulé de la rencontre")).not_to_be_checked()

    # A file that is no image is refused with a message; the name typed stays.
    page.get_by_label("Nom de l'organisation").fill("Région Test")
    page.get_by_label("Fichier (PNG ou JPEG, 1 Mo au plus)").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": b"not a PNG at all"}
    )
    page.get_by_role("button", name="Ajouter le logo").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Logo non ajouté : Ce fichier n'est pas une image lisible"
    )
    expect(page.get_by_label("Nom de l'organisation")).to_have_value("Région Test")
    page.get_by_label("Fichier (PNG ou JPEG, 1 Mo au plus)").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}
    )
    page.get_by_role("button", name="Ajouter le logo").click()
    expect(page.get_by_role("status")).to_have_text("Logo ajouté.")
    preview = page.locator(".logo-list img")
    expect(preview).to_have_count(1)
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 480
    page.screenshot(path="/tmp/debrief-settings-1366x768.png", full_page=True)

    # The PDF, made by the worker, carries the message, the logo and not the agenda.
    page.get_by_role("button", name="Préparer le PDF").click()
    download = page.get_by_role("link", name="Télécharger le PDF")
    expect(download).to_be_visible(timeout=120_000)  # a bound on a hung worker
    response = page.request.get(server.url + download.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "restitution.pdf"
    pdf.write_bytes(response.body())
    assert "Tagged:          yes" in poppler("pdfinfo", pdf)
    text = " ".join(poppler("pdftotext", pdf).split())
    assert MESSAGE.replace("'", "’") in text or MESSAGE in text
    assert "Synthèse" in text
    assert "Le déroulé de la rencontre" not in text
    images = poppler("pdfimages", pdf, "-list").splitlines()[2:]
    assert [(row.split()[3], row.split()[4]) for row in images] == [("480", "160")]
    context.close()
