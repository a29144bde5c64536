"""The polling fallback's endpoints: the live state by HTTP, 204 while it is unchanged."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory, make_rencontre
from workshops import services
from workshops.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}",
        {"name": "Léa", "organisation": "Région", "actor_type": "collectivite"},
    )
    facilitator = Client()
    facilitator.force_login(user)
    return rencontre, phone, facilitator


def test_a_phone_polls_its_state_and_an_unchanged_one_costs_a_204(
    room, django_assert_max_num_queries
):
    rencontre, phone, _ = room
    url = f"/j/{rencontre.code}/etat"
    first = phone.get(url)
    version = first["X-State-Version"]
    assert first.status_code == 200
    assert 'id="stage"' in first.text
    assert 'hx-swap-oob="true"' in first.text
    with django_assert_max_num_queries(4):  # the rencontre, the participant, the version
        same = phone.get(url, {"v": version})
    assert (same.status_code, same.content, same["X-State-Version"]) == (204, b"", version)
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
    moved = phone.get(url, {"v": version})
    assert moved.status_code == 200
    assert moved["X-State-Version"] != version
    assert f'data-activity="{poll.pk}"' in moved.text


def test_the_state_is_only_for_the_rencontre_s_people(room):
    rencontre, _, facilitator = room
    assert Client().get(f"/j/{rencontre.code}/etat").status_code == 403
    assert Client().get("/j/ZZZZZZ/etat").status_code == 404
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/animer/{rencontre.code}/ecran/etat").status_code == 403
    assert facilitator.get(f"/animer/{rencontre.code}/ecran/etat").status_code == 200


def test_the_screen_polls_counts_that_change_without_a_move(room):
    rencontre, _, facilitator = room
    url = f"/animer/{rencontre.code}/ecran/etat"
    first = facilitator.get(url)
    version = first["X-State-Version"]
    assert facilitator.get(url, {"v": version}).status_code == 204
    Client().post(
        f"/j/{rencontre.code}",
        {"name": "Karim", "organisation": "Mecalac", "actor_type": "entreprise"},
    )
    joined = facilitator.get(url, {"v": version})
    assert joined.status_code == 200
    assert 'id="presence"' in joined.text
    control = facilitator.get(f"/animer/{rencontre.code}/etat")
    assert 'id="current"' in control.text


def test_the_polling_intervals_come_from_the_settings(room, settings):
    """Pages carry settings.LIVE_POLL_SECONDS: production's by default, shorter where a
    server is told so (the browser tests' servers)."""
    from django.template import Context, Template

    from tests import server_settings

    rencontre, phone, _ = room
    page = phone.get(f"/j/{rencontre.code}").text
    assert 'data-fallback-after-ms="8000" data-probe-ms="15000"' in page
    settings.LIVE_POLL_SECONDS = {**settings.LIVE_POLL_SECONDS, "socket_probe": 0.5}
    assert 'data-probe-ms="500"' in phone.get(f"/j/{rencontre.code}").text
    tag = Template("{% load polling %}{% poll_every 'conclusion' %}|{% poll_every 'job' %}")
    assert tag.render(Context()) == "every 10s|every 1s"
    settings.LIVE_POLL_SECONDS = server_settings.LIVE_POLL_SECONDS
    assert tag.render(Context()) == "every 500ms|every 250ms"
    assert set(server_settings.LIVE_POLL_SECONDS) == set(settings.LIVE_POLL_SECONDS)
    assert set(server_settings.LIVE_COALESCE_SECONDS) == set(settings.LIVE_COALESCE_SECONDS)
