"""Actions carried together ("Je m'associe"), the contacts partners exchange (only with both
consents) and the spread of due dates the phone proposes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from priorities import selectors, services
from priorities.forms import ActionForm, due_from_choice, in_one_month
from priorities.models import Action, Partnership
from tests.factories import make_rencontre
from workshops import debrief
from workshops import services as engine
from workshops.models import Activity, Participant

pytestmark = pytest.mark.django_db


def join(rencontre, name: str, *, listed: bool, organisation: str = "Org") -> Participant:
    return engine.participant_join(
        rencontre=rencontre,
        name=name,
        organisation=organisation,
        actor_type="entreprise",
        listed=listed,
    )


def consent(participant: Participant, *, contact: str = "", agreed: bool = True) -> None:
    engine.participant_contact_set(
        participant=participant,
        email="",
        email_consent=False,
        contact=contact,
        contact_consent=agreed,
    )


@pytest.fixture
def room():
    rencontre = make_rencontre()
    activity = Activity.objects.get(step__rencontre=rencontre, kind="actions")
    engine.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    lea = join(rencontre, "Léa Martin", listed=True, organisation="Région")
    karim = join(rencontre, "Karim Benali", listed=False, organisation="Atelier Benali")
    action = services.action_create(
        activity=activity,
        participant=lea,
        text="Réunir les DRH du décolletage",
        kind=Action.Kind.START,
        owner="Léa Martin (Région)",
        due=timezone.localdate() + dt.timedelta(days=7),
        priority=None,
    )
    return rencontre, activity, lea, karim, action


# ---------------------------------------------------------------- the toggle


def test_partnership_toggle_joins_once_and_leaves(room):
    _rencontre, _activity, _lea, karim, action = room
    services.partnership_set(participant=karim, action=action, joined=True)
    services.partnership_set(participant=karim, action=action, joined=True)
    assert list(Partnership.objects.values_list("participant_id", flat=True)) == [karim.pk]
    services.partnership_set(participant=karim, action=action, joined=False)
    assert Partnership.objects.count() == 0


def test_partnership_refuses_ones_own_action(room):
    _rencontre, _activity, lea, _karim, action = room
    with pytest.raises(services.NotAllowedError):
        services.partnership_set(participant=lea, action=action, joined=True)
    assert Partnership.objects.count() == 0


def test_partnership_refuses_another_rencontres_action(room):
    _rencontre, _activity, _lea, _karim, action = room
    stranger = join(make_rencontre(title="B"), "Zoé", listed=True)
    with pytest.raises(services.NotAllowedError):
        services.partnership_set(participant=stranger, action=action, joined=True)


def test_partners_appear_by_name_only_when_listed(room):
    rencontre, _activity, _lea, karim, action = room
    services.partnership_set(participant=karim, action=action, joined=True)
    zoe = join(rencontre, "Zoé Durand", listed=True, organisation="CCI")
    services.partnership_set(participant=zoe, action=action, joined=True)
    [shown] = selectors.actions_with_support(rencontre_id=rencontre.pk)
    assert shown.partner_labels == ["Entreprise", "Zoé Durand (CCI)"]


def test_phone_command_joins_and_the_button_says_so(room, client):
    rencontre, activity, _lea, _karim, action = room
    client.post(
        f"/j/{rencontre.code}",
        {"name": "Inès", "organisation": "Pôle", "actor_type": "autre", "listed": "on"},
    )
    ines = Participant.objects.get(name="Inès")
    url = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "s-associer"])
    response = client.post(url, {"action": action.pk})
    assert response.status_code == 200
    assert "✓ Je m'associe" in response.content.decode()
    assert Partnership.objects.filter(participant=ines, action=action).count() == 1
    wall = selectors.actions_results(activity)
    assert wall["all"][0].partner_labels == ["Inès (Pôle)"]


def test_phone_command_refuses_joining_ones_own_action(room):
    rencontre, activity, _lea, _karim, _action = room
    client = Client()
    client.post(f"/j/{rencontre.code}", {"name": "Ana", "organisation": "X", "actor_type": "autre"})
    ana = Participant.objects.get(name="Ana")
    own = services.action_create(
        activity=activity,
        participant=ana,
        text="Ouvrir l'atelier",
        kind=Action.Kind.START,
        owner="Ana",
        due=timezone.localdate() + dt.timedelta(days=3),
        priority=None,
    )
    url = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "s-associer"])
    response = client.post(url, {"action": own.pk})
    assert "c&#x27;est la vôtre" in response.content.decode()
    assert Partnership.objects.count() == 0


# ---------------------------------------------------------------- the consent matrix


@pytest.mark.parametrize(
    ("lea_agrees", "karim_agrees", "shown"),
    [(False, False, False), (True, False, False), (False, True, False), (True, True, True)],
)
def test_contacts_are_exchanged_only_with_both_consents(room, lea_agrees, karim_agrees, shown):
    _rencontre, _activity, lea, karim, action = room
    services.partnership_set(participant=karim, action=action, joined=True)
    consent(lea, contact="lea@region.example", agreed=lea_agrees)
    consent(karim, contact="06 12 34 56 78", agreed=karim_agrees)
    lea.refresh_from_db()
    karim.refresh_from_db()
    [lea_view] = selectors.actions_carried(lea)
    [karim_view] = selectors.actions_carried(karim)
    # Léa's page: her partner Karim, unlisted, appears by his actor type.
    expected_karim = {
        "label": "Entreprise",
        "organisation": "Atelier Benali" if shown else "",
        "contact": "06 12 34 56 78" if shown else "",
    }
    assert lea_view.people == [expected_karim]
    # Karim's page: the author Léa, listed (her organisation is in her label).
    expected_lea = {
        "label": "Léa Martin (Région)",
        "organisation": "",
        "contact": "lea@region.example" if shown else "",
    }
    assert karim_view.people == [expected_lea]
    assert karim_view.joined is True
    assert lea_view.joined is False


def test_contact_without_consent_is_not_kept(room):
    _rencontre, _activity, lea, _karim, _action = room
    consent(lea, contact="lea@region.example", agreed=False)
    lea.refresh_from_db()
    assert (lea.contact, lea.contact_consent) == ("", False)


# ---------------------------------------------------------------- the spread of due dates


def test_due_choices_spread_from_tomorrow_to_a_month():
    today = dt.date(2027, 1, 31)
    assert due_from_choice("tomorrow", today) == dt.date(2027, 2, 1)
    assert due_from_choice("week", today) == dt.date(2027, 2, 7)
    assert due_from_choice("month", today) == dt.date(2027, 2, 28)  # no 31 February
    assert due_from_choice("date", today) is None
    assert in_one_month(dt.date(2027, 12, 15)) == dt.date(2028, 1, 15)


def _form(room, data):
    _rencontre, activity, lea, _karim, _action = room
    base = {"text": "Appeler la DREETS", "kind": "change", "owner": "Léa"}
    return ActionForm({**base, **data}, activity=activity, participant=lea)


def test_action_form_proposes_no_default_date(room):
    form = _form(room, {})
    assert form.initial.get("due") is None
    assert form.fields["when"].initial is None
    assert not form.is_valid()
    assert form.errors["when"] == ["Choisissez une échéance."]


@pytest.mark.parametrize(
    ("when", "days"), [("tomorrow", 1), ("week", 7)], ids=["demain", "semaine"]
)
def test_action_form_turns_a_choice_into_its_date(room, when, days):
    form = _form(room, {"when": when})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["due"] == timezone.localdate() + dt.timedelta(days=days)
    assert "when" not in form.cleaned_data


def test_action_form_with_a_precise_date_asks_for_it(room):
    form = _form(room, {"when": "date"})
    assert not form.is_valid()
    assert form.errors["due"] == ["Indiquez la date."]
    day = timezone.localdate() + dt.timedelta(days=40)
    form = _form(room, {"when": "date", "due": day.isoformat()})
    assert form.is_valid()
    assert form.cleaned_data["due"] == day


def test_phone_form_shows_the_four_choices_with_their_dates(room):
    rencontre, activity, _lea, _karim, _action = room
    client = Client()
    client.post(f"/j/{rencontre.code}", {"name": "Ana", "organisation": "X", "actor_type": "autre"})
    page = client.get(reverse("workshops:phone_part", args=[rencontre.code, activity.pk]))
    html = page.content.decode()
    for label in (
        "Demain<small",
        "Dans une semaine<small",
        "Dans un mois<small",
        "À une date précise",
    ):
        assert label in html
    radios = re.findall(r'<input type="radio" name="when"[^>]*>', html)
    assert len(radios) == 4
    assert [r for r in radios if "checked" in r] == []


def test_debrief_pdf_lists_the_partners_as_consented(room):
    rencontre, _activity, _lea, karim, action = room
    services.partnership_set(participant=karim, action=action, joined=True)
    html = debrief.debrief_html(rencontre)
    assert "Réunir les DRH du décolletage" in html
    assert "avec Entreprise" in html
    assert "Karim" not in html
    assert "Atelier Benali" not in html
