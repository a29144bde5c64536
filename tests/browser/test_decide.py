"""The end of the peer exchange with several phones: a table's rapporteur writes its
conclusion, the table's other phones read it, the facilitator pages the conclusions on the
wall with a key; then three phones vote, the cap holds, closing the vote reveals the ranking
and the decisions open the PDF."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Léa Martin", "Région", "Collectivité"),
    ("Karim Benali", "Mecalac", "Entreprise"),
    ("Sophie Durand", "DREETS", "Service de l'État"),
    ("Marc Petit", "Bpifrance", "Financeur"),
]


def table_number(page) -> str:
    expect(page.locator(".table-number")).to_contain_text("Table")
    return page.locator(".table-number").inner_text().strip()


def test_conclusions_paged_on_the_wall_then_a_vote_decides(browser, sqlite_server, tmp_path):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    phones = phones_join(browser, demo["join_url"], PEOPLE)

    goto(control, "Les tables")
    control.locator("select[name=mode]").select_option("mixed")
    control.locator("input[name=size]").fill("2")
    control.get_by_role("button", name="Former les tables").click()
    expect(screen.locator(".plan__table")).to_have_count(2)
    numbers = [table_number(page) for page in phones]
    tables = {n: [p for p, m in zip(phones, numbers, strict=True) if m == n] for n in numbers}
    assert sorted(len(members) for members in tables.values()) == [2, 2]

    proposals = {
        "Table 1": "Un guichet unique pour le foncier industriel, ouvert avant l'été",
        "Table 2": "Un club des dirigeants de la vallée réuni chaque trimestre",
    }
    for number, (reporter, reader) in sorted(tables.items()):
        reporter.get_by_role("button", name="Je suis rapporteur").click()
        expect(reporter.locator(".conclusion-block")).to_contain_text("Vous êtes le rapporteur")
        # The other member sees who the rapporteur is (their phone looks every 10 s), and can
        # no longer volunteer.
        expect(reader.locator(".conclusion-block")).to_contain_text("Rapporteur :", timeout=15_000)
        expect(reader.get_by_role("button", name="Je suis rapporteur")).to_have_count(0)
        reporter.get_by_label("Ce que la table retient (1 à 3 lignes)").fill(
            f"Constat de la {number}.\nDeuxième ligne."
        )
        reporter.get_by_label("Notre proposition commune").fill(proposals[number])
        reporter.get_by_role("button", name="Enregistrer la conclusion").click()
        expect(reporter.locator(".saved")).to_contain_text("Conclusion enregistrée")
        # Read-only on the other phone of the table, without a reload.
        expect(reader.locator(".conclusion__proposal")).to_have_text(
            proposals[number], timeout=15_000
        )
        expect(reader.get_by_label("Notre proposition commune")).to_have_count(0)

    # The facilitator pages the wall with the key T.
    expect(control.locator("[data-key=page]")).to_be_enabled()
    # Pressed twice at once: the second press waits for the first's answer, it is not lost.
    control.keyboard.press("t")
    control.keyboard.press("t")
    expect(screen.locator(".conclusion-wall .spotlight__statement")).to_have_text(
        proposals["Table 2"]
    )
    expect(screen.locator(".conclusion-pager")).to_have_text("Conclusion 2 sur 2")
    control.keyboard.press("t")  # round the tables
    expect(screen.locator(".conclusion-wall .spotlight__statement")).to_have_text(
        proposals["Table 1"]
    )
    expect(screen.locator(".conclusion-pager")).to_have_text("Conclusion 1 sur 2")

    goto(control, "Décider ensemble")
    ballot = phones[0].locator(".vote-option")
    expect(ballot).to_have_count(2)
    wall_count = screen.locator(".vote-count .results-hidden__big")
    expect(wall_count).to_contain_text("0")

    def add(page, proposal: str, expected_left: int) -> None:
        option = page.locator(".vote-option", has_text=proposal)
        option.get_by_role("button", name="Ajouter un point").click()
        expect(page.locator(".vote__left")).to_have_attribute("data-left", str(expected_left))

    voters = phones[:3]
    # Léa puts her three points on table 2's proposal; a fourth point is refused, with why.
    for left in (2, 1, 0):
        add(voters[0], proposals["Table 2"], left)
    voters[0].locator(".vote-option", has_text=proposals["Table 1"]).get_by_role(
        "button", name="Ajouter un point"
    ).click()
    expect(voters[0].locator(".notice--error")).to_contain_text(
        "Vous avez déjà placé tous vos points"
    )
    expect(
        voters[0]
        .locator(".vote-option", has_text=proposals["Table 1"])
        .locator(".vote-option__mine")
    ).to_have_text("0 point")
    add(voters[1], proposals["Table 1"], 2)
    add(voters[1], proposals["Table 2"], 1)
    add(voters[2], proposals["Table 1"], 2)
    expect(wall_count).to_contain_text("3")
    # Until the close, the wall shows no ranking.
    expect(screen.locator(".vote-ranking__row")).to_have_count(0)

    control.keyboard.press("o")  # close the vote
    rows = screen.locator(".vote-ranking__row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(proposals["Table 2"])
    expect(rows.first.locator(".top-actions__count")).to_have_text("4")
    expect(rows.nth(1).locator(".top-actions__count")).to_have_text("2")
    expect(phones[3].locator(".vote-decisions li").first).to_contain_text(proposals["Table 2"])

    worker = Worker(env, server.log.parent / "worker.log")
    try:
        goto(control, "La synthèse")
        control.get_by_role("button", name="Préparer le PDF").click()
        link = control.get_by_role("link", name="Télécharger le PDF")
        expect(link).to_be_visible(timeout=60_000)
    finally:
        worker.stop()
    pdf = control.request.get(server.url + link.get_attribute("href"))
    assert pdf.status == 200
    path = tmp_path / "debrief.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    body = text[text.index("Ce que nous décidons", text.index("Sommaire") + 10) :]
    assert body.index("Ce que nous décidons") < body.index("Synthèse")
    assert body.index("Un club des dirigeants") < body.index("Un guichet unique")
    assert "Porté par : Table 2" in body
    assert body.index("Ce que concluent les tables") > body.index("Synthèse")
    for page in phones:
        page.context.close()
    fac.close()
