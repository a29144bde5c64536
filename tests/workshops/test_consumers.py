from __future__ import annotations

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone

from plenary import services as plenary_services
from rencontres.asgi import application
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import consumers, selectors, services
from workshops.models import Activity, Participant, Rencontre
from workshops.templatetags.typo import fr

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


def cookie_header(client: Client) -> tuple[bytes, bytes]:
    return (b"cookie", "; ".join(f"{k}={v.value}" for k, v in client.cookies.items()).encode())


@database_sync_to_async
def setup_rencontre():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    facilitator = Client()
    facilitator.force_login(user)
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}",
        {"name": "Léa", "organisation": "Région", "actor_type": "collectivite"},
    )
    return rencontre, facilitator, phone


async def connect(path: str, *headers) -> tuple[WebsocketCommunicator, str | None]:
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, *headers])
    connected, _ = await communicator.connect()
    assert connected
    message = await communicator.receive_output(timeout=3)
    if message["type"] == "websocket.close":
        return communicator, None
    return communicator, message["text"]


async def test_every_role_receives_the_full_state_on_connect():
    rencontre, facilitator, phone = await setup_rencontre()
    first = await database_sync_to_async(lambda: rencontre.current_activity.title)()
    ws_phone, html = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    assert 'id="stage"' in html
    assert 'hx-swap-oob="true"' in html
    assert first in html
    ws_screen, html = await connect(f"/ws/ecran/{rencontre.code}/", cookie_header(facilitator))
    assert 'id="qr-flag"' in html
    assert 'data-joined="1"' in html
    ws_control, html = await connect(f"/ws/animer/{rencontre.code}/", cookie_header(facilitator))
    assert 'id="agenda"' in html
    for ws in (ws_phone, ws_screen, ws_control):
        await ws.disconnect()


async def test_activity_change_reaches_phones_and_screen_once_rendered():
    rencontre, facilitator, phone = await setup_rencontre()
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    ws_screen, _ = await connect(f"/ws/ecran/{rencontre.code}/", cookie_header(facilitator))
    second = await database_sync_to_async(
        lambda: Activity.objects.filter(step__rencontre=rencontre)[1]
    )()
    moved = await database_sync_to_async(services.activity_step)(
        rencontre=rencontre, expected_id=rencontre.current_activity_id, offset=1
    )
    assert moved
    phone_html = await ws_phone.receive_from(timeout=3)
    screen_html = await ws_screen.receive_from(timeout=3)
    assert f'data-activity="{second.pk}"' in phone_html
    assert fr(second.title) in phone_html
    assert f'data-activity="{second.pk}"' in screen_html
    assert 'id="qr-flag" hx-swap-oob="true" data-visible="0"' in screen_html
    # phones never get the screen's parts
    assert 'id="presence"' not in phone_html
    await ws_phone.disconnect()
    await ws_screen.disconnect()


async def test_phone_socket_counts_as_connected_until_it_closes():
    rencontre, _facilitator, phone = await setup_rencontre()
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    sockets = await database_sync_to_async(
        lambda: Participant.objects.get(rencontre=rencontre).sockets
    )()
    assert sockets == 1
    await ws_phone.disconnect()
    sockets = await database_sync_to_async(
        lambda: Participant.objects.get(rencontre=rencontre).sockets
    )()
    assert sockets == 0


async def test_participant_socket_of_another_rencontre_is_refused():
    rencontre, _facilitator, phone = await setup_rencontre()
    other = await database_sync_to_async(make_rencontre)()
    ws, html = await connect(f"/ws/p/{other.code}/", cookie_header(phone))
    assert html is None
    await ws.disconnect()
    del rencontre


async def test_anonymous_and_foreign_facilitator_control_sockets_are_refused():
    rencontre, _facilitator, phone = await setup_rencontre()
    stranger = Client()
    await database_sync_to_async(stranger.force_login)(await database_sync_to_async(UserFactory)())
    for client in (Client(), phone, stranger):
        for path in (f"/ws/animer/{rencontre.code}/", f"/ws/ecran/{rencontre.code}/"):
            ws, html = await connect(path, cookie_header(client))
            assert html is None, path
            await ws.disconnect()


async def test_socket_from_a_foreign_origin_is_refused():
    rencontre, _facilitator, phone = await setup_rencontre()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/p/{rencontre.code}/",
        headers=[(b"origin", b"http://evil.example.org"), HOST, cookie_header(phone)],
    )
    connected, _ = await communicator.connect()
    assert connected is False


