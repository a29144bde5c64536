"""What each table concludes: the rapporteur, the conclusion, the wall's pages, the PDF part,
the export and the personal part."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from priorities import selectors, services
from priorities.models import PeerGroup, Seat, TableConclusion
from tests.factories import UserFactory, make_rencontre
from workshops import access, kinds
from workshops import services as engine
from workshops.models import Activity, Participant

pytestmark = pytest.mark.django_db


def join(rencontre, name: str, *, listed: bool = True) -> Participant:
    return engine.participant_join(
        rencontre=rencontre, name=name, organisation="Org", actor_type="entreprise", listed=listed
    )


@pytest.fixture
def room():
    """Six people at two tables of three (table 1: Ana, Bruno, Chloé; table 2: the others)."""
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    people = [join(rencontre, n) for n in ("Ana", "Bruno", "Chloé", "Driss", "Emma", "Farid")]
    for number, members in ((1, people[:3]), (2, people[3:])):
        table = PeerGroup.objects.create(rencontre=rencontre, number=number)
        Seat.objects.bulk_create(Seat(table=table, participant=p) for p in members)
    activity = Activity.objects.get(step__rencontre=rencontre, kind="tables")
    engine.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    activity.refresh_from_db()
    return rencontre, activity, user, {p.name: p for p in people}


def table(rencontre, number: int) -> PeerGroup:
    return PeerGroup.objects.get(rencontre=rencontre, number=number)


def test_first_volunteer_becomes_rapporteur_and_a_second_is_refused(room):
    rencontre, _activity, _user, p = room
    services.table_reporter_volunteer(participant=p["Bruno"])
    services.table_reporter_volunteer(participant=p["Bruno"])  # again: harmless
    with pytest.raises(services.AlreadyTakenError):
        services.table_reporter_volunteer(participant=p["Ana"])
    assert TableConclusion.objects.get(table=table(rencontre, 1)).reporter == p["Bruno"]


def test_volunteering_without_a_seat_is_refused(room):
    rencontre, _activity, _user, _p = room
    late = join(rencontre, "Gaspard")
    with pytest.raises(services.NotAllowedError):
        services.table_reporter_volunteer(participant=late)
    assert TableConclusion.objects.count() == 0


def test_facilitator_hands_the_role_over_within_the_table_only(room):
    rencontre, _activity, _user, p = room
    services.table_reporter_volunteer(participant=p["Bruno"])
    services.table_reporter_set(table=table(rencontre, 1), participant=p["Chloé"])
    with pytest.raises(services.NotAllowedError):
        services.table_reporter_set(table=table(rencontre, 1), participant=p["Driss"])
    assert TableConclusion.objects.get(table=table(rencontre, 1)).reporter == p["Chloé"]


def test_only_the_rapporteur_writes_the_conclusion(room):
    rencontre, _activity, _user, p = room
    services.table_reporter_volunteer(participant=p["Ana"])
    services.table_conclusion_write(
        participant=p["Ana"], findings="Le foncier manque.", proposal="Un club des industriels"
    )
    with pytest.raises(services.NotAllowedError):
        services.table_conclusion_write(participant=p["Bruno"], findings="x", proposal="y")
    with pytest.raises(services.NotAllowedError):  # no rapporteur at table 2 yet
        services.table_conclusion_write(participant=p["Driss"], findings="x", proposal="y")
    conclusion = TableConclusion.objects.get(table=table(rencontre, 1))
    assert (conclusion.findings, conclusion.proposal) == (
        "Le foncier manque.",
        "Un club des industriels",
    )


def post_phone(client: Client, rencontre, activity, name: str, data: dict):
    return client.post(
        reverse("workshops:phone_command", args=[rencontre.code, activity.pk, name]), data
    )


def phone(participant: Participant) -> Client:
    """A phone holding this participant's signed cookie, as after joining."""
    client = Client()
    name = access.participant_cookie_name(participant.rencontre_id)
    client.cookies[name] = access._signer(name).sign(participant.token)
    return client


def test_phones_volunteer_write_and_the_others_read(room):
    rencontre, activity, _user, p = room
    ana, bruno = phone(p["Ana"]), phone(p["Bruno"])
    page = post_phone(ana, rencontre, activity, "rapporteur", {}).content.decode()
    assert "Vous êtes le rapporteur : écrivez" in page
    refused = post_phone(bruno, rencontre, activity, "rapporteur", {}).content.decode()
    assert "Votre table a déjà un rapporteur." in refused
    too_long = post_phone(
        ana, rencontre, activity, "conclure", {"findings": "a\nb\nc\nd", "proposal": "Club"}
    ).content.decode()
    assert "Trois lignes au plus" in too_long
    assert "a\nb\nc\nd" in too_long  # what was typed is kept
    post_phone(
        ana,
        rencontre,
        activity,
        "conclure",
        {"findings": "  Le foncier manque.\n\n Les PME s'ignorent. ", "proposal": "Un  club"},
    )
    mine = bruno.get(reverse("workshops:phone_part", args=[rencontre.code, activity.pk]))
    html = mine.content.decode()
    assert "Le foncier manque.<br>Les PME s&#x27;ignorent." in html
    assert "Un club" in html
    assert 'name="findings"' not in html  # read-only for the others
    refused = post_phone(bruno, rencontre, activity, "conclure", {"findings": "x", "proposal": "y"})
    assert "Seul le rapporteur de la table peut écrire sa conclusion." in refused.content.decode()
    conclusion = TableConclusion.objects.get(table=table(rencontre, 1))
    assert (conclusion.findings, conclusion.proposal) == (
        "Le foncier manque.\nLes PME s'ignorent.",
        "Un club",
    )


