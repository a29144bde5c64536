"""A phone is usable when the push lands: the push carries the blank own part, and only the
phones with something of their own fetch theirs."""

from __future__ import annotations

import pytest
from django.test import Client

from plenary import services as plenary_services
from tests.factories import ParticipantFactory, make_rencontre
from workshops import rendering, selectors, services
from workshops.models import Activity
from workshops.selectors import OwnParts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ids", [[], [7], [7, 8, 9], [3, 40, 41, 1000], list(range(500, 1500, 3))])
def test_own_parts_bit_set_holds_exactly_the_ids(ids):
    own = OwnParts.of(ids, everyone_count=0)
    assert own.everyone is False
    assert own.count == len(ids)
    assert [i for i in range(1600) if own.has(i)] == ids


def test_own_parts_of_a_kind_that_cannot_tell_is_everyone_with_a_spread():
    own = OwnParts.of(None, everyone_count=300)
    assert (own.everyone, own.has(12345), own.spread_ms) == (True, True, 1200)
    assert OwnParts.of(None, everyone_count=10_000).spread_ms == OwnParts.MAX_SPREAD_MS


def test_the_push_carries_the_blank_poll_and_who_answered():
    rencontre = make_rencontre()
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
    rencontre.refresh_from_db()
    answered, silent = (
        ParticipantFactory(rencontre=rencontre),
        ParticipantFactory(rencontre=rencontre),
    )
    plenary_services.poll_answer_submit(activity=poll, participant=answered, choice="c2", other="")
    context = selectors.phone_context(rencontre)
    assert (context["own"].has(answered.pk), context["own"].has(silent.pk)) == (True, False)
    push = rendering.render_state_for_role(rencontre_id=rencontre.pk, role="phone")
    # every choice is offered, none selected: what a phone that has not answered needs
    assert push.count('class="choice" name="choice"') == len(poll.config["choices"])
    assert "is-selected" not in push
    assert f'data-own-base="{answered.pk}"' in push
    assert "data-fresh" not in push


def test_a_page_load_renders_the_participants_own_answer():
    rencontre = make_rencontre()
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}", {"name": "Léa", "organisation": "Région", "actor_type": "etat"}
    )
    phone.post(f"/j/{rencontre.code}/a/{poll.pk}/repondre/", {"choice": "c2"})
    page = phone.get(f"/j/{rencontre.code}").content.decode()
    assert 'data-fresh="1"' in page
    assert 'class="choice is-selected" name="choice" value="c2"' in page