async def test_burst_of_refreshes_is_coalesced_into_few_renders():
    rencontre, facilitator, _phone = await setup_rencontre()
    ws_screen, _ = await connect(f"/ws/ecran/{rencontre.code}/", cookie_header(facilitator))

    @database_sync_to_async
    def many_joins():
        for i in range(30):
            services.participant_join(
                rencontre=rencontre,
                name=f"P{i}",
                organisation="X",
                actor_type="autre",
                listed=False,
            )

    await many_joins()
    html = await ws_screen.receive_from(timeout=3)
    assert 'data-joined="31"' in html
    assert await ws_screen.receive_nothing(timeout=0.6)
    await ws_screen.disconnect()


async def drain(ws: WebsocketCommunicator, quiet: float = 0.8) -> list[str]:
    """Every message until the socket stays quiet for `quiet` seconds."""
    messages = []
    while not await ws.receive_nothing(timeout=quiet):
        messages.append(await ws.receive_from())
    return messages


async def test_answer_posted_by_http_updates_the_screen_results():
    rencontre, facilitator, phone = await setup_rencontre()
    poll = await database_sync_to_async(
        lambda: Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    )()
    await database_sync_to_async(services.activity_goto)(rencontre=rencontre, activity_id=poll.pk)
    ws_screen, html = await connect(f"/ws/ecran/{rencontre.code}/", cookie_header(facilitator))
    assert 'data-answers="0"' in html
    response = await database_sync_to_async(phone.post)(
        f"/j/{rencontre.code}/a/{poll.pk}/repondre/", {"choice": "c2"}
    )
    assert response.status_code == 200
    pushed = await ws_screen.receive_from(timeout=3)
    assert 'data-answers="1"' in pushed
    assert "1 · 100" in pushed
    await ws_screen.disconnect()


async def test_a_burst_of_300_answers_ends_in_exact_totals_with_coalesced_renders():
    rencontre, facilitator, _phone = await setup_rencontre()

    @database_sync_to_async
    def prepare():
        from tests.factories import ParticipantFactory

        poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").last()
        services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
        poll.refresh_from_db()
        return poll, ParticipantFactory.create_batch(300, rencontre=rencontre)

    poll, people = await prepare()
    choices = [c["id"] for c in poll.config["choices"]]
    ws_screen, _ = await connect(f"/ws/ecran/{rencontre.code}/", cookie_header(facilitator))
    await drain(ws_screen, quiet=0.5)

    @database_sync_to_async
    def burst():
        for i, person in enumerate(people):
            plenary_services.poll_answer_submit(
                activity=poll, participant=person, choice=choices[i % len(choices)], other=""
            )

    await burst()
    messages = await drain(ws_screen)
    assert 0 < len(messages) < 60  # coalesced, not one render per answer
    last = messages[-1]
    assert 'data-answers="300"' in last
    expected = [
        300 // len(choices) + (1 if i < 300 % len(choices) else 0) for i in range(len(choices))
    ]
    for count in expected:
        assert f">{count} · " in last
    await ws_screen.disconnect()


@pytest.fixture
def renders():
    """Every template rendered while the test runs (Django's test instrumentation)."""
    seen: list[str] = []

    def record(sender, template, context, **kwargs):
        seen.append(template.name)

    template_rendered.connect(record)
    yield seen
    template_rendered.disconnect(record)


async def test_frames_other_than_a_ping_render_nothing_and_a_flood_is_closed(renders):
    rencontre, _facilitator, phone = await setup_rencontre()
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    renders.clear()
    for frame in ("hello", '{"ping": 1}', "x" * 1000, "ping", "ping", "ping"):
        await ws_phone.send_to(text_data=frame)
    await ws_phone.send_to(bytes_data=b"\x00" * 100)
    # An unchanged state: a ping is answered with nothing, and nothing is rendered.
    assert await ws_phone.receive_nothing(timeout=0.3)
    assert renders == []
    for _ in range(consumers.MAX_FRAMES):
        await ws_phone.send_to(text_data="ping")
    closed = await ws_phone.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_TOO_MANY}
    assert renders == []
    # Another phone of the room still gets its state at once.
    other = Client()
    await database_sync_to_async(other.post)(
        f"/j/{rencontre.code}",
        {"name": "Marc", "organisation": "CCI", "actor_type": "entreprise"},
    )
    ws_other, html = await connect(f"/ws/p/{rencontre.code}/", cookie_header(other))
    assert 'id="stage"' in html
    await ws_other.disconnect()
    await ws_phone.wait()


