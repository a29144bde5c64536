"""The look back with a room: two phones add items to both columns, a third supports one, the
facilitator hides one from the panel, and the wall shows the columns in support order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, open_room, phones_join, shot

pytestmark = pytest.mark.browser

TITLE = "Depuis 2018 : ce qui a marché, ce qui a bloqué"


def add_item(page, text: str, column: str, theme: str | None = None, *, double=False) -> None:
    mine = page.locator(".lookback")
    mine.get_by_label("En quelques mots").fill(text)
    if theme:
        mine.locator(".theme-choice", has_text=theme).click()
    button = mine.get_by_role("button", name=column)
    if double:
        button.dblclick()
    else:
        button.click()
    expect(page.locator(".lookback .saved")).to_contain_text("Ajouté.")
    expect(page.locator(".lookback-list").first).to_contain_text(text)


def test_items_supports_and_moderation_reach_the_wall(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, screen = open_room(browser, server.url, demo)
    lea, karim, sophie = phones_join(
        browser,
        demo["join_url"],
        [
            ("Léa Martin", "Région", "Collectivité"),
            ("Karim Benali", "Mecalac", "Entreprise"),
            ("Sophie Durand", "DREETS", "Service de l'État"),
        ],
    )
    goto(control, TITLE)
    for page in (lea, karim, sophie, screen):
        expect(page.locator("#stage .stage__title")).to_have_text(TITLE)

    # An empty item is refused in French; nothing is stored.
    lea.locator(".lookback").get_by_role("button", name="Ce qui a marché").click()
    expect(lea.locator(".lookback .field__error")).to_have_text(
        "Écrivez quelques mots avant d'ajouter."
    )

    add_item(
        lea,
        "Le club des industriels de la vallée se réunit chaque trimestre",
        "Ce qui a marché",
        "Compétences",
    )
    add_item(lea, "Aucune friche prête à accueillir un projet", "Ce qui a bloqué", "Foncier")
    # A double tap stores the item once.
    add_item(karim, "La reprise de la fonderie par un groupe local", "Ce qui a marché", double=True)
    expect(karim.locator(".lookback-list").first.locator(".lookback-item")).to_have_count(1)
    add_item(karim, "Un texte à retirer du mur", "Ce qui a marché", "Autre")

    # Sophie supports Karim's fonderie; Léa supports it too. The toggle says so.
    for page in (sophie, lea):
        others = page.locator("#stage .lookback-others")
        others.get_by_role("button", name="Actualiser").click()
        item = others.locator(".lookback-item", has_text="La reprise de la fonderie")
        item.get_by_role("button", name="Je soutiens").click()
        expect(
            page.locator(
                ".lookback-others .lookback-item", has_text="La reprise de la fonderie"
            ).get_by_role("button", name="Je soutiens")
        ).to_have_attribute("aria-pressed", "true")
    # Sophie withdraws and supports again: one support, pressed.
    fonderie = sophie.locator(
        ".lookback-others .lookback-item", has_text="La reprise de la fonderie"
    )
    fonderie.get_by_role("button", name="Je soutiens").click()
    expect(fonderie.get_by_role("button", name="Je soutiens")).to_have_attribute(
        "aria-pressed", "false"
    )
    fonderie.get_by_role("button", name="Je soutiens").click()
    expect(fonderie.get_by_role("button", name="Je soutiens")).to_have_text("✓ Je soutiens · 2")
    # No support button on one's own items.
    expect(
        karim.locator(".lookback-others .lookback-item", has_text="La reprise de la fonderie")
    ).to_have_count(0)

    # The panel hides one of Karim's items.
    row = control.locator(".lookpanel li", has_text="Un texte à retirer du mur")
    row.get_by_role("button", name="Masquer").click()
    expect(
        control.locator(".lookpanel li.is-hidden", has_text="Un texte à retirer")
    ).to_be_visible()

    # The wall: both columns, most supported first, the hidden item gone, themes labelled.
    worked = screen.locator('.lookwall__col[data-column="worked"] .lookwall__item')
    blocked = screen.locator('.lookwall__col[data-column="blocked"] .lookwall__item')
    expect(worked).to_have_count(2)
    expect(worked.nth(0)).to_contain_text("La reprise de la fonderie")
    expect(worked.nth(0).locator(".lookwall__count")).to_have_text("soutiens : 2")
    expect(worked.nth(1)).to_contain_text("Le club des industriels")
    expect(worked.nth(1).locator(".theme-chip")).to_have_text("Compétences")
    expect(blocked).to_have_count(1)
    expect(blocked.nth(0).locator(".theme-chip")).to_have_text("Foncier")
    expect(screen.locator("#stage")).not_to_contain_text("Un texte à retirer du mur")
    expect(screen.locator(".results__hidden")).to_have_text("1 masqué par l'animateur")

    # After a reload each phone finds its own part as it was.
    sophie.reload()
    expect(
        sophie.locator(
            ".lookback-others .lookback-item", has_text="La reprise de la fonderie"
        ).get_by_role("button", name="Je soutiens")
    ).to_have_attribute("aria-pressed", "true")
    karim.reload()
    expect(karim.locator(".lookback-item.is-hidden")).to_contain_text("masqué par l'animateur")

    for width, height in ((1920, 1080), (1280, 720)):
        screen.set_viewport_size({"width": width, "height": height})
        shot(screen, f"lookback-screen-{width}")
    shot(sophie, "lookback-phone")
    sophie.set_viewport_size({"width": 390, "height": 2000})
    shot(sophie, "lookback-phone-long")
    control.locator(".lookpanel").scroll_into_view_if_needed()
    shot(control, "lookback-control")
    for page in (lea, karim, sophie):
        page.context.close()
    fac.close()
