"""The panel a facilitator drives blind, the wall of a room PC, the demo on real phones."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.scenario import (
    decode_qr,
    demo_json,
    join,
    login,
    open_room,
    phones_join,
    shot,
)
from tests.conftest import ROOT, free_port, manage, server_env
from workshops.management.commands.demo import lan_address

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Léa Martin", "Région", "Collectivité"),
    ("Karim Benali", "Mecalac", "Entreprise"),
    ("Sophie Durand", "DREETS", "Service de l'État"),
]


def _watch_console(page: Page, errors: list[str]) -> None:
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))


def _title(control: Page) -> str:
    return control.locator("#current .current__title").inner_text()


def test_clicker_keys_sticky_controls_timer_per_activity_blank_and_removal(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    control = fac.new_page()
    login(control, server.url, demo)
    screen = fac.new_page()
    screen.set_viewport_size({"width": 1280, "height": 720})
    screen.goto(server.url + urlsplit(demo["screen_url"]).path)
    phones = phones_join(browser, demo["join_url"], PEOPLE[:2])
    expect(control.locator("#presence")).to_have_attribute("data-joined", "2")

    # A presenter's clicker: PageDown and PageUp move.
    control.bring_to_front()
    control.locator("body").press("PageDown")
    words = "En un mot : l'industrie de notre territoire aujourd'hui"
    expect(control.locator("#current .current__title")).to_have_text(words)
    expect(screen.locator("#stage .stage__title")).to_have_text(words)
    control.locator("body").press("PageUp")
    expect(control.locator("#current .current__title")).to_have_text("Bienvenue")

    # The primary controls stay in view however far the panel is scrolled.
    for width, height in ((1366, 768), (1440, 900)):
        control.set_viewport_size({"width": width, "height": height})
        control.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert control.evaluate("window.scrollY") > 200
        for key in ("next", "previous", "blank"):
            expect(control.locator(f'[data-key="{key}"]')).to_be_in_viewport()
    shot(control, "panel-scrolled-1440x900")
    control.set_viewport_size({"width": 1366, "height": 768})

    # The countdown restarts with each activity, from the activity's own duration.
    control.locator("body").press("Space")  # Bienvenue: 10 min
    timer = control.locator("#timer")
    expect(timer).to_have_attribute("data-running", "1")
    assert 590 <= int(timer.get_attribute("data-remaining")) <= 600
    control.locator("body").press("PageDown")  # the word cloud: 8 min
    expect(control.locator("#current .current__title")).to_have_text(words)
    expect(timer).to_have_attribute("data-running", "1")
    assert 470 <= int(timer.get_attribute("data-remaining")) <= 480
    expect(screen.locator("#timer")).to_have_attribute("data-running", "1")
    assert 470 <= int(screen.locator("#timer").get_attribute("data-remaining")) <= 480
    control.locator("body").press("PageDown")  # a talk of 5 min
    expect(control.locator("#current .current__title")).to_have_text(
        "Prendre du recul sur le discours habituel"
    )
    assert 290 <= int(timer.get_attribute("data-remaining")) <= 300

    # B and "." blank the wall and bring it back.
    blank = screen.locator("[data-blank]")
    expect(blank).to_be_hidden()
    control.locator("body").press("b")
    expect(blank).to_be_visible()
    expect(control.locator('[data-key="blank"]')).to_have_attribute("aria-pressed", "true")
    shot(screen, "wall-blanked")
    control.locator("body").press(".")
    expect(blank).to_be_hidden()

    # A test phone removed from the panel leaves the counts of the panel and the wall.
    control.locator("details.people summary").click()
    row = control.locator(".people__row", has_text="Karim Benali")
    control.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Retirer").click()
    expect(control.locator("#presence")).to_have_attribute("data-joined", "1")
    expect(control.locator(".people__row")).to_have_count(1)
    expect(control.locator("details.people")).to_have_attribute("open", "")
    expect(screen.locator("#presence")).to_have_text("1 participant")
    # ... and one marked absent is no longer counted, but stays listed.
    control.locator(".people__row", has_text="Léa Martin").get_by_role(
        "button", name="Absent"
    ).click()
    expect(control.locator("#presence")).to_have_attribute("data-joined", "0")
    expect(control.locator("#presence")).to_have_attribute("data-absent", "1")
    expect(screen.locator("#presence")).to_have_text("0 participant")

    # At zero the wall says that time is up.
    manage(
        env,
        "shell",
        "-c",
        "import datetime as dt; from django.utils import timezone; "
        "from workshops.models import Rencontre; "
        f"Rencontre.objects.filter(code='{demo['code']}').update("
        "timer_ends_at=timezone.now() + dt.timedelta(seconds=2), timer_remaining=None)",
    )
    screen.reload()
    expect(screen.locator(".screen-timeup")).to_be_visible(timeout=15_000)
    expect(screen.locator(".screen-timeup")).to_have_text("Temps écoulé")
    shot(screen, "wall-time-up")
    for page in phones:
        page.context.close()
    fac.close()


def test_the_read_only_wall_link_opens_the_wall_and_revoking_it_closes_it(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    fac, control, _screen = open_room(browser, server.url, demo)
    control.bring_to_front()
    control.get_by_role("button", name="Créer un lien d'écran").click()
    link = control.locator("[data-screen-link]")
    expect(link).to_be_visible()
    url = link.get_attribute("href")
    assert urlsplit(url).path.startswith(f"/ecran/{demo['code']}/")

    room_pc = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    wall = room_pc.new_page()
    wall.goto(url)
    expect(wall.locator("#stage .stage__title")).to_have_text("Bienvenue")
    control.locator("body").press("ArrowRight")  # the socket follows the session
    expect(wall.locator("#stage .stage__title")).to_have_text(
        "En un mot : l'industrie de notre territoire aujourd'hui"
    )
    expect(wall.locator("#connection")).to_be_hidden()
    wall.goto(server.url + urlsplit(demo["control_url"]).path)
    assert urlsplit(wall.url).path == "/comptes/connexion/"  # the panel still wants a login
    wall.goto(url)
    expect(wall.locator("#stage .stage__title")).to_have_text(
        "En un mot : l'industrie de notre territoire aujourd'hui"
    )

    control.get_by_role("button", name="Révoquer le lien").click()
    expect(control.get_by_role("button", name="Créer un lien d'écran")).to_be_visible()
    expect(wall.locator(".connection__denied")).to_be_visible()
    assert wall.goto(url).status == 404
    room_pc.close()
    fac.close()


# ---------------------------------------------------------------- a whole half-day


def _answer(page: Page, kind: str, i: int) -> None:
    """One phone answers the current activity as a participant would."""
    stage = page.locator("#stage")
    if kind == "words":
        page.get_by_label("Mot ou expression 1").fill(["Énergie", "Savoir-faire", "Usine"][i])
        page.get_by_role("button", name="Envoyer").click()
        expect(page.locator(".saved")).to_contain_text("Réponse enregistrée")
    elif kind == "scale":
        level = ["Plutôt d'accord", "Tout à fait d'accord", "Plutôt pas d'accord"][i]
        button = page.locator(".scale").first.get_by_role("button", name=level, exact=True)
        button.click()
        expect(page.locator(".scale").first.locator(".is-selected")).to_have_text(level)
    elif kind == "poll":
        choice = stage.locator("button.choice").nth(i)
        choice.click()
        expect(stage.locator("button.choice").nth(i)).to_have_attribute("aria-pressed", "true")
    elif kind == "question":
        page.get_by_label("Votre réponse").fill(f"La reprise du site de Cluses, vue par {i}")
        page.get_by_role("button", name="Envoyer").click()
        expect(page.locator(".saved")).to_contain_text("Réponse enregistrée")
    elif kind == "ranking":
        for place in (1, 2, 3):
            page.get_by_label(f"Place {place}").select_option(index=(place + i) % 3 + 1)
        page.get_by_role("button", name="Envoyer mon classement").click()
        expect(page.locator(".saved")).to_contain_text("Réponse enregistrée")
    elif kind == "filiere_map":
        page.get_by_label("Entreprise locomotive").fill(["Somfy", "Mecalac", "Somfy"][i])
        page.get_by_label("Filière").select_option(index=1)
        page.get_by_label("Un partenaire local").fill(f"Décolletage {i}")
        page.get_by_label("Sa relation avec la locomotive").select_option(index=1)
        page.get_by_role("button", name="Ajouter à la carte").click()
        expect(page.locator(".saved")).to_contain_text("Ajouté à la carte")
    elif kind == "priority":
        page.get_by_label("Filière", exact=True).select_option(index=1)
        # the autosave of the sentence itself answered (the choice of filière saved first)
        with page.expect_response(
            lambda r: "/enregistrer/" in r.url and "emplois" in (r.request.post_data or "")
        ):
            page.get_by_label("Ma priorité, en une phrase").fill(
                f"Créer {30 + i} emplois de techniciens dans la filière d'ici 2028"
            )
        expect(page.locator("#save-1")).to_contain_text("Enregistré")
    elif kind == "actions":
        for j in range(2):
            page.get_by_label("L'action").fill(f"Action {j + 1} du participant {i}")
            page.get_by_label("Dans une semaine").check()
            page.get_by_role("button", name="Enregistrer l'action").click()
            expect(page.locator(".my-action")).to_have_count(j + 1)


def test_zero_console_errors_over_every_activity_with_three_phones(browser, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    manage(env, "demo_territory")
    errors: list[str] = []
    fac, control, screen = open_room(browser, server.url, demo)
    for page in (control, screen):
        _watch_console(page, errors)
    phones = phones_join(browser, demo["join_url"], PEOPLE)
    for page in phones:
        _watch_console(page, errors)
        expect(page.locator("#stage .stage__title")).to_have_text("Bienvenue")
    kinds = manage(
        env,
        "shell",
        "-c",
        "from workshops.models import Activity\n"
        f"for a in Activity.objects.filter(step__rencontre__code='{demo['code']}')"
        ".order_by('step__position', 'position'): print(a.kind, a.title, sep='\\t')",
    )
    agenda = [line.split("\t", 1) for line in kinds.strip().splitlines() if "\t" in line]
    assert len(agenda) >= 16
    control.bring_to_front()
    control.locator("body").press("Space")  # the facilitator keeps time all along
    for index, (kind, title) in enumerate(agenda):
        if index:
            control.locator("body").press("PageDown")
        expect(control.locator("#current .current__title")).to_have_text(title)
        for page in phones:
            expect(page.locator("#stage .stage__title")).to_have_text(title)
        if kind == "tables":
            control.locator("select[name=mode]").select_option("mixed")
            control.locator("input[name=size]").fill("3")
            control.get_by_role("button", name="Former les tables").click()
            for page in phones:
                expect(page.locator(".table-number")).to_contain_text("Table")
            control.evaluate("document.activeElement.blur()")  # keys again, not typing
        for i, page in enumerate(phones):
            _answer(page, kind, i)
        if kind == "actions":
            phones[1].get_by_role("button", name="Actualiser").click()
            phones[1].locator(".other-action", has_text="Action 1 du participant 0").get_by_role(
                "button"
            ).first.click()
        reveal = control.locator('[data-key="reveal"]')
        if reveal.count():
            control.locator("body").press("r")  # hide, then reveal again
            expect(reveal).to_have_text("Révéler les résultats")
            control.locator("body").press("r")
            expect(reveal).to_have_text("Masquer les résultats à l'écran")
        if control.locator('[data-key="open"]').count():
            control.locator("body").press("o")  # close answers, then reopen them
            expect(control.locator('[data-key="open"]')).to_have_text("Rouvrir les réponses")
            control.locator("body").press("o")
            expect(control.locator('[data-key="open"]')).to_have_text("Fermer les réponses")
        control.locator("body").press("b")
        expect(control.locator('[data-key="blank"]')).to_have_attribute("aria-pressed", "true")
        expect(screen.locator("[data-blank]")).to_be_visible()
        control.locator("body").press("b")
        expect(control.locator('[data-key="blank"]')).to_have_attribute("aria-pressed", "false")
        expect(screen.locator("[data-blank]")).to_be_hidden()
    shot(control, "half-day-control-end")
    shot(screen, "half-day-screen-end")
    # Let late replies and pushes land before counting.
    control.wait_for_timeout(1500)
    assert sorted(set(errors)) == [], len(errors)
    for page in phones:
        page.context.close()
    fac.close()


# ---------------------------------------------------------------- make demo on the network


def test_make_demo_serves_the_local_network_and_its_qr_code_reaches_it(browser, zbarimg, tmp_path):
    address = lan_address()
    if address is None:
        pytest.skip("no interface but the loopback: tests/workshops/test_panel.py covers it")
    port = free_port()
    env = server_env(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", PORT=str(port))
    for name in ("ALLOWED_HOSTS", "PUBLIC_URL", "CSRF_TRUSTED_ORIGINS"):
        env.pop(name, None)
    log_path = tmp_path / "make-demo.log"
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "demo", f"PORT={port}", "FRESH=1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        join_url = _wait_for_demo(make, log_path, port)
        host = urlsplit(join_url).hostname
        assert host == address
        assert not host.startswith("127.")
        demo = {
            "code": urlsplit(join_url).path.rsplit("/", 1)[1],
            "control_url": f"http://{host}:{port}/animer/"
            + urlsplit(join_url).path.rsplit("/", 1)[1]
            + "/",
            "screen_url": f"http://{host}:{port}/animer/"
            + urlsplit(join_url).path.rsplit("/", 1)[1]
            + "/ecran/",
            "username": "animateur",
            "password": "rencontres-demo",
        }
        fac = browser.new_context(viewport={"width": 1366, "height": 850}, locale="fr-FR")
        control = fac.new_page()
        login(control, f"http://127.0.0.1:{port}", demo)  # the laptop opens it locally
        screen = fac.new_page()
        screen.set_viewport_size({"width": 1280, "height": 720})
        screen.goto(f"http://127.0.0.1:{port}/animer/{demo['code']}/ecran/")
        expect(screen.locator(".qr-panel")).to_be_visible()
        scanned = decode_qr(shot(screen, "demo-lan-qr"), zbarimg)
        assert scanned == join_url  # the LAN address, though the wall was opened on 127.0.0.1
        # Served to the network: listening on every interface, and the join page answers a
        # phone that asks for the LAN address. Requests stay on the loopback (this machine's
        # tests send nothing to another address): the LAN host goes in the Host header.
        assert listening_on_all_interfaces(port)
        lan_path = urlsplit(scanned).path
        answer = httpx.get(
            f"http://127.0.0.1:{port}{lan_path}", headers={"Host": f"{host}:{port}"}, timeout=10
        )
        assert (answer.status_code, "Rejoindre" in answer.text) == (200, True)
        phone_context = browser.new_context(
            **browser.playwright.devices["iPhone 13"], locale="fr-FR"
        )
        phone = phone_context.new_page()
        join(phone, f"http://127.0.0.1:{port}{lan_path}", *PEOPLE[0])
        expect(phone.locator("#stage .stage__title")).to_have_text("Bienvenue")
        expect(control.locator("#presence")).to_have_attribute("data-connected", "1")
        phone_context.close()
        fac.close()
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        try:
            make.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait(timeout=5)
    output = log_path.read_text()
    assert "csrf_token" not in output, output  # demo_territory and the pushes warn no more


def listening_on_all_interfaces(port: int) -> bool:
    """Whether a socket listens on 0.0.0.0:`port` (read from /proc/net/tcp, LISTEN is 0A)."""
    wanted = f"00000000:{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted and fields[3] == "0A":
            return True
    return False


def _wait_for_demo(make: subprocess.Popen, log_path: Path, port: int) -> str:
    """The join URL `make demo` printed, once its server answers."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if make.poll() is not None:
            raise RuntimeError(f"make demo exited: {log_path.read_text()[-3000:]}")
        text = log_path.read_text()
        found = re.search(r"Participants\s+:\s+(\S+)", text)
        if found and "Uvicorn running" in text:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return found.group(1)
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    raise RuntimeError(f"make demo did not answer: {log_path.read_text()[-3000:]}")