def write(participant, proposal: str) -> None:
    services.table_reporter_volunteer(participant=participant)
    services.table_conclusion_write(participant=participant, findings="Constat", proposal=proposal)


def shown(activity) -> int | None:
    activity.refresh_from_db()
    return activity.config.get("shown_table")


def test_the_wall_pages_through_the_tables_that_concluded(room):
    _rencontre, activity, _user, p = room
    assert services.tables_show(activity=activity, step=1) is None  # nothing written yet
    assert shown(activity) is None
    write(p["Ana"], "Proposition de la table 1")
    write(p["Driss"], "Proposition de la table 2")
    pages = []
    for _turn in range(3):
        services.tables_show(activity=activity, step=1)
        pages.append(shown(activity))
    services.tables_show(activity=activity, step=-1)
    pages.append(shown(activity))
    assert pages == [1, 2, 1, 2]
    results = kinds.get("tables").results(activity)
    assert (results["shown"].proposal, results["shown_index"]) == ("Proposition de la table 2", 2)
    services.tables_show_plan(activity=activity)
    assert shown(activity) is None
    assert kinds.get("tables").results(activity)["shown"] is None


def test_the_wall_shows_the_table_and_hides_an_unlisted_rapporteur(room):
    rencontre, activity, user, p = room
    Participant.objects.filter(pk=p["Ana"].pk).update(listed=False)
    write(Participant.objects.get(pk=p["Ana"].pk), "Un guichet unique du foncier")
    services.tables_show(activity=activity, step=1)
    activity.refresh_from_db()
    facilitator = Client()
    facilitator.force_login(user)
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "Un guichet unique du foncier" in wall
    assert "Conclusion 1 sur 1" in wall
    assert "Ana" not in wall
    assert "rapporteur : Entreprise" in wall


def test_the_panel_key_pages_the_wall(room):
    rencontre, activity, user, p = room
    write(p["Ana"], "Table 1 propose")
    write(p["Driss"], "Table 2 propose")
    facilitator = Client()
    facilitator.force_login(user)
    panel = facilitator.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    assert 'data-key="page"' in panel
    next_url = reverse(
        "workshops:kind_command", args=[rencontre.code, activity.pk, "conclusion-suivante"]
    )
    facilitator.post(next_url)
    facilitator.post(next_url)
    assert shown(activity) == 2
    reporter_url = reverse(
        "workshops:kind_command", args=[rencontre.code, activity.pk, "rapporteur"]
    )
    facilitator.post(reporter_url, {"participant": p["Emma"].pk})
    assert TableConclusion.objects.get(table=table(rencontre, 2)).reporter == p["Emma"]


def test_conclusions_open_the_pdf_part_and_fill_export_and_personal_part(room):
    rencontre, activity, _user, p = room
    write(p["Ana"], "Un club des industriels")
    kind = kinds.get("tables")
    results = kind.results(activity)
    pdf = render_to_string(kind.pdf, {"activity": activity, "results": results})
    assert pdf.index("Ce que concluent les tables") < pdf.index("Composition des tables")
    assert "Un club des industriels" in pdf
    assert selectors.conclusion_rows(rencontre) == [
        [1, f"P{p['Ana'].pk}", "Constat", "Un club des industriels"]
    ]
    part = kind.personal(p["Bruno"])
    html = render_to_string(part.template, part.context)
    assert "Un club des industriels" in html
    assert "Rapporteur : Ana." in html
    assert kind.personal(p["Driss"]) is None  # table 2 has not concluded


def test_the_other_members_poll_the_conclusion_and_the_rapporteur_does_not(room):
    rencontre, activity, _user, p = room
    write(p["Ana"], "Un club")
    part = reverse("workshops:phone_part", args=[rencontre.code, activity.pk])
    reader = phone(p["Bruno"]).get(part, {"part": "conclusion"}).content.decode()
    assert reader.strip().startswith('<section id="conclusion-')
    assert 'hx-trigger="every 10s"' in reader
    assert "Un club" in reader
    writer = phone(p["Ana"]).get(part, {"part": "conclusion"}).content.decode()
    assert 'hx-trigger="every 10s"' not in writer
    assert 'name="proposal"' in writer
    assert "Conclusion enregistrée à" in writer
