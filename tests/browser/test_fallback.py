"""WebSockets blocked by the venue's network: phones and the projector poll the same state by
HTTP, say so, and go back to the socket when it opens again."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.scenario import demo_json, goto, join, login

pytestmark = pytest.mark.browser

# What a proxy that refuses the upgrade looks like from the page: the socket never opens, an
# error then a close with code 1006 (Playwright's routes cannot refuse a WebSocket: a routed
# one opens as a mock). `window.socketsBlocked = false` lets the next sockets through.
BLOCK_SOCKETS = """
(() => {
  const Real = window.WebSocket;
  window.socketsBlocked = true;
  window.socketAttempts = 0;
  window.socketsOpened = 0;
  class Refused extends EventTarget {
    constructor(url) {
      super();
      this.url = url; this.readyState = 0; this.binaryType = "blob";
      this.protocol = ""; this.extensions = ""; this.bufferedAmount = 0;
      for (const type of ["open", "message", "error", "close"]) {
        let handler = null;
        Object.defineProperty(this, "on" + type, {
          get: () => handler,
          set: (f) => {
            if (handler) this.removeEventListener(type, handler);
            handler = f;
            if (f) this.addEventListener(type, f);
          },
        });
      }
      setTimeout(() => {
        this.readyState = 3;
        this.dispatchEvent(new Event("error"));
        this.dispatchEvent(new CloseEvent("close", { code: 1006, wasClean: false }));
      }, 50);
    }
    send() { throw new DOMException("not open", "InvalidStateError"); }
    close() {}
  }
  function Gate(url, protocols) {
    window.socketAttempts += 1;
    if (window.socketsBlocked) return new Refused(url);
    const socket = new Real(url, protocols);
    socket.addEventListener("open", () => { window.socketsOpened += 1; });
    return socket;
  }
  Object.assign(Gate, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  Gate.prototype = Real.prototype;
  window.WebSocket = Gate;
})();
"""
FALLBACK = "Mode de secours"


def test_a_phone_and_the_screen_follow_by_polling_when_sockets_are_refused(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    code = demo["code"]
    fac = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    fac.add_init_script(BLOCK_SOCKETS)
    control = fac.new_page()
    login(control, server.url, demo)
    screen = fac.new_page()
    screen.goto(server.url + urlsplit(demo["screen_url"]).path)
    phone_context = browser.new_context(**browser.playwright.devices["iPhone 13"], locale="fr-FR")
    phone_context.add_init_script(BLOCK_SOCKETS)
    phone = phone_context.new_page()
    polls: list[tuple[str, int]] = []
    phone.on(
        "response",
        lambda r: (
            polls.append((urlsplit(r.url).query, r.status))
            if urlsplit(r.url).path == f"/j/{code}/etat"
            else None
        ),
    )
    join(phone, server.url + f"/j/{code}", "Léa Martin", "Région", "Collectivité")
    expect(phone.locator("#stage .stage__title")).to_have_text("Bienvenue")
    expect(phone.locator("#connection")).to_contain_text(FALLBACK, timeout=20_000)
    expect(screen.locator("#connection")).to_contain_text(FALLBACK, timeout=20_000)

    # First move: a poll reaches the phone and the projector without any socket.
    poll = "Quel est aujourd'hui le principal frein aux projets industriels ?"
    goto(control, poll)
    expect(phone.locator("#stage .stage__title")).to_have_text(poll)
    expect(screen.locator("#stage .stage__title")).to_have_text(poll)
    # An answer: saved over HTTP as always, and the projector's count follows by polling.
    phone.get_by_role("button", name="Foncier disponible").click()
    expect(phone.get_by_role("button", name="Foncier disponible")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(screen.locator(".results__count")).to_have_attribute("data-answers", "1")
    # Second move.
    words = "En un mot : l'industrie de notre territoire aujourd'hui"
    goto(control, words)
    expect(phone.locator("#stage .stage__title")).to_have_text(words)
    expect(screen.locator("#stage .stage__title")).to_have_text(words)
    assert phone.evaluate("window.socketsOpened") == 0
    assert phone.evaluate("window.socketAttempts") >= 3
    # Most polls found nothing new: 204, no body.
    assert [status for _query, status in polls].count(204) > 0
    assert {status for _query, status in polls} <= {200, 204}

    # The network lets sockets through again: the page goes back to its socket.
    phone.evaluate("window.socketsBlocked = false")
    expect(phone.locator("#connection")).to_be_hidden(timeout=40_000)
    assert phone.evaluate("window.socketsOpened") >= 1
    goto(control, poll)
    expect(phone.locator("#stage .stage__title")).to_have_text(poll)
    expect(phone.get_by_role("button", name="Foncier disponible")).to_have_attribute(
        "aria-pressed", "true"
    )
    phone_context.close()
    fac.close()
