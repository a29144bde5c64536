from __future__ import annotations

import pytest
from django.urls import reverse

from plenary import selectors as results
from plenary import services as plenary_services
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops.models import Activity, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").last()
    return rencontre, poll


def agenda(rencontre, command: str) -> str:
    return reverse(f"workshops:{command}", args=[rencontre.code])


def edit_url(rencontre, activity) -> str:
    return reverse("workshops:activity_edit", args=[rencontre.code, activity.pk])


def post_poll(client, rencontre, poll, items: str, **extra):
    data = {"title": poll.title, "body": "", "planned_minutes": 8, "items": items, **extra}
    return client.post(edit_url(rencontre, poll), data)


def test_editing_choices_keeps_the_ids_of_unchanged_choices(client, setup):
    rencontre, poll = setup
    labels = [c["label"] for c in poll.config["choices"]]
    response = post_poll(client, rencontre, poll, "\n".join([*labels, "Eau"]), allow_other="on")
    assert response.status_code == 302
    poll.refresh_from_db()
    assert [c["id"] for c in poll.config["choices"]] == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert poll.config["choices"][-1]["label"] == "Eau"
    assert poll.config["allow_other"] is True


def test_removing_an_answered_choice_asks_for_confirmation(client, setup):
    rencontre, poll = setup
    person = ParticipantFactory(rencontre=rencontre)
    plenary_services.poll_answer_submit(activity=poll, participant=person, choice="c1", other="")
    labels = [c["label"] for c in poll.config["choices"]]
    response = post_poll(client, rencontre, poll, "\n".join(labels[1:]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Des réponses portent déjà sur : « Foncier disponible »" in html
    assert "Cochez la case pour confirmer." in html
    poll.refresh_from_db()
    assert len(poll.config["choices"]) == 5
    response = post_poll(
        client, rencontre, poll, "\n".join(labels[1:]), confirm="on", allow_other="on"
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    assert [b.key for b in results.poll_results(poll)["bars"]] == ["c2", "c3", "c4", "c5", "other"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("Seul", "Entre 2 et 12 lignes."),
        ("A\na", "Deux lignes sont identiques."),
    ],
)
def test_bad_choices_are_refused_with_the_typing_kept(client, setup, items, message):
    rencontre, poll = setup
    response = post_poll(client, rencontre, poll, items)
    html = response.content.decode()
    assert message in html
    assert "votre saisie est conservée" in html


def test_scale_statements_and_words_limits_are_editable(client, setup):
    rencontre, _poll = setup
    scale = Activity.objects.get(step__rencontre=rencontre, kind="scale")
    client.post(
        edit_url(rencontre, scale),
        {"title": "Échelle", "planned_minutes": 5, "items": "Premier constat\nSecond constat"},
    )
    scale.refresh_from_db()
    assert [s["label"] for s in scale.config["statements"]] == ["Premier constat", "Second constat"]
    words = Activity.objects.get(step__rencontre=rencontre, kind="words")
    response = client.post(
        edit_url(rencontre, words),
        {"title": "Mots", "planned_minutes": 5, "max_words": 9, "max_length": 40},
    )
    assert "Assurez-vous que cette valeur est inférieure ou égale à 3." in response.content.decode()
    client.post(
        edit_url(rencontre, words),
        {"title": "Mots", "planned_minutes": 5, "max_words": 1, "max_length": 20},
    )
    words.refresh_from_db()
    assert (words.config["max_words"], words.config["max_length"]) == (1, 20)


def test_add_move_and_remove_activities_and_steps(client, setup):
    rencontre, _poll = setup
    step = rencontre.steps.get(position=1)
    response = client.post(
        agenda(rencontre, "activity_create"),
        {"step": step.pk, "kind": "question", "title": "Et vous ?"},
    )
    created = Activity.objects.get(title="Et vous ?")
    assert response["Location"] == edit_url(rencontre, created)
    assert (created.kind, created.config) == ("question", {"max_length": 280})
    assert list(step.activities.values_list("title", flat=True))[-1] == "Et vous ?"
    client.post(agenda(rencontre, "activity_up"), {"activity": created.pk})
    assert list(step.activities.values_list("title", flat=True))[-2] == "Et vous ?"
    client.post(agenda(rencontre, "activity_delete"), {"activity": created.pk})
    assert not Activity.objects.filter(pk=created.pk).exists()
    client.post(agenda(rencontre, "step_create"), {"title": "Pause", "planned_minutes": 15})
    pause = Step.objects.get(rencontre=rencontre, title="Pause")
    client.post(agenda(rencontre, "step_up"), {"step": pause.pk})
    assert list(rencontre.steps.values_list("title", flat=True))[-2:] == [
        "Pause",
        "Restitution collective",
    ]
    client.post(
        agenda(rencontre, "step_update"),
        {"step": pause.pk, "title": "Pause café", "planned_minutes": 20},
    )
    pause.refresh_from_db()
    assert (pause.title, pause.planned_minutes) == ("Pause café", 20)


def test_the_current_activity_and_step_cannot_be_removed(client, setup):
    rencontre, _poll = setup
    current = rencontre.current_activity
    response = client.post(
        agenda(rencontre, "activity_delete"), {"activity": current.pk}, follow=True
    )
    assert "L&#x27;activité en cours ne peut pas être supprimée." in response.content.decode()
    response = client.post(agenda(rencontre, "step_delete"), {"step": current.step_id}, follow=True)
    assert "L&#x27;étape en cours ne peut pas être supprimée." in response.content.decode()
    assert Activity.objects.filter(pk=current.pk).exists()


def test_editor_is_for_this_rencontre_facilitators_only(client, setup):
    rencontre, poll = setup
    client.force_login(UserFactory())
    assert client.get(reverse("workshops:agenda_edit", args=[rencontre.code])).status_code == 403
    assert client.get(edit_url(rencontre, poll)).status_code == 403


@pytest.mark.parametrize("command", ["step_up", "step_delete", "activity_up", "activity_delete"])
@pytest.mark.parametrize("value", ["abc", "", "-1", "99999999", "1.5"])
def test_agenda_commands_with_a_bad_id_change_nothing(client, setup, command, value):
    rencontre, _poll = setup
    before = list(Activity.objects.filter(step__rencontre=rencontre).values_list("pk", "position"))
    steps = list(rencontre.steps.values_list("pk", "position"))
    response = client.post(agenda(rencontre, command), {"step": value, "activity": value})
    assert response.status_code == 302
    after = list(Activity.objects.filter(step__rencontre=rencontre).values_list("pk", "position"))
    assert (after, list(rencontre.steps.values_list("pk", "position"))) == (before, steps)


def test_agenda_commands_cannot_reach_another_rencontres_items(client, setup):
    rencontre, _poll = setup
    other = make_rencontre()
    foreign = Activity.objects.filter(step__rencontre=other).last()
    client.post(agenda(rencontre, "activity_delete"), {"activity": foreign.pk})
    client.post(agenda(rencontre, "step_delete"), {"step": foreign.step_id})
    assert Activity.objects.filter(pk=foreign.pk).exists()
