"""Availability and HTTP hardening: a broken channel layer never turns a saved write into an
error, ghosts are not seated, throttles, Content-Security-Policy, socket origins, proxy
headers, and the demo command on an existing database."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from priorities import services as p_services
from priorities.models import Seat
from rencontres import middleware
from rencontres.asgi import application
from tests.conftest import free_port
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import selectors
from workshops.models import Activity, Answer, Participant, Rencontre

JOIN = {"name": "Nadia", "organisation": "Ville", "actor_type": "collectivite"}


# ---------------------------------------------------------------- channel layer down


@pytest.fixture
def dead_layer(settings):
    """The production layer class, pointed at a Redis that is not there: every send fails."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }


@pytest.mark.django_db(transaction=True)
def test_writes_answer_normally_when_the_channel_layer_is_down(dead_layer, caplog):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    phone = Client()
    with caplog.at_level(logging.ERROR, logger="workshops.live"):
        joined = phone.post(f"/j/{rencontre.code}", JOIN)
    assert joined.status_code == 303
    assert joined["Location"] == f"/j/{rencontre.code}"
    assert f"rp{rencontre.pk}" in joined.cookies
    assert Participant.objects.filter(rencontre=rencontre).count() == 1
    assert f"Live refresh for rencontre {rencontre.pk} not sent" in caplog.text

    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    Rencontre.objects.filter(pk=rencontre.pk).update(current_activity=poll)
    answered = phone.post(
        reverse("workshops:phone_command", args=[rencontre.code, poll.pk, "repondre"]),
        {"choice": "c1"},
    )
    assert answered.status_code == 200
    assert Answer.objects.get(activity=poll).data == {"choices": ["c1"]}

    facilitator = Client()
    facilitator.force_login(user)
    moved = facilitator.post(
        reverse("workshops:activity_next", args=[rencontre.code]),
        {"expected": poll.pk},
        HTTP_HX_REQUEST="true",
    )
    assert moved.status_code == 200
    rencontre.refresh_from_db()
    following = Activity.objects.filter(step__rencontre=rencontre)
    ids = [a.pk for a in following]
    assert rencontre.current_activity_id == ids[ids.index(poll.pk) + 1]


# ---------------------------------------------------------------- presence


@pytest.mark.django_db
def test_tables_are_formed_from_present_participants_not_ghosts():
    rencontre = make_rencontre()
    now = timezone.now()
    present = ParticipantFactory.create_batch(4, rencontre=rencontre, sockets=1, last_seen=now)
    ghosts = ParticipantFactory.create_batch(
        3,
        rencontre=rencontre,
        sockets=1,
        last_seen=now - dt.timedelta(seconds=selectors.PRESENCE_TIMEOUT_SECONDS + 60),
    )
    p_services.tables_form(rencontre=rencontre, mode="mixed", size=4, seed=1)
    seated = set(
        Seat.objects.filter(table__rencontre=rencontre).values_list("participant_id", flat=True)
    )
    assert seated == {p.pk for p in present}
    assert selectors.presence(rencontre) == {"joined": 7, "connected": 4}
    del ghosts


# ---------------------------------------------------------------- throttles


@pytest.mark.django_db
def test_login_is_throttled_per_account_with_a_french_page(caplog):
    UserFactory(username="camille")
    client = Client()
    for _ in range(middleware.LOGIN_PER_ACCOUNT.count):
        failed = client.post(reverse("login"), {"username": "camille", "password": "faux"})
        assert failed.status_code == 200
    with caplog.at_level(logging.WARNING, logger="rencontres.security"):
        blocked = Client().post(reverse("login"), {"username": "Camille", "password": "faux"})
    assert blocked.status_code == 429
    assert "Trop de tentatives." in blocked.content.decode()
    assert "réessayez dans 15 minutes" in blocked.content.decode()
    assert blocked["Retry-After"] == str(middleware.LOGIN_PER_ACCOUNT.seconds)
    assert "Throttled login-account: camille from 127.0.0.1" in caplog.text
    # Another account from another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post(reverse("login"), {"username": "dominique", "password": "x"}).status_code == 200
    )


