from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from territories.models import Establishment, MapLink, MapNode, Territory
from territories.selectors import filiere_map
from territories.services import map_contribute
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import services
from workshops.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    territory = Territory.objects.create(name="T", slug="t", kind="custom", communes=["74081"])
    Establishment.objects.create(
        territory=territory,
        siret="11111111100011",
        siren="111111111",
        name="Somfy Activités",
        commune="74081",
    )
    activity = services.activity_create(
        step=rencontre.steps.get(position=2), kind="filiere_map", title="Carte"
    )
    activity.config = {"territory": "t"}
    activity.save()
    services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    return rencontre, activity, user


def add(activity, person, loco, filiere, partner="", relation="subcontractor"):
    return map_contribute(
        activity=activity,
        participant=person,
        locomotive=loco,
        filiere=filiere,
        partner=partner,
        relation=relation,
    )


def test_same_firm_named_differently_is_one_node(room):
    rencontre, activity, _ = room
    a, b = ParticipantFactory.create_batch(2, rencontre=rencontre)
    add(activity, a, "Mecalac", "Automobile", "Décolletage Alpin")
    add(activity, b, "MECALAC ", "Automobile", "décolletage alpin", "supplier")
    add(activity, b, "somfy activités", "Électronique", "Lycée Charles Poncet", "training")
    assert MapNode.objects.filter(activity=activity).count() == 4
    assert (
        MapNode.objects.get(name="somfy activités").siret == "11111111100011"
    )  # matched in SIRENE
    assert (
        MapLink.objects.filter(activity=activity).count() == 3
    )  # two relations between the same pair


def test_places_are_fixed_when_the_map_grows(room):
    rencontre, activity, _ = room
    person = ParticipantFactory(rencontre=rencontre)
    add(activity, person, "Mecalac", "Automobile", "Décolletage Alpin")
    before = {n.key: (n.x, n.y) for n in MapNode.objects.filter(activity=activity)}
    for i in range(12):
        add(
            activity,
            person,
            f"Locomotive {i}",
            ["Automobile", "Bois", "Santé"][i % 3],
            f"Partenaire {i}",
        )
    after = {n.key: (n.x, n.y) for n in MapNode.objects.filter(activity=activity)}
    assert {k: after[k] for k in before} == before
    positions = list(after.values())
    assert len(set(positions)) == len(positions)  # nobody on top of anybody
    assert all(0 <= x <= 1200 and 0 <= y <= 640 for x, y in positions)
    data = filiere_map(activity)
    assert [c["name"] for c in data["clusters"]] == ["Automobile", "Bois", "Santé"]
    assert (data["n_locomotives"], data["n_partners"], data["n_answers"]) == (13, 13, 1)


def test_phone_adds_and_bad_input_is_refused_in_french(room):
    rencontre, activity, user = room
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}", {"name": "Ana", "organisation": "O", "actor_type": "entreprise"}
    )
    html = phone.get(
        reverse("workshops:phone_part", args=[rencontre.code, activity.pk])
    ).content.decode()
    url = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "ajouter"])
    assert '<option value="Somfy Activités">' in html  # suggestion from SIRENE
    html = phone.post(
        url, {"locomotive": "", "filiere": "Bois", "relation": "supplier"}
    ).content.decode()
    assert (
        "Nommez l&#x27;entreprise locomotive." in html or "Nommez l'entreprise locomotive." in html
    )
    html = phone.post(
        url, {"locomotive": "Mecalac", "filiere": "Inconnue", "relation": "supplier"}
    ).content.decode()
    assert "Sélectionnez un choix valide" in html
    html = phone.post(
        url,
        {
            "locomotive": "Mecalac",
            "filiere": "Automobile",
            "partner": "<b>Atelier</b>",
            "relation": "customer",
        },
    ).content.decode()
    assert "Ajouté à la carte" in html
    facilitator = Client()
    facilitator.force_login(user)
    screen = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "&lt;b&gt;Atelier&lt;/b&gt;" in screen
    assert "1 locomotive, 1 partenaire, nommés par 1 participant" in screen
    assert Activity.objects.get(pk=activity.pk).kind == "filiere_map"
