"""The precision coach on a table of priorities, from vague to precise, with the level each
one should get (0-5) and, where useful, whether it reads as vague."""

from __future__ import annotations

import pytest

from priorities.coach import QUESTIONS, coach

TEXT_ONLY = [
    # (statement, expected level, vague)
    ("", 0, False),
    ("Attirer des projets exogènes", 1, True),  # origin only
    ("Développer l'économie", 0, True),
    ("Accompagner les entreprises", 0, True),
    ("Renforcer l'attractivité du territoire", 0, True),
    ("Favoriser l'innovation", 0, True),
    ("Dynamiser le tissu industriel", 0, True),
    ("Attirer des entreprises", 1, True),
    ("Soutenir la filière bois", 1, False),
    ("Développer la filière hydrogène", 1, False),
    ("Recruter des soudeurs", 1, False),
    ("Créer 50 emplois", 2, False),  # jobs + creation
    ("Former des techniciens de maintenance", 2, False),  # jobs + formation (benefit)
    ("Faire grandir les entreprises locales du décolletage", 2, False),
    ("Attirer une usine de batteries", 2, False),
    ("Attirer une usine de batteries avec 300 emplois", 3, False),
    (
        "Implanter une gigafactory de batteries : 300 emplois de techniciens, sous-traitance locale",
        4,
        False,
    ),
    (
        "Réindustrialiser la friche Nexans pour la plasturgie",
        2,
        False,
    ),  # friche=benefit, plasturgie
    ("Développer la sous-traitance locale de l'aéronautique", 2, False),
    ("Accueillir 3 start-up industrielles du recyclage d'ici 2028", 2, False),  # no indicator
    (
        "D'ici 2028, attirer deux projets de recyclage des batteries créant 150 emplois d'opérateurs, "
        "avec 30 % d'achats locaux",
        5,
        False,
    ),
    (
        "Faire grandir nos PME du décolletage vers le médical : 80 postes d'usineurs, formation "
        "au lycée pro, mesuré par le nombre d'embauches d'ici 2027, entreprises locales",
        5,
        False,
    ),
    ("Accompagner les entreprises locales", 1, True),  # origin only, still vague
    ("Développer le numérique", 1, False),
    (
        "Créer un centre de formation aux métiers de l'industrie",
        3,
        False,
    ),  # creation, formation, métiers
    ("Améliorer l'attractivité pour les jeunes", 0, True),
    ("Valoriser le foncier économique", 1, False),  # foncier: a benefit, not vague any more
    (
        "Taux de reprise de 80 % des entreprises industrielles d'ici 2030",
        2,
        False,
    ),  # origin(reprise)+measure
    ("Promouvoir l'industrie", 0, True),
    ("Mieux coordonner les acteurs publics", 0, False),
]

STRUCTURED = [
    # (fields, expected level)
    ({"statement": "Attirer des projets exogènes", "filiere": True}, 2),
    ({"statement": "Attirer des projets exogènes", "filiere": True, "jobs_count": 120}, 3),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_count": 120,
            "benefits": ["subcontracting"],
        },
        4,
    ),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_count": 120,
            "benefits": ["subcontracting"],
            "horizon": "3y",
        },
        4,  # a horizon without an indicator is not yet measurable
    ),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_count": 120,
            "benefits": ["subcontracting"],
            "horizon": "3y",
            "indicator": "emplois créés",
        },
        5,
    ),
    ({"statement": "Une priorité", "origin": "endogenous", "jobs_kinds": "ingénieurs"}, 2),
]


@pytest.mark.parametrize(("statement", "level", "vague"), TEXT_ONLY)
def test_level_and_vagueness_from_the_sentence(statement, level, vague):
    result = coach(statement=statement)
    assert (result.level, result.vague) == (level, vague), result.answered


@pytest.mark.parametrize(("fields", "level"), STRUCTURED)
def test_structured_fields_count(fields, level):
    assert coach(**fields).level == level


def test_the_table_has_at_least_thirty_examples():
    assert len(TEXT_ONLY) + len(STRUCTURED) >= 30


def test_next_question_is_the_first_unanswered_dimension():
    assert coach(statement="Attirer des projets exogènes").next_question == str(
        QUESTIONS["filiere"]
    )
    assert coach(statement="Attirer des projets", filiere=True).next_question == str(
        QUESTIONS["jobs"]
    )
    full = coach(
        statement="x",
        filiere=True,
        jobs_count=3,
        benefits=["tax"],
        origin="creation",
        horizon="1y",
        indicator="CA",
    )
    assert (full.level, full.next_question) == (5, "")
    assert coach(statement="").next_question == "Quelle est votre priorité, en une phrase ?"
