from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join, shot
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Léa Martin", "Région", "Collectivité", "Transition énergétique"),
    ("Paul Roche", "CC du Genevois", "Collectivité", "Industrie du numérique"),
    ("Karim Benali", "Mecalac", "Entreprise", "Transition énergétique"),
    ("Inès Morel", "Somfy", "Entreprise", "Industrie du numérique"),
    ("Sophie Durand", "DREETS", "Service de l'État", "Transition énergétique"),
    ("Marc Petit", "Bpifrance", "Financeur", "Industrie du numérique"),
]


def test_six_phones_priorities_tables_and_actions(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    phones = phones_join(browser, demo["join_url"], PEOPLE)

    goto(control, "Ma priorité")
    # One vague priority, coached to precise.
    vague = phones[0]
    vague.get_by_label("Ma priorité, en une phrase").fill("Attirer des projets exogènes")
    coach = vague.locator("#coach-1")
    expect(coach).to_contain_text("Précision 1/6")
    expect(coach).to_contain_text("Dans quelle filière ?")
    vague.get_by_label("Filière", exact=True).select_option(label="Transition énergétique")
    expect(coach).to_contain_text("Combien d'emplois, et lesquels ?")
    vague.get_by_label("Combien d'emplois ?").fill("150")
    vague.get_by_label("Quels emplois, quelles compétences ?").fill("techniciens de maintenance")
    vague.get_by_label("Sous-traitance locale").check()
    vague.get_by_label("Horizon").select_option(label="D'ici 3 ans")
    vague.get_by_label("Comment saurez-vous que c'est réussi ?").fill("emplois pourvus localement")
    expect(coach).to_contain_text("Précision 5/6")
    shot(vague, "priorities-phone-coach")
    vague.reload()
    expect(vague.get_by_label("Combien d'emplois ?")).to_have_value("150")
    for page, (name, _org, _actor, filiere) in zip(phones[1:], PEOPLE[1:], strict=True):
        page.get_by_label("Filière", exact=True).select_option(label=filiere)
        page.get_by_label("Ma priorité, en une phrase").fill(
            f"Créer 30 emplois dans l'industrie avec {name}"
        )
        expect(page.locator("#save-1")).to_contain_text("Enregistré")
    wall = screen.locator(".wall")
    expect(wall.locator(".wall__filiere")).to_have_count(2)
    expect(wall.locator(".wall__filiere", has_text="Transition énergétique")).to_contain_text("3")
    shot(screen, "priorities-screen-wall")

    goto(control, "Les tables")
    control.locator("select[name=mode]").select_option("mixed")
    control.locator("input[name=size]").fill("3")
    control.get_by_role("button", name="Former les tables").click()
    expect(screen.locator(".plan__table")).to_have_count(2)
    for page, (name, *_rest) in zip(phones, PEOPLE, strict=True):
        expect(page.locator(".table-number")).to_contain_text("Table")
        expect(page.locator(".member.is-me")).to_contain_text(name)
        expect(page.locator(".member")).to_have_count(3)
    shot(phones[1], "priorities-phone-table")
    shot(screen, "priorities-screen-plan")

    goto(control, "Mes actions pour demain")
    for i, page in enumerate(phones):
        for j in range(2):
            page.get_by_label("L'action").fill(f"Action {j + 1} de {PEOPLE[i][0]}")
            page.get_by_label("Dans une semaine").check()
            page.get_by_role("button", name="Enregistrer l'action").click()
            expect(page.locator(".my-action")).to_have_count(j + 1)
    # Everyone supports Léa's first action; Léa supports Karim's first.
    for page in phones[1:]:
        page.locator(".other-action", has_text="Action 1 de Léa Martin").get_by_role(
            "button", name="Je soutiens"
        ).click()
        expect(
            page.locator(".other-action", has_text="Action 1 de Léa Martin").locator(
                ".support.is-on"
            )
        ).to_be_visible()
    phones[0].get_by_role("button", name="Actualiser").click()
    phones[0].locator(".other-action", has_text="Action 1 de Karim Benali").get_by_role(
        "button", name="Je soutiens"
    ).click()
    top = screen.locator(".top-actions li")
    expect(top.first).to_contain_text("Action 1 de Léa Martin")
    expect(top.first.locator(".top-actions__count")).to_have_text("5")
    expect(top.nth(1).locator(".top-actions__count")).to_have_text("1")
    expect(screen.locator(".results__count")).to_contain_text("12 actions de 6 participants")
    shot(screen, "priorities-screen-actions")
    shot(phones[2], "priorities-phone-actions")

    # Restitution: the synthesis on the wall; each phone gets its own items and link.
    goto(control, "La synthèse")
    expect(screen.locator(".debrief__figure").first).to_contain_text("6")
    expect(screen.locator(".debrief")).to_contain_text("actions engagées")
    # Léa did not ask to be listed: the porteur proposed to her was her actor type.
    expect(screen.locator(".debrief")).to_contain_text(
        "Action 1 de Léa Martin — Collectivité (5 soutiens)"
    )
    shot(screen, "debrief-screen")
    lea = phones[0]
    expect(lea.locator(".personal").first).to_contain_text("Attirer des projets exogènes")
    link = lea.locator(".personal-link").inner_text()
    lea.goto(link)
    lea.locator(".my-action", has_text="Action 1 de Léa Martin").get_by_role(
        "button", name="Marquer comme faite"
    ).click()
    expect(lea.locator(".my-action.is-done")).to_have_count(1)
    shot(lea, "debrief-phone-personal")
    control.reload()
    expect(control.locator(".figures")).to_contain_text("1 action déjà faite")
    worker = Worker(env, server.log.parent / "worker.log")  # as `make demo` starts it
    try:
        control.get_by_role("button", name="Préparer le PDF").click()
        link = control.get_by_role("link", name="Télécharger le PDF")
        expect(link).to_be_visible(timeout=60_000)
    finally:
        worker.stop()
    pdf = control.request.get(server.url + link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.body()[:5] == b"%PDF-"
    for page in phones:
        page.context.close()
    fac.close()
