from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join, shot

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Léa Martin", "Région", "Collectivité"),
    ("Paul Roche", "Communauté de communes", "Collectivité"),
    ("Karim Benali", "Mecalac", "Entreprise"),
    ("Inès Morel", "Somfy", "Entreprise"),
    ("Sophie Durand", "DREETS", "Service de l'État"),
]


@pytest.fixture
def groups_of_two(monkeypatch):
    """Five phones make groups of 2: let the split show them (the default minimum is 3)."""
    monkeypatch.setenv("SPLIT_MIN_GROUP_SIZE", "2")


def test_five_phones_answer_and_the_projector_follows(browser, groups_of_two, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    phones = phones_join(browser, demo["join_url"], PEOPLE)

    # Words: three spellings of one word count as one; a moderated word leaves the wall.
    goto(control, "En un mot : l'industrie de notre territoire aujourd'hui")
    typed = [["Énergie", "Savoir-faire"], ["energie"], ["énergies "], ["Usine"], ["Bidule"]]
    for page, words in zip(phones, typed, strict=True):
        for i, word in enumerate(words):
            page.get_by_label(f"Mot ou expression {i + 1}").fill(word)
        page.get_by_role("button", name="Envoyer").click()
        expect(page.locator(".saved")).to_contain_text("Réponse enregistrée")
    cloud = screen.locator(".cloud")
    expect(cloud.locator("text", has_text="Énergie")).to_have_attribute("data-count", "3")
    expect(cloud.locator("text", has_text="Bidule")).to_have_count(1)
    shot(screen, "constat-screen-words")
    control.get_by_role("button", name="Masquer « Bidule »").click()
    expect(cloud.locator("text", has_text="Bidule")).to_have_count(0)
    expect(screen.locator(".results__hidden")).to_have_text("1 mot masqué par l'animateur")

    # Scale: everyone rates the first statement; collectivités and firms disagree.
    goto(control, "Où en est la réindustrialisation ici ?")
    levels = [
        "Tout à fait d'accord",
        "Plutôt d'accord",
        "Pas du tout d'accord",
        "Plutôt pas d'accord",
        "Plutôt d'accord",
    ]
    for page, level in zip(phones, levels, strict=True):
        page.locator(".scale").first.get_by_role("button", name=level, exact=True).click()
        expect(page.locator(".scale").first.locator(".is-selected")).to_have_text(level)
    expect(screen.locator(".results__count")).to_have_attribute("data-answers", "5")
    control.locator("body").press("d")
    expect(screen.locator(".chart--dots")).to_be_visible()
    expect(screen.locator(".legend")).to_contain_text("Collectivité (2)")
    expect(screen.locator(".legend")).to_contain_text("Entreprise (2)")
    # first row: 4.5 (collectivités) vs 1.5 (entreprises) -> gap 75
    expect(screen.locator(".chart--dots .walldots__row").first).to_contain_text("écart 75 pts")
    shot(screen, "constat-screen-divergence")

    # Single-choice poll: counts follow a changed answer.
    goto(control, "Quel est aujourd'hui le principal frein aux projets industriels ?")
    picks = [
        "Foncier disponible",
        "Foncier disponible",
        "Compétences et recrutement",
        "Compétences et recrutement",
        "Compétences et recrutement",
    ]
    for page, pick in zip(phones, picks, strict=True):
        page.get_by_role("button", name=pick).click()
        expect(page.get_by_role("button", name=pick)).to_have_attribute("aria-pressed", "true")
    bars = screen.locator(".chart--bars")
    expect(bars).to_contain_text("2 · 40 %")
    expect(bars).to_contain_text("3 · 60 %")
    phones[4].get_by_role("button", name="Foncier disponible").click()
    expect(bars).to_contain_text("3 · 60 %")
    expect(bars).to_contain_text("2 · 40 %")
    expect(screen.locator(".results__count")).to_have_attribute("data-answers", "5")
    phones[4].reload()
    expect(phones[4].get_by_role("button", name="Foncier disponible")).to_have_attribute(
        "aria-pressed", "true"
    )
    shot(screen, "constat-screen-poll")
    shot(phones[4], "constat-phone-poll")
    shot(control, "constat-control-poll")

    # Closing answers: the phone says so and keeps showing its answer.
    control.locator("body").press("o")
    expect(phones[0].locator(".notice--closed").first).to_be_visible()
    expect(phones[0].get_by_role("button", name="Foncier disponible")).to_be_disabled()

    # Ranking: three places each; the wall ranks by points (3, 2, 1); one item twice is
    # refused with the choices kept.
    goto(control, "Par quoi commencer ? Classez trois leviers")
    land, skills, energy = (
        "Préparer du foncier prêt à l'emploi",
        "Former aux métiers de l'industrie",
        "Sécuriser l'accès à l'énergie",
    )
    orders = [[skills, land, energy]] * 3 + [[land, energy, skills]] * 2
    for page, order in zip(phones, orders, strict=True):
        for place, item in enumerate(order, start=1):
            page.get_by_label(f"Place {place}").select_option(label=item)
        page.get_by_role("button", name="Envoyer mon classement").click()
        expect(page.locator(".saved")).to_contain_text("Réponse enregistrée")
    rows = screen.locator(".wallbars__row")
    # skills 3*3 + 2*1 = 11, land 3*2 + 2*3 = 12, energy 3*1 + 2*2 = 7
    expect(rows.nth(0)).to_contain_text(f"1. {land}")
    expect(rows.nth(0)).to_contain_text("12 points")
    expect(rows.nth(1)).to_contain_text("11 points")
    expect(rows.nth(2)).to_contain_text("7 points")
    page = phones[0]
    page.get_by_label("Place 2").select_option(label=skills)
    page.get_by_role("button", name="Envoyer mon classement").click()
    expect(page.locator(".notice--error, .field__error").first).to_contain_text(
        "Un même élément ne peut pas occuper deux places."
    )
    expect(page.get_by_label("Place 2")).to_have_value("c2")
    expect(rows.nth(0)).to_contain_text("12 points")
    shot(screen, "constat-screen-ranking")
    shot(page, "constat-phone-ranking")
    for page in phones:
        page.context.close()
    fac.close()
