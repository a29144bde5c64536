from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from priorities.forms import next_working_day
from priorities.models import Action, PeerGroup, Priority, Seat, Support
from territories.models import Filiere
from tests.factories import UserFactory, make_rencontre
from workshops import services as engine
from workshops.models import Activity, Participant

pytestmark = pytest.mark.django_db


def phone_for(rencontre, name: str, actor: str = "entreprise") -> Client:
    client = Client()
    client.post(f"/j/{rencontre.code}", {"name": name, "organisation": "Org", "actor_type": actor})
    return client


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    facilitator = Client()
    facilitator.force_login(user)
    return rencontre, facilitator


def go(rencontre, kind: str) -> Activity:
    activity = Activity.objects.get(step__rencontre=rencontre, kind=kind)
    engine.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    return activity


def url(rencontre, activity) -> str:
    """The phone's own part of the activity."""
    return reverse("workshops:phone_part", args=[rencontre.code, activity.pk])


def command(rencontre, activity, name: str) -> str:
    return reverse("workshops:phone_command", args=[rencontre.code, activity.pk, name])


def control(rencontre, activity, name: str) -> str:
    return reverse("workshops:kind_command", args=[rencontre.code, activity.pk, name])


def save(rencontre, activity) -> str:
    return command(rencontre, activity, "enregistrer")


def test_priority_autosaves_field_by_field_and_coaches(room):
    rencontre, _ = room
    phone = phone_for(rencontre, "Ana")
    activity = go(rencontre, "priority")
    response = phone.post(
        save(rencontre, activity), {"rank": 1, "statement": "Attirer des projets exogènes"}
    )
    html = response.content.decode()
    assert "Précision 1/6" in html
    assert "Dans quelle filière ?" in html
    assert "Formulation encore générale" in html
    filiere = Filiere.objects.get(name="Transition énergétique")
    response = phone.post(
        save(rencontre, activity),
        {
            "rank": 1,
            "statement": "Attirer des projets exogènes",
            "filiere": filiere.pk,
            "jobs_count": 120,
            "benefits": ["subcontracting", "training"],
            "horizon": "3y",
            "indicator": "emplois créés",
        },
    )
    assert "Précision 5/6" in response.content.decode()
    priority = Priority.objects.get()
    assert (priority.filiere, priority.jobs_count, priority.benefits, priority.precision) == (
        filiere,
        120,
        ["subcontracting", "training"],
        5,
    )
    # a reload shows what was saved
    page = phone.get(url(rencontre, activity)).content.decode()
    assert 'value="120"' in page
    assert "Attirer des projets exogènes</textarea>" in page


def test_an_invalid_field_is_reported_and_the_valid_ones_are_kept(room):
    rencontre, _ = room
    phone = phone_for(rencontre, "Ana")
    activity = go(rencontre, "priority")
    response = phone.post(
        save(rencontre, activity),
        {
            "rank": 1,
            "statement": "Former 40 soudeurs",
            "jobs_count": "beaucoup",
            "filiere": "99999",
        },
    )
    html = response.content.decode()
    assert "Saisissez un nombre entier." in html
    assert (
        "Cette filière n&#x27;est pas dans la liste." in html
        or "Cette filière n'est pas dans la liste." in html
    )
    assert Priority.objects.get().statement == "Former 40 soudeurs"


def test_a_second_priority_is_refused_unless_allowed(room):
    rencontre, _ = room
    phone = phone_for(rencontre, "Ana")
    activity = go(rencontre, "priority")
    response = phone.post(save(rencontre, activity), {"rank": 2, "statement": "Une deuxième"})
    assert "Une seule priorité par participant" in response.content.decode()
    assert Priority.objects.count() == 0
    activity.config["max_priorities"] = 2
    activity.save()
    phone.post(save(rencontre, activity), {"rank": 2, "statement": "Une deuxième"})
    response = phone.post(save(rencontre, activity), {"rank": 3, "statement": "Une troisième"})
    assert "2 priorités au plus" in response.content.decode()
    assert list(Priority.objects.values_list("rank", flat=True)) == [2]


def test_spotlight_shows_one_priority_full_screen(room):
    rencontre, facilitator = room
    phone = phone_for(rencontre, "Ana")
    activity = go(rencontre, "priority")
    phone.post(
        save(rencontre, activity), {"rank": 1, "statement": "Former 40 soudeurs <b>vite</b>"}
    )
    priority = Priority.objects.get()
    facilitator.post(control(rencontre, activity, "projeter"), {"priority": priority.pk})
    screen = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert (
        'class="spotlight__statement">Former 40 soudeurs &lt;b&gt;vite&lt;/b&gt;</blockquote>'
        in screen
    )
    facilitator.post(control(rencontre, activity, "revenir-au-mur"))
    screen = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "spotlight__statement" not in screen
    assert "wall__item" in screen