@pytest.mark.django_db
def test_login_is_throttled_per_address_across_accounts():
    client = Client(REMOTE_ADDR="10.0.0.7")
    for i in range(middleware.LOGIN_PER_IP.count):
        assert (
            client.post(reverse("login"), {"username": f"u{i}", "password": "x"}).status_code == 200
        )
    assert client.post(reverse("login"), {"username": "new", "password": "x"}).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.8").get(reverse("login")).status_code == 200


@pytest.mark.django_db
def test_a_successful_login_clears_the_account_counter():
    user = UserFactory(username="sacha")
    user.set_password("bon-mot-de-passe-42")
    user.save()
    client = Client()
    for _ in range(middleware.LOGIN_PER_ACCOUNT.count - 1):
        client.post(reverse("login"), {"username": "sacha", "password": "faux"})
    ok = client.post(reverse("login"), {"username": "sacha", "password": "bon-mot-de-passe-42"})
    assert ok.status_code == 302
    client.logout()
    assert (
        client.post(reverse("login"), {"username": "sacha", "password": "faux"}).status_code == 200
    )


@pytest.mark.django_db
def test_enumerating_join_codes_is_throttled_per_address(caplog):
    rencontre = make_rencontre()
    client = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(middleware.UNKNOWN_CODES_PER_IP.count):
        assert client.get(f"/j/ZZZZ{i:02d}").status_code == 404
    with caplog.at_level(logging.WARNING, logger="rencontres.security"):
        blocked = client.get(f"/j/{rencontre.code}")
    assert blocked.status_code == 429
    assert "Trop de tentatives." in blocked.content.decode()
    assert "Throttled join-unknown-code-ip: 10.1.1.1 from 10.1.1.1" in caplog.text
    # The room, at other addresses, still joins.
    assert Client(REMOTE_ADDR="10.1.1.2").post(f"/j/{rencontre.code}", JOIN).status_code == 303


@pytest.mark.services
@pytest.mark.django_db
def test_throttles_are_shared_through_redis_when_configured(settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"rencontres-test-{free_port()}",
        }
    }
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
    rencontre = make_rencontre()
    for i in range(middleware.UNKNOWN_CODES_PER_IP.count):
        assert Client(REMOTE_ADDR="10.2.2.2").get(f"/j/ZZZZ{i:02d}").status_code == 404
    assert Client(REMOTE_ADDR="10.2.2.2").get(f"/j/{rencontre.code}").status_code == 429
    # The keys expire with their window (never clear(): it would empty the shared database).


@pytest.mark.django_db
def test_joins_per_address_are_capped(settings):
    settings.THROTTLE_JOINS_PER_IP = 3
    rencontre = make_rencontre()
    for _ in range(3):
        assert Client().post(f"/j/{rencontre.code}", JOIN).status_code == 303
    assert Client().post(f"/j/{rencontre.code}", JOIN).status_code == 429
    assert Participant.objects.filter(rencontre=rencontre).count() == 3


@pytest.mark.django_db
def test_forwarded_for_is_ignored_without_a_declared_proxy(settings):
    rencontre = make_rencontre()
    for i in range(middleware.UNKNOWN_CODES_PER_IP.count):
        # A client rotating a forged header is still one address.
        Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").get(f"/j/ZZZZ{i:02d}")
    assert Client(HTTP_X_FORWARDED_FOR="192.0.2.200").get(f"/j/{rencontre.code}").status_code == 429
    settings.BEHIND_PROXY = True
    assert Client(HTTP_X_FORWARDED_FOR="192.0.2.200").get(f"/j/{rencontre.code}").status_code == 200


