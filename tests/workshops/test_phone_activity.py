"""A phone's request about one activity is read in one statement (`selectors.phone_activity`):
the participant is the one whose signed cookie names this rencontre, never another's; the
rare misses end as before (the join form, or 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ParticipantFactory, make_rencontre
from workshops import access, selectors, services
from workshops.models import Activity, Answer

pytestmark = pytest.mark.django_db


def poll_of(rencontre) -> Activity:
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
    return poll


def signed(participant, rencontre) -> tuple[str, str]:
    name = access.participant_cookie_name(rencontre)
    return name, access._signer(name).sign(participant.token)


def tap(client: Client, rencontre, poll, choice: str):
    return client.post(
        f"/j/{rencontre.code}/a/{poll.pk}/repondre/", {"choice": choice}, HTTP_HX_REQUEST="true"
    )


def test_one_statement_reads_activity_step_rencontre_and_participant(
    django_assert_num_queries,
):
    rencontre = make_rencontre()
    poll = poll_of(rencontre)
    participant = ParticipantFactory(rencontre=rencontre)
    with django_assert_num_queries(1):
        activity, found = selectors.phone_activity(
            activity_id=poll.pk,
            code=rencontre.code.lower(),
            tokens={rencontre.pk: participant.token},
        )
        assert (activity, activity.step.rencontre, found, found.rencontre) == (
            poll,
            rencontre,
            participant,
            rencontre,
        )
        assert activity.config == poll.config
        assert activity.step.rencontre.current_activity_id == poll.pk


def test_the_cookie_of_another_rencontre_does_not_answer_here():
    here, elsewhere = make_rencontre(), make_rencontre()
    poll = poll_of(here)
    stranger = ParticipantFactory(rencontre=elsewhere)
    phone = Client()
    name, value = signed(stranger, elsewhere)
    phone.cookies[name] = value
    response = tap(phone, here, poll, poll.config["choices"][0]["id"])
    assert response.headers["HX-Redirect"] == f"/j/{here.code}"
    assert Answer.objects.count() == 0


def test_a_token_signed_for_another_rencontre_is_refused():
    here, elsewhere = make_rencontre(), make_rencontre()
    poll = poll_of(here)
    participant = ParticipantFactory(rencontre=here)
    phone = Client()
    _, value = signed(participant, elsewhere)  # signed under the other rencontre's name
    phone.cookies[access.participant_cookie_name(here)] = value
    response = tap(phone, here, poll, poll.config["choices"][0]["id"])
    assert response.headers["HX-Redirect"] == f"/j/{here.code}"
    assert Answer.objects.count() == 0


def test_a_phone_of_two_rencontres_answers_as_the_participant_of_this_one():
    here, elsewhere = make_rencontre(), make_rencontre()
    poll = poll_of(here)
    mine, other = ParticipantFactory(rencontre=here), ParticipantFactory(rencontre=elsewhere)
    phone = Client()
    for participant, rencontre in ((other, elsewhere), (mine, here)):
        name, value = signed(participant, rencontre)
        phone.cookies[name] = value
    choice = poll.config["choices"][1]["id"]
    response = tap(phone, here, poll, choice)
    assert response.status_code == 200
    assert list(Answer.objects.values_list("participant_id", "data")) == [
        (mine.pk, {"choices": [choice]})
    ]


@pytest.mark.parametrize("activity_id", [0, 10**6, 2**63, 10**30])
def test_an_unknown_activity_is_404_for_a_joined_phone(activity_id):
    rencontre = make_rencontre()
    participant = ParticipantFactory(rencontre=rencontre)
    phone = Client()
    name, value = signed(participant, rencontre)
    phone.cookies[name] = value
    response = phone.post(f"/j/{rencontre.code}/a/{activity_id}/repondre/", {"choice": "c1"})
    assert response.status_code == 404


def test_the_activity_of_another_rencontre_is_404():
    here, elsewhere = make_rencontre(), make_rencontre()
    poll_elsewhere = poll_of(elsewhere)
    participant = ParticipantFactory(rencontre=here)
    phone = Client()
    name, value = signed(participant, here)
    phone.cookies[name] = value
    response = phone.post(f"/j/{here.code}/a/{poll_elsewhere.pk}/repondre/", {"choice": "c1"})
    assert response.status_code == 404
    assert Answer.objects.count() == 0
