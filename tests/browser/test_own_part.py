from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join

pytestmark = pytest.mark.browser

POLL = "Quel est aujourd'hui le principal frein aux projets industriels ?"


def test_only_a_phone_with_an_answer_fetches_it_after_a_move(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, _screen = open_room(browser, server.url, demo)
    answered, silent = phones_join(
        browser,
        demo["join_url"],
        [("Léa Martin", "Région", "Collectivité"), ("Karim Benali", "Mecalac", "Entreprise")],
    )
    goto(control, POLL)
    answered.get_by_role("button", name="Financement").click()
    expect(answered.get_by_role("button", name="Financement")).to_have_attribute(
        "aria-pressed", "true"
    )

    own_fetches = {"answered": [], "silent": []}
    for name, page in (("answered", answered), ("silent", silent)):
        page.on(
            "request",
            lambda request, name=name: (
                "/a/" in request.url
                and request.method == "GET"
                and own_fetches[name].append(request.url)
            ),
        )
    control.locator("body").press("ArrowRight")  # away, then back to the poll
    expect(silent.locator("#stage .stage__title")).not_to_have_text(POLL)
    control.locator("body").press("ArrowLeft")
    expect(silent.locator("#stage .stage__title")).to_have_text(POLL)

    # The phone that answered gets its answer back; the other can answer at once.
    expect(answered.get_by_role("button", name="Financement")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(silent.get_by_role("button", name="Financement")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert len(own_fetches["answered"]) == 1
    assert own_fetches["silent"] == []
    silent.get_by_role("button", name="Accès à l'énergie").click()
    expect(silent.locator(".saved")).to_contain_text("Réponse enregistrée")

    # A reload shows each phone its own answer, from the page itself.
    for page, choice in ((answered, "Financement"), (silent, "Accès à l'énergie")):
        page.reload()
        expect(page.get_by_role("button", name=choice)).to_have_attribute("aria-pressed", "true")
    for page in (answered, silent):
        page.context.close()
    fac.close()
