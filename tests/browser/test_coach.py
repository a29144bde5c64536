"""A phone types a precise priority, accepts what the coach read in it, and the wall and the
CSV export (made by the background worker) group it under its filière."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join, shot
from tests.territories.worker import Worker

pytestmark = pytest.mark.browser

PRECISE = (
    "Créer 120 emplois de techniciens et soudeurs dans la filière batteries d'ici 2028, "
    "avec des retombées pour les sous-traitants locaux"
)
FILIERE = "Industries des nouveaux systèmes énergétiques"


def test_a_precise_sentence_ends_under_its_filiere_on_the_wall_and_in_the_csv(
    browser, sqlite_server
):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    (phone,) = phones_join(
        browser, demo["join_url"], [("Nadia Ferrand", "Agglo du Pays", "Collectivité")]
    )
    goto(control, "Ma priorité")

    phone.get_by_label("Ma priorité, en une phrase").fill(PRECISE)
    coach = phone.locator("#coach-1")
    expect(coach).to_contain_text("Précision 5/6")
    proposals = coach.locator(".proposal")
    expect(proposals.filter(has_text=FILIERE)).to_have_count(1)
    expect(proposals.filter(has_text="120")).to_have_count(1)
    expect(proposals.filter(has_text="techniciens, soudeurs")).to_have_count(1)
    expect(proposals.filter(has_text="Sous-traitance locale")).to_have_count(1)
    # Before accepting, the wall does not know the filière.
    expect(screen.locator(".wall__filiere")).to_contain_text("Filière à préciser")
    shot(phone, "coach-phone-proposals")

    for field in ("filière", "emplois", "quels emplois", "retombées", "horizon"):
        proposal = proposals.filter(has=phone.get_by_role("button", name=f"Accepter {field} :"))
        proposal.get_by_role("button", name="Accepter").click()
        expect(proposal).to_have_count(0)
    expect(coach.locator(".proposal")).to_have_count(0)
    expect(phone.get_by_label("Filière", exact=True).locator("option:checked")).to_have_text(
        FILIERE
    )
    expect(phone.get_by_label("Combien d'emplois ?")).to_have_value("120")
    expect(phone.get_by_label("Quels emplois, quelles compétences ?")).to_have_value(
        "techniciens, soudeurs"
    )
    expect(phone.get_by_label("Sous-traitance locale")).to_be_checked()
    expect(phone.get_by_label("Précisez")).to_have_value("retombées pour les sous-traitants locaux")
    # Typing on afterwards keeps the accepted values.
    phone.get_by_label("Comment saurez-vous que c'est réussi ?").fill("emplois pourvus")
    expect(phone.locator("#save-1")).to_contain_text("Enregistré")
    phone.reload()
    expect(phone.get_by_label("Combien d'emplois ?")).to_have_value("120")
    shot(phone, "coach-phone-accepted")

    # the wall is one list: a filière's heading, then its priorities
    first = screen.locator(".wall__filiere", has_text=FILIERE).locator(
        "xpath=following-sibling::li[1]"
    )
    expect(first).to_contain_text("Créer 120 emplois de techniciens")
    expect(screen.locator(".wall__filiere", has_text="Filière à préciser")).to_have_count(0)
    shot(screen, "coach-screen-wall")

    # The CSV export, made by the background worker from the panel's button.
    worker = Worker(env, server.log.parent / "worker.log")
    try:
        control.get_by_role("button", name="priorites.csv").click()
        link = control.get_by_role("link", name="Télécharger priorites.csv")
        expect(link).to_be_visible(timeout=60_000)
    finally:
        worker.stop()
    response = control.request.get(server.url + link.get_attribute("href"))
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff")), delimiter=";"))
    assert [(r["filiere"], r["emplois"], r["quels_emplois"]) for r in rows] == [
        (FILIERE, "120", "techniciens, soudeurs")
    ]
    assert rows[0]["retombees"] == "Sous-traitance locale"
    assert rows[0]["niveau_precision"] == "5"
    phone.context.close()
    fac.close()
