"""Deciding together: the ballot, the cap on points, close and reveal, the ranking, the
decisions leading the debrief."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from priorities import selectors, services
from priorities.models import Action, PeerGroup, Seat, Support, VotePoints
from tests.factories import UserFactory, make_rencontre
from workshops import access, debrief, kinds
from workshops import services as engine
from workshops.models import Activity, Participant

pytestmark = pytest.mark.django_db


def join(rencontre, name: str) -> Participant:
    return engine.participant_join(
        rencontre=rencontre, name=name, organisation="Org", actor_type="entreprise", listed=True
    )


def phone(participant: Participant) -> Client:
    client = Client()
    name = access.participant_cookie_name(participant.rencontre_id)
    client.cookies[name] = access._signer(name).sign(participant.token)
    return client


def act(rencontre, participant, text: str, supporters) -> Action:
    action = Action.objects.create(
        rencontre=rencontre, participant=participant, text=text, owner=f"{text} porteur",
        due=dt.date(2026, 12, 1),
    )  # fmt: skip
    Support.objects.bulk_create(Support(action=action, participant=s) for s in supporters)
    return action


@pytest.fixture
def room():
    """Two tables with a joint proposal each, seven actions with 7 to 1 supports... and the
    default agenda's vote as the current activity."""
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    people = [join(rencontre, f"P{i}") for i in range(8)]
    for number, members in ((1, people[:4]), (2, people[4:])):
        table = PeerGroup.objects.create(rencontre=rencontre, number=number)
        Seat.objects.bulk_create(Seat(table=table, participant=p) for p in members)
        services.table_reporter_volunteer(participant=members[0])
        services.table_conclusion_write(
            participant=members[0], findings="Constat", proposal=f"Proposition {number}"
        )
    # A table that concluded without a proposal is not on the ballot.
    lonely = PeerGroup.objects.create(rencontre=rencontre, number=3)
    extra = join(rencontre, "Solo")
    Seat.objects.create(table=lonely, participant=extra)
    services.table_reporter_volunteer(participant=extra)
    for n in range(7, 0, -1):  # "Action 7" has 7 supports ... "Action 1" has 1
        act(rencontre, people[0], f"Action {n}", people[1 : n + 1])
    act(rencontre, people[0], "Action sans soutien", [])
    vote = Activity.objects.get(step__rencontre=rencontre, kind="vote")
    engine.activity_goto(rencontre=rencontre, activity_id=vote.pk)
    vote.refresh_from_db()
    return rencontre, vote, user, people


def key_of(vote, label: str) -> str:
    return next(o["key"] for o in selectors.vote_options(vote) if o["label"] == label)


def test_ballot_is_the_tables_proposals_then_the_five_most_supported_actions(room):
    _rencontre, vote, _user, _people = room
    options = selectors.vote_options(vote)
    assert [(o["label"], o["carrier"]) for o in options] == [
        ("Proposition 1", "Table 1"),
        ("Proposition 2", "Table 2"),
        ("Action 7", "Action 7 porteur"),
        ("Action 6", "Action 6 porteur"),
        ("Action 5", "Action 5 porteur"),
        ("Action 4", "Action 4 porteur"),
        ("Action 3", "Action 3 porteur"),
    ]


def test_points_are_capped_per_participant(room):
    _rencontre, vote, _user, people = room
    voter = people[1]
    one, two = key_of(vote, "Proposition 1"), key_of(vote, "Action 7")
    assert services.vote_points_set(activity=vote, participant=voter, option=one, points=2) == 1
    with pytest.raises(services.LimitReachedError):
        services.vote_points_set(activity=vote, participant=voter, option=two, points=2)
    assert services.vote_points_set(activity=vote, participant=voter, option=two, points=1) == 0
    # Moving a point: take it back here, give it there.
    services.vote_points_set(activity=vote, participant=voter, option=one, points=1)
    services.vote_points_set(activity=vote, participant=voter, option=two, points=2)
    mine = dict(VotePoints.objects.filter(participant=voter).values_list("option", "points"))
    assert mine == {one: 1, two: 2}


def test_a_double_tap_counts_once(room):
    _rencontre, vote, _user, people = room
    one = key_of(vote, "Proposition 1")
    for _tap in range(2):
        services.vote_points_set(activity=vote, participant=people[1], option=one, points=1)
    assert list(VotePoints.objects.values_list("points", flat=True)) == [1]


def test_an_option_off_the_ballot_is_refused(room):
    rencontre, vote, _user, people = room
    unsupported = Action.objects.get(rencontre=rencontre, text="Action sans soutien")
    with pytest.raises(services.NotAllowedError):
        services.vote_points_set(
            activity=vote, participant=people[1], option=f"a{unsupported.pk}", points=1
        )
    assert VotePoints.objects.count() == 0


