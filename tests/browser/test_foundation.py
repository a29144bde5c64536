from __future__ import annotations

import pytest

from tests.browser.scenario import demo_json, run_foundation
from tests.conftest import Daphne, server_env

pytestmark = pytest.mark.browser


def test_three_phones_follow_the_facilitator(browser, zbarimg, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    run_foundation(
        browser,
        facilitator_base=server.url,
        phone_base=server.url,
        demo=demo,
        zbarimg=zbarimg,
        tag="sqlite",
    )


@pytest.mark.services
def test_scale_out_two_daphnes_postgres_and_redis(
    browser, zbarimg, migrated_postgres_url, redis_url, tmp_path
):
    env = server_env(DATABASE_URL=migrated_postgres_url, REDIS_URL=redis_url)
    first = Daphne(env, tmp_path / "daphne-1.log")
    second = Daphne(env, tmp_path / "daphne-2.log")
    try:
        demo = demo_json(env, first.url)
        run_foundation(
            browser,
            facilitator_base=first.url,
            phone_base=second.url,
            demo=demo,
            zbarimg=zbarimg,
            tag="scale-out",
        )
    finally:
        first.stop()
        second.stop()


def test_a_phone_that_loses_the_network_keeps_its_typing_and_catches_up(
    fresh_browser, sqlite_server
):
    browser = fresh_browser
    from urllib.parse import urlsplit

    from playwright.sync_api import expect

    from tests.browser.scenario import goto, join, login

    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    control = fac.new_page()
    login(control, server.url, demo)
    goto(control, "En un mot : l'industrie de notre territoire aujourd'hui")
    phone_context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale="fr-FR")
    phone = phone_context.new_page()
    join(phone, demo["join_url"], "Léa Martin", "Région", "Collectivité")
    box = phone.get_by_label("Mot ou expression 1")
    box.fill("Énergie en cours de frappe")
    # The phone's socket is open (the panel counts it connected) before the server goes.
    expect(control.locator("#presence")).to_have_attribute("data-connected", "1")
    server.stop()  # the server restarts in the middle of the session
    expect(phone.locator("#connection")).to_be_visible(timeout=30_000)
    expect(phone.locator(".connection__lost")).to_contain_text("Connexion perdue")
    restarted = Daphne(env, server.log.with_name("daphne-restarted.log"), port=server.port)
    try:
        expect(phone.locator("#connection")).to_be_hidden(timeout=30_000)
        expect(box).to_have_value("Énergie en cours de frappe")  # the full state did not wipe it
        control.reload()
        control.locator("body").press("ArrowRight")
        expect(phone.locator("#stage .stage__title")).to_have_text(
            "Prendre du recul sur le discours habituel", timeout=10_000
        )
        assert urlsplit(phone.url).path == f"/j/{demo['code']}"
    finally:
        restarted.stop()
    phone_context.close()
    fac.close()
