from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import selectors, services
from workshops.models import CODE_ALPHABET, CODE_LENGTH, Activity, Rencontre, normalize_code

pytestmark = pytest.mark.django_db


def test_code_alphabet_has_no_ambiguous_characters():
    assert set("01OIL") & set(CODE_ALPHABET) == set()
    assert len(CODE_ALPHABET) == 31


def test_generate_code_uses_the_alphabet_and_length():
    codes = {services.generate_code() for _ in range(500)}
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(codes) == 500


def test_rencontre_codes_are_unique_even_when_the_draw_collides(monkeypatch):
    draws = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(services, "generate_code", lambda: next(draws))
    first = make_rencontre()
    second = make_rencontre()
    assert (first.code, second.code) == ("AAAAAA", "BBBBBB")


@pytest.mark.parametrize("typed", ["abc234", " ABC-234 ", "Abc 234"])
def test_code_lookup_is_case_and_space_insensitive(typed, monkeypatch):
    monkeypatch.setattr(services, "generate_code", lambda: "ABC234")
    rencontre = make_rencontre()
    assert normalize_code(typed) == "ABC234"
    assert selectors.rencontre_by_code(typed) == rencontre


def test_default_template_has_the_six_steps_each_with_an_activity():
    rencontre = make_rencontre()
    steps = list(rencontre.steps.all())
    assert [s.title for s in steps] == [
        "Accueil",
        "S'aligner sur le constat",
        "Méthode d'analyse du patrimoine industriel",
        "Formuler sa priorité",
        "Échanger entre pairs",
        "Restitution collective",
    ]
    assert all(s.activities.count() >= 1 for s in steps)
    assert sum(s.planned_minutes for s in steps) == 210
    first = Activity.objects.filter(step=steps[0]).first()
    assert rencontre.current_activity == first
    assert rencontre.facilitators.count() == 1


def test_next_with_a_stale_expected_id_moves_only_once():
    rencontre = make_rencontre()
    first_id = rencontre.current_activity_id
    assert services.activity_step(rencontre=rencontre, expected_id=first_id, offset=1) is True
    # the same click arriving twice (double click, two facilitators)
    assert services.activity_step(rencontre=rencontre, expected_id=first_id, offset=1) is False
    rencontre.refresh_from_db()
    ordered = list(Activity.objects.filter(step__rencontre=rencontre))
    assert rencontre.current_activity_id == ordered[1].pk
    assert rencontre.status == Rencontre.Status.LIVE
    assert rencontre.qr_visible is False


def test_previous_at_the_start_and_next_at_the_end_do_nothing():
    rencontre = make_rencontre()
    assert not services.activity_step(rencontre=rencontre, expected_id=None, offset=-1)
    last = Activity.objects.filter(step__rencontre=rencontre).last()
    services.activity_goto(rencontre=rencontre, activity_id=last.pk)
    assert not services.activity_step(rencontre=rencontre, expected_id=last.pk, offset=1)


def test_goto_records_actual_times_of_steps_and_activities():
    rencontre = make_rencontre()
    first = rencontre.current_activity
    target = Activity.objects.filter(step__rencontre=rencontre).last()
    services.activity_goto(rencontre=rencontre, activity_id=target.pk)
    first.refresh_from_db()
    target.refresh_from_db()
    assert first.ended_at is not None
    assert target.started_at is not None
    assert target.step.started_at is not None


def test_goto_an_activity_of_another_rencontre_is_ignored():
    rencontre, other = make_rencontre(), make_rencontre()
    foreign = Activity.objects.filter(step__rencontre=other).last()
    assert services.activity_goto(rencontre=rencontre, activity_id=foreign.pk) is False
    rencontre.refresh_from_db()
    assert rencontre.current_activity.step.rencontre_id == rencontre.pk


def test_timer_start_pause_resume_extend():
    rencontre = make_rencontre()
    services.timer_start(rencontre=rencontre, seconds=120)
    rencontre.refresh_from_db()
    timer = selectors.timer_state(rencontre)
    assert timer.running
    assert 119 <= timer.remaining <= 120
    services.timer_pause(rencontre=rencontre)
    rencontre.refresh_from_db()
    paused = selectors.timer_state(rencontre)
    assert (paused.running, 118 <= paused.remaining <= 120) == (False, True)
    services.timer_extend(rencontre=rencontre, seconds=60)
    rencontre.refresh_from_db()
    assert selectors.timer_state(rencontre).remaining == paused.remaining + 60
    services.timer_start(rencontre=rencontre)
    rencontre.refresh_from_db()
    assert rencontre.timer_ends_at > timezone.now() + dt.timedelta(seconds=170)
    services.timer_reset(rencontre=rencontre)
    rencontre.refresh_from_db()
    assert selectors.timer_state(rencontre).visible is False


def test_timer_without_duration_uses_the_activity_plan():
    rencontre = make_rencontre()
    services.timer_start(rencontre=rencontre)
    rencontre.refresh_from_db()
    planned = rencontre.current_activity.planned_minutes * 60
    assert planned - 1 <= selectors.timer_state(rencontre).remaining <= planned


def test_join_refused_when_the_rencontre_is_closed():
    rencontre = make_rencontre()
    Rencontre.objects.filter(pk=rencontre.pk).update(status=Rencontre.Status.CLOSED)
    with pytest.raises(services.ClosedRencontreError):
        services.participant_join(
            rencontre=rencontre, name="A", organisation="B", actor_type="etat", listed=False
        )


def test_presence_counts_joined_and_connected():
    rencontre = make_rencontre()
    a, _b = ParticipantFactory.create_batch(2, rencontre=rencontre)
    services.participant_socket_change(participant_id=a.pk, delta=1)
    services.participant_socket_change(participant_id=a.pk, delta=1)
    services.participant_socket_change(participant_id=a.pk, delta=-1)
    assert selectors.presence(rencontre) == {"joined": 2, "connected": 1}
    services.participant_socket_change(participant_id=a.pk, delta=-5)
    assert selectors.presence(rencontre) == {"joined": 2, "connected": 0}


def test_is_facilitator_only_for_the_rencontre_own_facilitators():
    owner, stranger = UserFactory(), UserFactory()
    rencontre = make_rencontre(facilitator=owner)
    assert selectors.is_facilitator(owner, rencontre)
    assert not selectors.is_facilitator(stranger, rencontre)


def test_control_context_queries_stay_flat_as_participants_grow(django_assert_max_num_queries):
    rencontre = make_rencontre()
    ParticipantFactory.create_batch(40, rencontre=rencontre)
    with django_assert_max_num_queries(6):
        context = selectors.control_context(rencontre)
    assert context["presence"]["joined"] == 40
