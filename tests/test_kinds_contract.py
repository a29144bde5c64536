"""The contract every registered activity kind keeps, run over each of them: a new kind that
does not keep it fails here.

For each kind: the phone, screen and control pages and the PDF part render for an empty
activity and for one filled through the kind's own example commands (posted to the real
URLs); its results are a `KindResults`; its exports have the columns they declare; its
personal part renders; every command rejects bad input with a form error and changes
nothing; a command it does not have is not found.
"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, make_rencontre
from workshops import debrief, kinds, services
from workshops.kinds import KindForm, KindResults
from workshops.models import Participant

pytestmark = pytest.mark.django_db

KEYS = [kind.key for kind in kinds.registered()]
ROLES = ("control", "phone", "personal")


def test_every_builtin_kind_is_registered():
    expected = {"talk", "poll", "scale", "words", "question", "ranking", "lookback", "debrief"}
    expected |= {"territory", "filiere_map", "priority", "tables", "actions", "vote"}
    assert set(KEYS) == expected


def join(rencontre, name: str, actor: str) -> Client:
    phone = Client()
    response = phone.post(
        f"/j/{rencontre.code}", {"name": name, "organisation": "Org", "actor_type": actor}
    )
    assert response.status_code == 303
    return phone


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    facilitator = Client()
    facilitator.force_login(user)
    phones = [
        join(rencontre, name, actor)
        for name, actor in (("Léa", "collectivite"), ("Karim", "entreprise"), ("Inès", "etat"))
    ]
    return rencontre, facilitator, phones


def add_activity(rencontre, key: str):
    step = rencontre.steps.order_by("position").last()
    activity = services.activity_create(step=step, kind=key, title=f"Essai {key}")
    services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    activity.refresh_from_db()
    return activity


def render_everywhere(rencontre, activity, facilitator, phone) -> dict[str, str]:
    """Every role's view of the activity, as its users get it (the PDF part directly)."""
    kind = kinds.get(activity.kind)
    pages = {
        "screen": facilitator.get(reverse("workshops:screen", args=[rencontre.code])),
        "control": facilitator.get(reverse("workshops:control", args=[rencontre.code])),
        "phone": phone.get(f"/j/{rencontre.code}"),
    }
    if kind.has_phone_part:
        pages["mine"] = phone.get(
            reverse("workshops:phone_part", args=[rencontre.code, activity.pk])
        )
    html = {role: response.content.decode() for role, response in pages.items()}
    assert {role: r.status_code for role, r in pages.items()} == dict.fromkeys(pages, 200)
    results = kind.results(activity)
    html["pdf"] = render_to_string(
        kind.pdf, {"activity": activity, "results": results, "rencontre": rencontre}
    )
    assert f"Essai {activity.kind}" in html["screen"]
    return html


def command_url(rencontre, activity, role: str, name: str, participant: Participant) -> str:
    if role == "control":
        return reverse("workshops:kind_command", args=[rencontre.code, activity.pk, name])
    if role == "phone":
        return reverse("workshops:phone_command", args=[rencontre.code, activity.pk, name])
    return reverse("workshops:personal_command", args=[participant.token, activity.kind, name])


def bad_data(form: KindForm) -> dict[str, str]:
    """A value no field accepts: a null character (refused by text fields), not a number,
    not a choice, not a date."""
    return dict.fromkeys(form.fields, "\x00pas valable")


@pytest.mark.parametrize("key", KEYS)
def test_kind_keeps_the_contract(room, key):
    rencontre, facilitator, phones = room
    kind = kinds.get(key)
    activity = add_activity(rencontre, key)
    participant = Participant.objects.get(rencontre=rencontre, name="Léa")

    empty = render_everywhere(rencontre, activity, facilitator, phones[0])
    results = kind.results(activity)
    assert isinstance(results, KindResults)
    assert results.n_answers == 0

    # Every command refuses bad input with a form error and changes nothing.
    before = (debrief.export_document(rencontre), kind.results(activity).n_answers)
    for role in ROLES:
        for cmd in getattr(kind, f"{role}_commands"):
            form = cmd.form(activity=activity, participant=participant)
            if not form.fields:
                continue  # a command without input has nothing to refuse
            bound = cmd.form(bad_data(form), activity=activity, participant=participant)
            assert not bound.is_valid(), f"{key}.{cmd.name} accepted bad input"
            client = facilitator if role == "control" else phones[0]
            url = command_url(rencontre, activity, role, cmd.name, participant)
            response = client.post(url, bad_data(form))
            assert response.status_code in (200, 302), (key, cmd.name, response.status_code)
    assert (debrief.export_document(rencontre), kind.results(activity).n_answers) == before
    for role in ROLES:
        url = command_url(rencontre, activity, role, "inexistante", participant)
        client = facilitator if role == "control" else phones[0]
        assert client.post(url).status_code == 404

    # The kind's examples, posted as a room would, fill the activity.
    examples = kind.examples(activity)
    for example in examples:
        assert kind.command(example.role, example.command) is not None, example
        senders = [facilitator] if example.role == "control" else phones
        for sender in senders:
            url = command_url(rencontre, activity, example.role, example.command, participant)
            assert sender.post(url, example.data).status_code in (200, 302), example
    filled_results = kind.results(activity)
    if examples:
        assert filled_results.n_answers > 0 or filled_results.in_debrief
    filled = render_everywhere(rencontre, activity, facilitator, phones[0])
    if kind.takes_input and examples:
        assert filled["screen"] != empty["screen"]

    # Exports have the columns they declare.
    for export in kind.exports():
        rows = list(export.rows(rencontre))
        assert export.columns
        assert all(len(row) == len(export.columns) for row in rows), export.name
        if examples:
            assert rows, f"{export.name} is empty after the examples"

    # The personal part, when the kind keeps something of the participant, renders.
    part = kind.personal(participant)
    if part is not None:
        assert render_to_string(part.template, part.context).strip()
        page = Client().get(reverse("workshops:personal", args=[participant.token]))
        assert page.status_code == 200