def test_a_refused_tap_says_why_on_the_phone(room):
    _rencontre, vote, _user, people = room
    client = phone(people[2])
    url = reverse("workshops:phone_command", args=[vote.step.rencontre.code, vote.pk, "points"])
    one, two = key_of(vote, "Proposition 1"), key_of(vote, "Proposition 2")
    html = client.post(url, {"option": one, "points": 3}).content.decode()
    assert 'data-left="0"' in html
    html = client.post(url, {"option": two, "points": 1}).content.decode()
    assert "Vous avez déjà placé tous vos points" in html
    assert dict(VotePoints.objects.values_list("option", "points")) == {one: 3}


def cast(vote, people, ballots: dict[int, dict[str, int]]) -> None:
    for index, ballot in ballots.items():
        for label, points in ballot.items():
            services.vote_points_set(
                activity=vote, participant=people[index], option=key_of(vote, label), points=points
            )


def test_ranking_by_points_then_voters_then_ballot_order(room):
    _rencontre, vote, _user, people = room
    cast(
        vote,
        people,
        {
            1: {"Action 5": 3},
            2: {"Proposition 2": 1, "Action 7": 2},
            3: {"Proposition 2": 2, "Action 4": 1},
            4: {"Action 7": 1, "Action 4": 2},
        },
    )
    results = selectors.vote_results(vote)
    ranking = [(r["label"], r["points"], r["voters"]) for r in results["ranking"]]
    assert ranking[:5] == [
        ("Proposition 2", 3, 2),  # same points and voters: the ballot's order
        ("Action 7", 3, 2),
        ("Action 4", 3, 2),  # 3 points from two voters before 3 points from one
        ("Action 5", 3, 1),
        ("Proposition 1", 0, 0),
    ]
    assert results.n_answers == 4
    assert [r["label"] for r in results["retained"]] == ["Proposition 2", "Action 7", "Action 4"]


def test_the_wall_shows_the_count_until_closed_then_the_ranking(room):
    rencontre, vote, user, people = room
    cast(vote, people, {1: {"Action 6": 3}, 2: {"Proposition 1": 3}, 3: {"Action 6": 1}})
    facilitator = Client()
    facilitator.force_login(user)
    screen = reverse("workshops:screen", args=[rencontre.code])
    wall = facilitator.get(screen).content.decode()
    assert "participants ont voté" in wall
    assert "Action 6" not in wall
    assert selectors.vote_results(vote).lead == ""
    facilitator.post(reverse("workshops:answers_close", args=[rencontre.code]))
    vote.refresh_from_db()
    wall = facilitator.get(screen).content.decode()
    assert wall.index("Action 6") < wall.index("Proposition 1")
    assert "Les 2 décisions retenues" in wall
    # A tap after the close changes nothing.
    refused = phone(people[4]).post(
        reverse("workshops:phone_command", args=[rencontre.code, vote.pk, "points"]),
        {"option": key_of(vote, "Action 6"), "points": 1},
    )
    assert refused.status_code == 409
    assert VotePoints.objects.count() == 3


def test_decisions_lead_the_debrief_with_who_carries_them(room):
    rencontre, vote, _user, people = room
    cast(vote, people, {1: {"Action 6": 3}, 2: {"Proposition 1": 2, "Action 3": 1}})
    rencontre.refresh_from_db()
    assert engine.activity_set_open(rencontre=rencontre, is_open=False)
    vote.refresh_from_db()
    context = debrief.debrief_context(rencontre)
    assert [item["activity"].pk for item in context["leads"]] == [vote.pk]
    in_sections = [i["activity"].pk for s in context["sections"] for i in s["items"]]
    assert vote.pk not in in_sections
    html = debrief.debrief_html(rencontre, context=context)
    assert html.index("Ce que nous décidons") < html.index('id="synthese"')
    lead = html[html.index('id="lead-') : html.index('id="synthese"')]
    assert lead.index("Action 6") < lead.index("Proposition 1") < lead.index("Action 3")
    assert "Porté par : Table 1" in lead
    assert "Porté par : Action 6 porteur" in lead
    part = kinds.get("vote").personal(people[2])
    mine = render_to_string(part.template, part.context)
    assert mine.index("Action 6") < mine.index("Proposition 1")
    assert "dont 2 de vous" in mine
    assert kinds.get("vote").personal(people[5]) is None  # did not vote


def test_exports_and_contract_parts(room):
    rencontre, vote, _user, people = room
    cast(vote, people, {1: {"Proposition 2": 3}})
    rows = selectors.vote_rows(rencontre)
    assert rows[0] == [vote.title, 1, "Proposition 2", "Table 2", 3, 1, "oui"]
    assert rows[1][-1] == "non"  # no points: not retained
    kind = kinds.get("vote")
    results = kind.results(vote)
    pdf = render_to_string(kind.pdf, {"activity": vote, "results": results})
    assert "Vote encore ouvert" in pdf