def test_tables_are_formed_a_late_arrival_is_seated_and_a_person_moved(room):
    rencontre, facilitator = room
    phones = [
        phone_for(rencontre, f"P{i}", ["etat", "entreprise", "collectivite"][i % 3])
        for i in range(7)
    ]
    activity = go(rencontre, "tables")
    facilitator.post(control(rencontre, activity, "former"), {"mode": "mixed", "size": 4})
    assert sorted(PeerGroup.objects.values_list("number", flat=True)) == [1, 2]
    assert Seat.objects.count() == 7
    page = phones[0].get(url(rencontre, activity)).content.decode()
    assert 'class="table-number">Table' in page
    late = phone_for(rencontre, "Retardataire", "financeur")
    page = late.get(url(rencontre, activity)).content.decode()
    seat = Seat.objects.get(participant__name="Retardataire")
    assert f"Table {seat.table.number}" in page
    assert sorted(t.seats.count() for t in PeerGroup.objects.all()) == [4, 4]
    ana = Participant.objects.get(name="P0")
    target = 1 if ana.seat.table.number == 2 else 2
    facilitator.post(
        control(rencontre, activity, "deplacer"), {"participant": ana.pk, "number": target}
    )
    assert Participant.objects.get(pk=ana.pk).seat.table.number == target


def action_data(**extra):
    return {
        "text": "Réunir les DRH du décolletage",
        "kind": "start",
        "owner": "CCI",
        "due": next_working_day().isoformat(),
        **extra,
    }


def test_actions_bounds_dates_owner_and_supports(room):
    rencontre, _ = room
    ana, bob = phone_for(rencontre, "Ana"), phone_for(rencontre, "Bob")
    activity = go(rencontre, "actions")
    for i in range(3):
        ana.post(command(rencontre, activity, "ajouter"), action_data(text=f"Action {i}"))
    assert Action.objects.count() == 3
    html = ana.post(
        command(rencontre, activity, "ajouter"), action_data(text="Quatrième")
    ).content.decode()
    assert Action.objects.count() == 3
    assert "Enregistrer l&#x27;action" not in html  # the form is gone at the limit
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    html = bob.post(
        command(rencontre, activity, "ajouter"), action_data(due=yesterday)
    ).content.decode()
    assert (
        "L&#x27;échéance ne peut pas être dans le passé." in html
        or "L'échéance ne peut pas être dans le passé." in html
    )
    html = bob.post(
        command(rencontre, activity, "ajouter"), action_data(owner="x" * 2000)
    ).content.decode()
    assert "160 caractères au plus (vous en avez tapé 2000)." in html
    assert "Réunir les DRH du décolletage" in html  # what was typed is kept
    assert Action.objects.filter(participant__name="Bob").count() == 0
    first = Action.objects.filter(participant__name="Ana").first()
    bob.post(command(rencontre, activity, "soutenir"), {"action": first.pk})
    bob.post(command(rencontre, activity, "soutenir"), {"action": first.pk})
    assert Support.objects.filter(action=first).count() == 1
    html = ana.post(command(rencontre, activity, "soutenir"), {"action": first.pk}).content.decode()
    assert "Vous ne pouvez pas soutenir votre propre action." in html
    assert Support.objects.filter(action=first).count() == 1
    # Bob cannot remove Ana's action
    bob.post(command(rencontre, activity, "retirer"), {"action": first.pk})
    assert Action.objects.filter(pk=first.pk).exists()


def test_an_action_cannot_serve_another_participants_priority(room):
    rencontre, _ = room
    ana, bob = phone_for(rencontre, "Ana"), phone_for(rencontre, "Bob")
    priority_activity = go(rencontre, "priority")
    ana.post(save(rencontre, priority_activity), {"rank": 1, "statement": "Former des soudeurs"})
    activity = go(rencontre, "actions")
    anas = Priority.objects.get()
    html = bob.post(
        command(rencontre, activity, "ajouter"), action_data(priority=anas.pk)
    ).content.decode()
    assert "Sélectionnez un choix valide" in html
    assert Action.objects.count() == 0
    ana.post(command(rencontre, activity, "ajouter"), action_data(priority=anas.pk))
    assert Action.objects.get().priority == anas


def test_screen_shows_most_supported_actions_with_counts(room):
    rencontre, facilitator = room
    ana, bob, cy = (
        phone_for(rencontre, "Ana"),
        phone_for(rencontre, "Bob"),
        phone_for(rencontre, "Cy"),
    )
    activity = go(rencontre, "actions")
    ana.post(command(rencontre, activity, "ajouter"), action_data(text="Guichet unique foncier"))
    action = Action.objects.get()
    for phone in (bob, cy):
        phone.post(command(rencontre, activity, "soutenir"), {"action": action.pk})
    screen = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert '<span class="top-actions__count">2</span> Guichet unique foncier' in screen