async def test_ping_sends_the_full_state_only_when_a_push_was_missed():
    rencontre, facilitator, phone = await setup_rencontre()
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    ws_screen, _ = await connect(f"/ws/ecran/{rencontre.code}/", cookie_header(facilitator))
    ws_quiet, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    await drain(ws_screen, quiet=1.0)  # the phones' arrival refreshes the screen's count
    await ws_quiet.send_to(text_data="ping")
    assert await ws_quiet.receive_nothing(timeout=0.3)  # up to date: no answer

    @database_sync_to_async
    def move_without_push():
        # What a move committed while the channel layer was down leaves behind: the database
        # moved on, no push reached the sockets.
        second = Activity.objects.filter(step__rencontre=rencontre)[1]
        Rencontre.objects.filter(pk=rencontre.pk).update(current_activity=second)
        return second

    second = await move_without_push()
    assert await ws_phone.receive_nothing(timeout=0.1)
    await ws_phone.send_to(text_data="ping")
    await ws_screen.send_to(text_data="ping")
    phone_html = await ws_phone.receive_from(timeout=3)
    screen_html = await ws_screen.receive_from(timeout=3)
    assert f'data-activity="{second.pk}"' in phone_html
    assert f'data-activity="{second.pk}"' in screen_html
    for ws in (ws_phone, ws_screen, ws_quiet):
        await ws.disconnect()


async def test_a_phone_unseen_for_too_long_is_no_longer_connected():
    rencontre, _facilitator, phone = await setup_rencontre()
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))

    @database_sync_to_async
    def presence():
        return selectors.presence(rencontre)

    assert await presence() == {"joined": 1, "connected": 1}

    @database_sync_to_async
    def server_killed_long_ago():
        # A kill -9 leaves the socket counted; only its last sighting ages.
        old = timezone.now() - dt.timedelta(seconds=selectors.PRESENCE_TIMEOUT_SECONDS + 1)
        Participant.objects.filter(rencontre=rencontre).update(last_seen=old)

    await server_killed_long_ago()
    assert await presence() == {"joined": 1, "connected": 0}
    await ws_phone.disconnect()


async def test_first_socket_of_a_lone_process_forgets_ghost_sockets(monkeypatch):
    rencontre, _facilitator, phone = await setup_rencontre()

    @database_sync_to_async
    def ghosts():
        # Left by a crashed run: counted as open, seen a moment ago.
        ParticipantFactory.create_batch(3, rencontre=rencontre, sockets=2, last_seen=timezone.now())
        return selectors.presence(rencontre)

    assert await ghosts() == {"joined": 4, "connected": 3}
    monkeypatch.setattr(consumers, "_presence_reset_done", False)  # a freshly started process
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    counts = await database_sync_to_async(selectors.presence)(rencontre)
    assert counts == {"joined": 4, "connected": 1}
    await ws_phone.disconnect()


async def test_a_phone_reconnecting_in_a_loop_is_refused_without_a_render(renders):
    rencontre, _facilitator, phone = await setup_rencontre()
    for _ in range(consumers.CONNECTS_PER_MINUTE):
        ws, html = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
        assert 'id="stage"' in html
        await ws.disconnect()
    renders.clear()
    communicator = WebsocketCommunicator(
        application, f"/ws/p/{rencontre.code}/", headers=[ORIGIN, HOST, cookie_header(phone)]
    )
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_TOO_MANY}
    assert renders == []
    sockets = await database_sync_to_async(
        lambda: Participant.objects.get(rencontre=rencontre).sockets
    )()
    assert sockets == 0


async def test_a_change_phones_do_not_show_does_not_resend_their_state_on_ping():
    rencontre, _facilitator, phone = await setup_rencontre()
    ws_phone, _ = await connect(f"/ws/p/{rencontre.code}/", cookie_header(phone))
    # Hiding results on the wall is pushed to the screen and panel only.
    await database_sync_to_async(services.activity_results_set_hidden)(
        rencontre=rencontre, hidden=True
    )
    await ws_phone.send_to(text_data="ping")
    assert await ws_phone.receive_nothing(timeout=0.5)  # what the phone shows is up to date
    await ws_phone.disconnect()
