"""The panel a facilitator drives blind, the wall a room PC opens, the demo on real phones."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from rencontres.asgi import application
from tests.conftest import ROOT, server_env
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import kinds, rendering, selectors, services
from workshops.management.commands.demo import DEMO_TITLE, lan_address, serve_env
from workshops.models import Activity, Participant, Rencontre

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


@pytest.fixture
def room(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    return rencontre, client


def _activities(rencontre: Rencontre) -> list[Activity]:
    return list(Activity.objects.filter(step__rencontre=rencontre))


def _post(client: Client, url: str, data: dict | None = None, htmx: bool = True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url, data or {}, **headers)


# ---------------------------------------------------------------- the timer per activity


@pytest.mark.django_db
def test_a_running_timer_restarts_from_the_next_activitys_duration(room):
    rencontre, client = room
    first, second = _activities(rencontre)[:2]
    Activity.objects.filter(pk=first.pk).update(planned_minutes=3)
    Activity.objects.filter(pk=second.pk).update(planned_minutes=12)
    services.timer_start(rencontre=rencontre, seconds=60)
    _post(client, f"/animer/{rencontre.code}/suivante/", {"expected": first.pk})
    rencontre.refresh_from_db()
    timer = selectors.timer_state(rencontre)
    assert rencontre.current_activity_id == second.pk
    assert timer.running is True
    assert 12 * 60 - 5 <= timer.remaining <= 12 * 60


@pytest.mark.django_db
def test_a_paused_timer_shows_the_next_activitys_duration_paused(room):
    rencontre, _client = room
    first, second = _activities(rencontre)[:2]
    Activity.objects.filter(pk=second.pk).update(planned_minutes=7)
    services.timer_start(rencontre=rencontre, seconds=60)
    services.timer_pause(rencontre=rencontre)
    services.activity_step(rencontre=rencontre, expected_id=first.pk, offset=1)
    rencontre.refresh_from_db()
    assert (rencontre.timer_ends_at, rencontre.timer_remaining) == (None, 7 * 60)


@pytest.mark.django_db
def test_no_timer_stays_no_timer_after_a_move(room):
    rencontre, _client = room
    services.activity_step(rencontre=rencontre, expected_id=None, offset=1)
    rencontre.refresh_from_db()
    assert (rencontre.timer_ends_at, rencontre.timer_remaining) == (None, None)


@pytest.mark.django_db
def test_a_jump_restarts_the_timer_too_and_the_start_button_names_the_duration(room):
    rencontre, client = room
    target = _activities(rencontre)[4]
    Activity.objects.filter(pk=target.pk).update(planned_minutes=9)
    services.timer_start(rencontre=rencontre, seconds=30)
    services.timer_pause(rencontre=rencontre)
    _post(client, f"/animer/{rencontre.code}/aller/", {"activity": target.pk})
    rencontre.refresh_from_db()
    assert rencontre.timer_remaining == 9 * 60
    services.timer_reset(rencontre=rencontre)
    page = client.get(f"/animer/{rencontre.code}/").content.decode()
    assert "Démarrer (9 min)" in page


# ---------------------------------------------------------------- blank screen


@pytest.mark.django_db
def test_blank_and_unblank_the_wall_from_the_panel_and_a_move_shows_it_again(room):
    rencontre, client = room
    response = _post(client, f"/animer/{rencontre.code}/ecran/noir/")
    assert 'id="primary"' in response.content.decode()
    assert "Rallumer l'écran" in response.content.decode()
    rencontre.refresh_from_db()
    screen = rendering.render_parts(rencontre=rencontre, role="screen", parts=("qr_flag",))
    assert 'data-blanked="1"' in screen
    _post(client, f"/animer/{rencontre.code}/ecran/rallumer/")
    rencontre.refresh_from_db()
    assert rencontre.screen_blanked is False
    services.screen_blank_set(rencontre=rencontre, blanked=True)
    services.activity_step(rencontre=rencontre, expected_id=None, offset=1)
    rencontre.refresh_from_db()
    assert rencontre.screen_blanked is False


@pytest.mark.django_db
def test_the_wall_page_carries_the_blank_layer_and_the_times_up_notice(room):
    rencontre, client = room
    page = client.get(f"/animer/{rencontre.code}/ecran/").content.decode()
    assert "data-blank" in page
    assert "Temps écoulé" in page
    assert 'data-blanked="0"' in page


# ---------------------------------------------------------------- controls where they mean something


@pytest.mark.django_db
def test_open_close_answers_is_offered_only_for_kinds_that_take_input(room):
    rencontre, _client = room
    activity = _activities(rencontre)[0]
    for key, _label in kinds.choices():
        Activity.objects.filter(pk=activity.pk).update(kind=key, config={})
        html = rendering.render_parts(rencontre=rencontre, role="control", parts=("current",))
        kind = kinds.get(key)
        assert ("Fermer les réponses" in html) is kind.takes_input, key
        assert ('data-key="reveal"' in html) is kind.shows_results, key
        assert 'data-key="next"' in html
        assert 'data-key="blank"' in html


# ---------------------------------------------------------------- participants


@pytest.mark.django_db
def test_a_participant_marked_absent_leaves_the_counts_and_comes_back(room):
    rencontre, client = room
    lea, _karim = ParticipantFactory.create_batch(2, rencontre=rencontre)
    Participant.objects.filter(pk=lea.pk).update(sockets=1, last_seen=timezone.now())
    assert selectors.presence(rencontre) == {"joined": 2, "connected": 1}
    response = _post(
        client, f"/animer/{rencontre.code}/participants/absent/", {"participant": lea.pk}
    )
    assert selectors.presence(rencontre) == {"joined": 1, "connected": 0}
    html = " ".join(response.content.decode().split())
    assert (
        "<strong>0</strong> présent · <strong>1</strong> inscrit · <strong>1</strong> absent </p>"
        in html
    )
    _post(client, f"/animer/{rencontre.code}/participants/present/", {"participant": lea.pk})
    assert selectors.presence(rencontre) == {"joined": 2, "connected": 1}
    assert Participant.objects.filter(rencontre=rencontre).count() == 2


@pytest.mark.django_db
def test_a_removed_test_participant_is_gone_with_their_answers(room):
    rencontre, client = room
    test_phone, real = ParticipantFactory.create_batch(2, rencontre=rencontre)
    _post(client, f"/animer/{rencontre.code}/participants/retirer/", {"participant": test_phone.pk})
    assert list(Participant.objects.filter(rencontre=rencontre)) == [real]
    assert selectors.presence(rencontre)["joined"] == 1


@pytest.mark.django_db
def test_a_participant_of_another_rencontre_cannot_be_removed_from_this_panel(room):
    rencontre, client = room
    other = make_rencontre(facilitator=UserFactory())
    stranger = ParticipantFactory(rencontre=other)
    response = _post(
        client,
        f"/animer/{rencontre.code}/participants/retirer/",
        {"participant": stranger.pk},
        htmx=False,
    )
    assert response.status_code == 302
    assert Participant.objects.filter(pk=stranger.pk).exists()
    page = client.get(f"/animer/{rencontre.code}/").content.decode()
    assert "Participant introuvable : rechargez le panneau." in page


@pytest.mark.django_db
def test_participant_commands_need_a_facilitator(room):
    rencontre, _client = room
    someone = ParticipantFactory(rencontre=rencontre)
    anonymous = Client()
    response = anonymous.post(
        f"/animer/{rencontre.code}/participants/retirer/", {"participant": someone.pk}
    )
    assert response.status_code == 302
    assert Participant.objects.filter(pk=someone.pk).exists()


# ---------------------------------------------------------------- French plurals


@pytest.mark.django_db
def test_panel_counts_agree_in_number_in_french(room):
    rencontre, _client = room
    html = rendering.render_parts(rencontre=rencontre, role="control", parts=("presence",))
    assert "<strong>0</strong> présent · <strong>0</strong> inscrit </p>" in " ".join(html.split())
    ParticipantFactory.create_batch(2, rencontre=rencontre)
    html = rendering.render_parts(rencontre=rencontre, role="control", parts=("presence",))
    assert "<strong>0</strong> présent · <strong>2</strong> inscrits </p>" in " ".join(html.split())


def test_french_plural_rule_applies_to_the_products_messages():
    from django.utils.translation import ngettext, override

    with override("fr"):
        forms = [ngettext("action déjà faite", "actions déjà faites", n) for n in (0, 1, 2)]
    assert forms == ["action déjà faite", "action déjà faite", "actions déjà faites"]


# ---------------------------------------------------------------- the read-only wall link


@pytest.mark.django_db
def test_the_wall_link_opens_the_wall_without_login_and_nothing_else(room):
    rencontre, client = room
    _post(client, f"/animer/{rencontre.code}/ecran/lien/creer/", htmx=False)
    rencontre.refresh_from_db()
    secret = rencontre.screen_secret
    assert len(secret) >= 20
    panel = client.get(f"/animer/{rencontre.code}/").content.decode()
    assert f"/ecran/{rencontre.code}/{secret}/" in panel
    room_pc = Client()
    page = room_pc.get(f"/ecran/{rencontre.code}/{secret}/")
    assert page.status_code == 200
    assert f'ws-connect="/ws/ecran/{rencontre.code}/?cle={secret}"' in page.content.decode()
    assert room_pc.get(f"/ecran/{rencontre.code}/{secret}x/").status_code == 404
    assert room_pc.get(f"/animer/{rencontre.code}/").status_code == 302  # the panel: login
    assert room_pc.get(f"/animer/{rencontre.code}/ecran/?cle={secret}").status_code == 302
    other = make_rencontre(facilitator=UserFactory())
    assert room_pc.get(f"/ecran/{other.code}/{secret}/").status_code == 404


@pytest.mark.django_db
def test_a_revoked_or_replaced_wall_link_stops_working(room):
    rencontre, client = room
    old = services.screen_link_create(rencontre=rencontre)
    new = services.screen_link_create(rencontre=rencontre)
    assert old != new
    assert Client().get(f"/ecran/{rencontre.code}/{old}/").status_code == 404
    assert Client().get(f"/ecran/{rencontre.code}/{new}/").status_code == 200
    _post(client, f"/animer/{rencontre.code}/ecran/lien/revoquer/", htmx=False)
    assert Client().get(f"/ecran/{rencontre.code}/{new}/").status_code == 404
    assert Client().get(f"/ecran/{rencontre.code}//").status_code == 404


@pytest.mark.live
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_wall_links_socket_opens_without_login_and_closes_when_revoked():
    rencontre = await database_sync_to_async(make_rencontre)(
        facilitator=await database_sync_to_async(UserFactory)()
    )
    secret = await database_sync_to_async(services.screen_link_create)(rencontre=rencontre)
    path = f"/ws/ecran/{rencontre.code}/?cle={secret}"
    wall = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST])
    connected, _ = await wall.connect()
    assert connected
    state = await wall.receive_from(timeout=3)
    assert 'id="stage"' in state
    for wrong in ("", "nope", secret + "x"):
        intruder = WebsocketCommunicator(
            application, f"/ws/ecran/{rencontre.code}/?cle={wrong}", headers=[ORIGIN, HOST]
        )
        await intruder.connect()
        assert await intruder.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    panel = WebsocketCommunicator(
        application, f"/ws/animer/{rencontre.code}/?cle={secret}", headers=[ORIGIN, HOST]
    )
    await panel.connect()
    assert await panel.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    await database_sync_to_async(services.screen_link_revoke)(rencontre=rencontre)
    assert await wall.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


# ---------------------------------------------------------------- the demo on the local network


def test_the_lan_address_is_an_ipv4_address_of_this_machine_not_the_loopback():
    address = lan_address()
    if address is None:  # a machine with the loopback only: the demo says so and stays local
        assert serve_env(None, 8000)["DEMO_HOST"] == "127.0.0.1"
        return
    ip = ipaddress.IPv4Address(address)
    assert not ip.is_loopback
    assert lan_address(probes=("127.0.0.1",)) is None  # the loopback is never taken


def test_serve_env_for_a_given_address_listens_everywhere_and_accepts_that_host():
    assert serve_env("192.168.1.20", 8000) == {
        "DEMO_HOST": "0.0.0.0",
        "PUBLIC_URL": "http://192.168.1.20:8000",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,192.168.1.20",
        "CSRF_TRUSTED_ORIGINS": "http://192.168.1.20:8000,http://127.0.0.1:8000",
    }
    assert serve_env(None, 8080)["PUBLIC_URL"] == "http://127.0.0.1:8080"


def test_demo_serve_env_prints_shell_assignments_and_refuses_a_bad_address(capsys):
    call_command("demo", "--serve-env", "--address", "10.0.0.7", "--port", "8123")
    lines = capsys.readouterr().out.split()
    assert lines == [
        "DEMO_HOST=0.0.0.0",
        "PUBLIC_URL=http://10.0.0.7:8123",
        "ALLOWED_HOSTS=127.0.0.1,localhost,10.0.0.7",
        "CSRF_TRUSTED_ORIGINS=http://10.0.0.7:8123,http://127.0.0.1:8123",
    ]
    with pytest.raises(CommandError, match="n'est pas une adresse IPv4"):
        call_command("demo", "--serve-env", "--address", "salle-wifi")


@pytest.mark.django_db
def test_the_join_link_and_qr_use_the_public_url(room, settings):
    rencontre, client = room
    settings.PUBLIC_URL = "http://192.168.1.20:8000"
    settings.ALLOWED_HOSTS = ["testserver", "192.168.1.20"]
    page = client.get(f"/animer/{rencontre.code}/ecran/").content.decode()
    assert "<strong>http://192.168.1.20:8000/j/</strong>" in page


@pytest.mark.django_db
def test_demo_fresh_starts_a_new_empty_demo_rencontre(capsys):
    call_command("demo", "--json")
    first = json.loads(capsys.readouterr().out)
    ParticipantFactory(rencontre=Rencontre.objects.get(code=first["code"]))
    call_command("demo", "--json")
    assert json.loads(capsys.readouterr().out)["code"] == first["code"]  # reused
    call_command("demo", "--json", "--fresh")
    fresh = json.loads(capsys.readouterr().out)
    assert fresh["code"] != first["code"]
    assert list(Rencontre.objects.filter(title=DEMO_TITLE).values_list("code", flat=True)) == [
        fresh["code"]
    ]
    assert not Participant.objects.filter(rencontre__code=fresh["code"]).exists()


@pytest.mark.slow
def test_demo_territory_prints_no_warning(tmp_path):
    env = server_env(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    for args in (["migrate", "--noinput", "-v0"], ["demo", "--json"]):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )
    result = subprocess.run(
        [sys.executable, "-W", "always", "manage.py", "demo_territory"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "établissements" in result.stdout


@pytest.mark.django_db
def test_pushed_forms_post_with_the_header_token_and_render_without_warning(room):
    rencontre, _client = room
    user = rencontre.facilitators.get()
    html = rendering.render_parts(rencontre=rencontre, role="control", parts=("current",))
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="">' in html
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    page = strict.get(f"/animer/{rencontre.code}/")
    token = page.context["csrf_token"]
    url = f"/animer/{rencontre.code}/ecran/noir/"
    refused = strict.post(url, {"csrfmiddlewaretoken": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    accepted = strict.post(
        url, {"csrfmiddlewaretoken": ""}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=str(token)
    )
    assert accepted.status_code == 200
    rencontre.refresh_from_db()
    assert rencontre.screen_blanked is True


@pytest.mark.django_db
def test_an_absent_participant_is_out_of_the_results_counts_and_the_tables(room):
    from priorities import services as priorities_services
    from priorities.models import Seat

    rencontre, _client = room
    gone, *here = ParticipantFactory.create_batch(4, rencontre=rencontre)
    services.participant_set_absent(participant=gone, absent=True)
    poll = next(a for a in _activities(rencontre) if a.kind == "poll")
    assert kinds.get("poll").results(poll).n_participants == 3
    priorities_services.tables_form(rencontre=rencontre, mode="mixed", size=3, seed=1)
    seated = set(
        Seat.objects.filter(table__rencontre=rencontre).values_list("participant", flat=True)
    )
    assert seated == {p.pk for p in here}
