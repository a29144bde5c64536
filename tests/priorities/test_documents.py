"""The planning document a priority asks to change: the phone's fields, the coach's sixth
question, the grouping by document on the wall, the PDF, the export and the personal page."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from priorities.coach import DOCUMENT_CHANGE_QUESTION, QUESTIONS, coach, propose, read
from priorities.forms import PriorityForm
from priorities.kinds import PriorityKind
from priorities.models import PlanningDocument, Priority
from priorities.selectors import (
    PRIORITY_COLUMNS,
    priorities_by_document,
    priority_rows,
    priority_wall,
)
from priorities.services import priority_save
from tests.factories import UserFactory, make_rencontre
from workshops import services as engine
from workshops.models import Activity, Participant

PRECISE = (
    "Créer 120 emplois de techniciens et soudeurs dans la filière batteries d'ici 2028, "
    "avec des retombées pour les sous-traitants locaux"
)


# ------------------------------------------------------------------ the coach, pure


@pytest.mark.parametrize(
    ("statement", "document", "phrase"),
    [
        ("Inscrire au PLUi une réserve foncière de 5 ha", "plui", ""),
        ("Réviser le PLU pour les extensions d'ateliers", "plui", ""),
        ("Réviser le SCoT", "scot", ""),
        ("Le schéma de cohérence territoriale doit densifier les zones", "scot", ""),
        ("Faire entrer le décolletage dans le SRDEII", "srdeii", ""),
        (
            "Créer 50 emplois dans les batteries, avec une fiche du contrat Territoires "
            "d'industrie",
            "ti",
            "une fiche du contrat Territoires d'industrie",
        ),
        ("Revoir la stratégie économique de l'agglo : trois filières cibles", "epci", ""),
        # Not a document: "plus", "Écosse", "plumes" start like "plu" or contain "scot".
        ("Former plus de soudeurs, avec des plumes et l'Écosse", "", ""),
        ("Attirer des projets exogènes", "", ""),
    ],
)
def test_the_sentence_names_its_document(statement, document, phrase):
    reading = read(statement)
    assert (reading.document, reading.document_phrase) == (document, phrase)


def test_the_document_is_the_sixth_question_answered_by_both_fields_or_the_sentence():
    five = {
        "statement": "Attirer des projets exogènes",
        "filiere": True,
        "jobs_count": 120,
        "benefits": ["subcontracting"],
        "horizon": "3y",
    }
    assert list(QUESTIONS) == ["filiere", "jobs", "benefits", "origin", "measure", "document"]
    result = coach(**five)
    assert (result.level, result.answered["document"]) == (5, False)
    assert result.next_question == str(QUESTIONS["document"])
    chosen = coach(**five, document="scot")
    assert (chosen.level, chosen.next_question) == (5, str(DOCUMENT_CHANGE_QUESTION))
    # A change line without its document does not answer it either.
    assert coach(**five, document_change="Densifier les zones").level == 5
    both = coach(**five, document="scot", document_change="Densifier les zones")
    assert (both.level, both.next_question) == (6, "")
    named = coach(**{**five, "statement": "Attirer des projets exogènes : 5 ha au PLUi"})
    assert (named.level, named.answered["document"]) == (6, True)


def test_an_earlier_question_is_still_asked_first():
    result = coach(statement="Réviser le SCoT")
    assert (result.level, result.next_question) == (1, str(QUESTIONS["filiere"]))


def test_the_document_named_is_proposed_with_its_clause_while_the_field_is_empty():
    reading = read("Créer 50 emplois dans les batteries, avec un avenant au SCoT d'ici 2027")
    (proposal,) = [p for p in propose(reading, {}, year=2026) if p.field == "document"]
    assert proposal.fill == {
        "document": "scot",
        "document_change": "un avenant au SCoT d'ici 2027",
    }
    assert proposal.value == "SCoT — « un avenant au SCoT d'ici 2027 »"
    kept = propose(reading, {"document_change": "déjà écrit"}, year=2026)
    assert [p.fill for p in kept if p.field == "document"] == [{"document": "scot"}]
    assert [
        p for p in propose(reading, {"document": "plui"}, year=2026) if p.field == "document"
    ] == []
    whole = propose(read("Réviser le SCoT"), {}, year=2026)
    assert [p.fill for p in whole] == [{"document": "scot"}]


# ------------------------------------------------------------------ form


def test_the_form_takes_a_document_and_a_change_line_and_rejects_the_rest_in_french():
    form = PriorityForm(
        {"rank": 1, "document": "plui", "document_change": "Zoner la friche"},
        activity=None,
        participant=None,
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["document"], form.cleaned_data["document_change"]) == (
        "plui",
        "Zoner la friche",
    )
    bad = PriorityForm(
        {"rank": 1, "document": "pluie", "document_change": "x" * 201},
        activity=None,
        participant=None,
    )
    assert not bad.is_valid()
    assert bad.errors["document"] == ["Ce document n'est pas dans la liste."]
    assert bad.errors["document_change"] == ["200 caractères au plus (vous en avez tapé 201)."]
    assert [choice for choice, _label in PriorityForm.base_fields["document"].choices] == [
        "srdeii",
        "epci",
        "scot",
        "plui",
        "ti",
        "other",
    ]


# ------------------------------------------------------------------ phone, services


@pytest.fixture
def room(db):
    rencontre = make_rencontre(facilitator=UserFactory())
    activity = Activity.objects.get(step__rencontre=rencontre, kind="priority")
    engine.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    return rencontre, activity


def phone_for(rencontre, name: str) -> Client:
    client = Client()
    client.post(
        f"/j/{rencontre.code}", {"name": name, "organisation": "Org", "actor_type": "entreprise"}
    )
    return client


def save_url(rencontre, activity) -> str:
    return reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "enregistrer"])


def test_the_phone_saves_the_document_and_a_bad_value_keeps_the_rest(room):
    rencontre, activity = room
    phone = phone_for(rencontre, "Ana")
    html = phone.post(
        save_url(rencontre, activity),
        {"rank": 1, "statement": PRECISE, "document": "plui"},
    ).content.decode()
    assert "Que faut-il changer dans ce document, en une ligne ?" in html
    html = phone.post(
        save_url(rencontre, activity),
        {"rank": 1, "statement": PRECISE, "document": "nope", "document_change": "x" * 250},
    ).content.decode()
    assert "Ce document n&#x27;est pas dans la liste." in html
    assert "200 caractères au plus (vous en avez tapé 250)." in html
    assert "Enregistré, sauf les champs signalés." in html
    priority = Priority.objects.get()
    assert (priority.statement, priority.document, priority.document_change) == (
        PRECISE,
        "plui",
        "",
    )
    html = phone.post(
        save_url(rencontre, activity),
        {"rank": 1, "statement": PRECISE, "document": "plui", "document_change": "Zoner 5 ha"},
    ).content.decode()
    assert "Précision 6/6" in html
    assert "Priorité précise : elle répond aux six questions." in html
    priority.refresh_from_db()
    assert (priority.document_change, priority.precision) == ("Zoner 5 ha", 6)
    # The reload shows both, the document as a checked tile.
    page = phone.get(
        reverse("workshops:phone_part", args=[rencontre.code, activity.pk])
    ).content.decode()
    assert re.search(r'<input type="radio" name="document" value="plui"[^>]* checked>', page)
    assert len(re.findall(r'name="document"[^>]* checked>', page)) == 1
    assert 'value="Zoner 5 ha"' in page
    assert "Qu&#x27;y changer, en une ligne ?" in page


def test_priority_save_counts_the_document_in_the_precision(room):
    rencontre, activity = room
    person = Participant.objects.create(
        rencontre=rencontre, name="Ana", organisation="Org", actor_type="entreprise"
    )
    values = {
        "statement": "Attirer des projets exogènes",
        "jobs_count": 120,
        "benefits": ["training"],
        "horizon": "3y",
        "filiere_other": "Hydrogène",
    }
    priority = priority_save(activity=activity, participant=person, rank=1, values=values)
    assert priority.precision == 5
    priority = priority_save(
        activity=activity,
        participant=person,
        rank=1,
        values={"document": "ti", "document_change": "Une fiche action hydrogène"},
    )
    assert (priority.precision, priority.statement) == (6, "Attirer des projets exogènes")


# ------------------------------------------------------------------ grouping, wall, PDF


def _priority(rencontre, n: int, document: str, change: str = "") -> Priority:
    person = Participant.objects.create(
        rencontre=rencontre, name=f"P{n}", organisation="Org", actor_type="entreprise"
    )
    return Priority.objects.create(
        rencontre=rencontre,
        participant=person,
        statement=f"Priorité {n}",
        document=document,
        document_change=change,
    )


def test_priorities_by_document_most_named_first_then_choice_order(room):
    rencontre, _activity = room
    a = _priority(rencontre, 1, "scot")  # no change line yet: after the others
    b = _priority(rencontre, 2, "scot", "Densifier")
    c = _priority(rencontre, 3, "plui", "Zoner la friche")
    d = _priority(rencontre, 4, "srdeii", "Une aide")
    none = _priority(rencontre, 5, "")
    e = _priority(rencontre, 6, "plui", "Hauteur")
    f = _priority(rencontre, 7, "plui", " zoner  la FRICHE ")  # the same line, said otherwise
    groups = priorities_by_document([a, b, c, d, none, e, f])
    assert [(g.code, g.label, [p.pk for p in g.priorities], g.lines) for g in groups] == [
        ("plui", "PLUi", [c.pk, e.pk, f.pk], [("Zoner la friche", 2), ("Hauteur", 1)]),
        ("scot", "SCoT", [b.pk, a.pk], [("Densifier", 1)]),
        ("srdeii", "SRDEII (schéma régional)", [d.pk], [("Une aide", 1)]),
    ]
    assert [g.unsaid for g in groups] == [0, 1, 0]
    assert priorities_by_document([]) == []


def test_the_wall_and_the_pdf_group_by_document(room, django_assert_max_num_queries):
    rencontre, activity = room
    _priority(rencontre, 1, "plui", "Classer la friche en zone d'activités")
    _priority(rencontre, 2, "plui", "")
    _priority(rencontre, 5, "plui", "Classer la friche en zone d'activités")
    _priority(rencontre, 3, "ti", "Une fiche action compétences")
    _priority(rencontre, 4, "")
    with django_assert_max_num_queries(4):
        results = priority_wall(activity)
    assert [(doc.code, len(doc.priorities)) for doc in results["documents"]] == [
        ("plui", 3),
        ("ti", 1),
    ]
    assert results["undocumented"] == 1
    context = {"results": results, "activity": activity, "rencontre": rencontre}
    wall = render_to_string("priorities/kinds/priority.html#wall", context)
    assert "Documents à faire évoluer" in wall
    assert 'data-document="plui">PLUi <span class="docwall__n">3</span>' in wall
    # Each distinct change line once, with its count; not the empty one.
    assert wall.count('class="docwall__item"') == 2
    assert 'activités <span class="docwall__times">×2</span>' in wall
    assert "Classer la friche en zone d&#x27;activités" in wall
    pdf = render_to_string("priorities/kinds/priority.html#pdf", context)
    assert "Par document à faire évoluer" in pdf
    assert "PLUi (3)" in pdf
    assert 'Classer la friche en zone d&#x27;activités <span class="precision">×2</span>' in pdf
    assert "Contrat Territoires d&#x27;industrie (1)" in pdf
    assert "1 priorité ne dit pas encore quoi y changer." in pdf
    assert "1 priorité ne nomme pas encore de document." in pdf


def test_no_document_block_when_no_priority_names_one(room):
    rencontre, activity = room
    _priority(rencontre, 1, "")
    results = priority_wall(activity)
    context = {"results": results, "activity": activity, "rencontre": rencontre}
    assert results["documents"] == []
    assert "docwall" not in render_to_string("priorities/kinds/priority.html#wall", context)
    assert "Par document" not in render_to_string("priorities/kinds/priority.html#pdf", context)


def test_the_export_has_the_two_columns(room):
    rencontre, _activity = room
    _priority(rencontre, 1, "epci", "Trois filières cibles")
    (row,) = priority_rows(rencontre)
    row = dict(zip(PRIORITY_COLUMNS, row, strict=True))
    assert (row["document"], row["changement_document"]) == (
        "Stratégie économique de l'EPCI",
        "Trois filières cibles",
    )


def test_the_personal_page_shows_the_document(room):
    rencontre, _activity = room
    priority = _priority(rencontre, 1, "scot", "Densifier les zones d'activités")
    personal = PriorityKind().personal(priority.participant)
    html = render_to_string(personal.template, personal.context)
    assert "À faire évoluer : SCoT — Densifier les zones d&#x27;activités" in html
    assert "précision 0/6" in html


def test_every_document_has_a_label_and_the_choices_match_the_method():
    assert [str(label) for label in PlanningDocument.labels] == [
        "SRDEII (schéma régional)",
        "Stratégie économique de l'EPCI",
        "SCoT",
        "PLUi",
        "Contrat Territoires d'industrie",
        "Autre document",
    ]
