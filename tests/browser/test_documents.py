"""Phones name the planning document their priority should change and what should change in
it; the wall and the PDF debrief group the priorities by document."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join, shot
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Léa Martin", "Région", "Collectivité"),
    ("Karim Benali", "Mecalac", "Entreprise"),
    ("Inès Morel", "CCI Haute-Savoie", "Chambre consulaire / réseau"),
]
PRECISE = (
    "Créer 120 emplois de techniciens et soudeurs dans la filière batteries d'ici 2028, "
    "avec des retombées pour les sous-traitants locaux"
)
FRICHE = "Classer les 6 ha de la friche Tefal en zone d'activités"


def test_phones_name_their_document_and_the_wall_and_pdf_group_by_it(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    lea, karim, ines = phones_join(browser, demo["join_url"], PEOPLE)
    goto(control, "Ma priorité")

    # Léa: a precise sentence, then the document and the change: the sixth question.
    lea.get_by_label("Ma priorité, en une phrase").fill(PRECISE)
    coach = lea.locator("#coach-1")
    expect(coach).to_contain_text("Précision 5/6")
    expect(coach).to_contain_text("Quel document faut-il faire évoluer")
    tile = lea.locator(".checks--document .check", has_text="PLUi")
    box = tile.bounding_box()
    assert box is not None
    assert (box["height"] >= 44, box["width"] >= 200) == (True, True)  # a thumb's target
    tile.click()
    expect(coach).to_contain_text("Que faut-il changer dans ce document, en une ligne ?")
    lea.get_by_label("Qu'y changer, en une ligne ?").fill(FRICHE)
    expect(coach).to_contain_text("Précision 6/6")
    expect(lea.locator("#save-1")).to_contain_text("Enregistré")
    # The question just under the sticky coach, as a thumb scrolls it.
    lea.locator(".checks--document legend").evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY"
        " - window.innerHeight * 0.5)"
    )
    shot(lea, "documents-phone")
    lea.reload()
    expect(lea.get_by_label("PLUi", exact=True)).to_be_checked()
    expect(lea.get_by_label("Qu'y changer, en une ligne ?")).to_have_value(FRICHE)

    # Karim names the SCoT in his sentence and accepts what the coach read.
    karim.get_by_label("Ma priorité, en une phrase").fill(
        "Garder 20 ha pour l'industrie, avec une révision du SCoT"
    )
    proposal = karim.locator("#coach-1 .proposal--document")
    expect(proposal).to_contain_text("SCoT — « une révision du SCoT »")
    proposal.get_by_role("button", name="Accepter").click()
    expect(karim.get_by_label("SCoT", exact=True)).to_be_checked()
    expect(karim.get_by_label("Qu'y changer, en une ligne ?")).to_have_value("une révision du SCoT")
    expect(karim.locator("#save-1")).to_contain_text("Enregistré")

    # Inès: the PLUi too, another change.
    ines.get_by_label("Ma priorité, en une phrase").fill("Agrandir les ateliers de décolletage")
    ines.locator(".checks--document .check", has_text="PLUi").click()
    ines.get_by_label("Qu'y changer, en une ligne ?").fill("Autoriser les extensions en hauteur")
    expect(ines.locator("#save-1")).to_contain_text("Enregistré")

    docs = screen.locator(".docwall")
    expect(docs.locator(".docwall__doc")).to_have_count(2)
    expect(docs.locator(".docwall__doc").first).to_have_text("PLUi 2")
    expect(docs.locator(".docwall__doc").nth(1)).to_have_text("SCoT 1")
    expect(docs.locator(".docwall__item")).to_have_count(3)
    expect(docs).to_contain_text(FRICHE)
    expect(docs).to_contain_text("Autoriser les extensions en hauteur")
    shot(screen, "documents-wall")

    # The PDF debrief, prepared by the background worker, groups them the same way.
    goto(control, "La synthèse")
    worker = Worker(env, server.log.parent / "worker.log")
    try:
        control.get_by_role("button", name="Préparer le PDF").click()
        link = control.get_by_role("link", name="Télécharger le PDF")
        expect(link).to_be_visible(timeout=60_000)
    finally:
        worker.stop()
    pdf = control.request.get(server.url + link.get_attribute("href"))
    assert pdf.status == 200
    path = server.log.parent / "debrief.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Par document à faire évoluer" in text
    block = text[text.index("Par document à faire évoluer") :]
    assert block.index("PLUi (2)") < block.index("SCoT (1)")
    assert "Classer les 6 ha de la friche Tefal" in block
    for page in (lea, karim, ines):
        page.context.close()
    fac.close()