# ---------------------------------------------------------------- CSP, proxy, origins

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.django_db
def test_pages_carry_a_csp_and_no_inline_script():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    phone = Client()
    phone.post(f"/j/{rencontre.code}", JOIN)
    facilitator = Client()
    facilitator.force_login(user)
    pages = [
        (Client(), "/j/"),
        (Client(), f"/j/{rencontre.code}"),
        (Client(), reverse("login")),
        (phone, f"/j/{rencontre.code}"),
        (facilitator, reverse("workshops:home")),
        (facilitator, reverse("workshops:control", args=[rencontre.code])),
        (facilitator, reverse("workshops:screen", args=[rencontre.code])),
        (facilitator, reverse("workshops:agenda_edit", args=[rencontre.code])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self';" in csp
        assert "frame-ancestors 'none'" in csp
        assert "connect-src 'self' ws://testserver;" in csp
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], url
        assert INLINE_HANDLER.findall(html) == [], url


def test_proxy_header_setting_follows_the_environment(monkeypatch):
    """X-Forwarded-Proto says "HTTPS" only when BEHIND_PROXY declares a proxy in front."""
    import importlib

    from rencontres import settings as project_settings

    monkeypatch.delenv("BEHIND_PROXY", raising=False)
    assert importlib.reload(project_settings).SECURE_PROXY_SSL_HEADER is None
    monkeypatch.setenv("BEHIND_PROXY", "1")
    assert importlib.reload(project_settings).SECURE_PROXY_SSL_HEADER == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )
    monkeypatch.delenv("BEHIND_PROXY")
    importlib.reload(project_settings)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        ("http://testserver", "testserver", True),
        ("http://testserver:80", "testserver", True),
        ("http://testserver:8000", "testserver:8000", True),
        ("http://testserver:8001", "testserver:8000", False),  # another port
        ("https://testserver", "testserver", False),  # another scheme
        ("http://testserver", "testserver:8000", False),
        ("http://evil.example.org", "evil.example.org", False),  # host not allowed
        ("null", "testserver", False),
    ],
)
async def test_socket_origin_must_match_scheme_host_and_port(origin, host, accepted):
    from channels.db import database_sync_to_async

    rencontre = await database_sync_to_async(make_rencontre)()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/p/{rencontre.code}/",
        headers=[(b"origin", origin.encode()), (b"host", host.encode())],
    )
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()


# ---------------------------------------------------------------- demo command


@pytest.mark.django_db
def test_demo_keeps_an_existing_facilitator_password_unless_told():
    import json

    user = get_user_model().objects.create_user("animateur", password="un-vrai-secret-2027")
    out = io.StringIO()
    call_command("demo", "--json", stdout=out)
    assert json.loads(out.getvalue())["password"] is None
    user.refresh_from_db()
    assert user.check_password("un-vrai-secret-2027")
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "inchangé (--reset-password remet celui de la démo)" in out.getvalue()
    out = io.StringIO()
    call_command("demo", "--json", "--reset-password", stdout=out)
    assert json.loads(out.getvalue())["password"] == "rencontres-demo"
    user.refresh_from_db()
    assert user.check_password("rencontres-demo")


# ---------------------------------------------------------------- a real flood, under daphne


async def _flood_then_probe(base: str, code: str) -> tuple[bool, str]:
    import websockets

    from tests.test_scale_out import join

    abuser, other, big = (
        await join(base, code, 1),
        await join(base, code, 2),
        await join(base, code, 3),
    )
    ws_url = base.replace("http", "ws") + f"/ws/p/{code}/"

    async def open_socket(client):
        cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return await websockets.connect(
            ws_url, additional_headers={"Cookie": cookies, "Origin": base}
        )

    ws = await open_socket(abuser)
    await ws.recv()
    closed = False
    try:
        for _ in range(20000):
            await ws.send("x")
        # Without a limit every frame is answered with the whole state: this never ends.
        while True:
            await asyncio.wait_for(ws.recv(), 20)
    except websockets.ConnectionClosed:
        closed = True
    ws = await open_socket(big)
    await ws.recv()
    await ws.send("x" * 1_000_000)  # refused from its header, never buffered whole
    with pytest.raises(websockets.ConnectionClosed) as refused:
        await asyncio.wait_for(ws.recv(), 20)
    assert refused.value.rcvd is None  # dropped, no closing handshake
    probe = await open_socket(other)
    state = await asyncio.wait_for(probe.recv(), 20)
    await probe.close()
    for client in (abuser, other, big):
        await client.aclose()
    return closed, state


@pytest.mark.live
def test_flooding_and_oversize_sockets_are_cut_and_another_phone_still_gets_its_state(
    sqlite_server,
):
    from tests.browser.scenario import demo_json

    server, env = sqlite_server
    demo = demo_json(env, server.url)
    # In a thread of its own: the browser tests may leave an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        closed, state = pool.submit(
            asyncio.run, _flood_then_probe(server.url, demo["code"])
        ).result()
    assert closed
    assert 'id="stage"' in state
    server.stop()
    log = server.log.read_text()
    assert "dropped: frame flood" in log
    assert "dropped: oversize message" in log
