from __future__ import annotations

import pytest

from workshops.words import clean, display_forms, normalize

CASES = [
    ("Énergie", "energie"),
    ("energie", "energie"),
    ("énergies ", "energie"),
    ("  ÉNERGIES!!", "energie"),
    ("«Énergie»", "energie"),
    ("Industrie", "industrie"),
    ("industries.", "industrie"),
    ("Savoir-faire", "savoir-faire"),
    ("savoir-faires", "savoir-faire"),
    ("Emplois locaux", "emploi local"),
    ("emploi local", "emploi local"),
    ("Réseaux", "reseau"),
    ("réseau", "reseau"),
    ("bus", "bus"),
    ("Process", "process"),
    ("Transition   écologique", "transition ecologique"),
    ("transitions écologiques", "transition ecologique"),
    ("d’industrie", "d'industrie"),
    ("...", ""),
    ("Hydrogène", "hydrogene"),
]


@pytest.mark.parametrize(("typed", "key"), CASES)
def test_normalize(typed, key):
    assert normalize(typed) == key


def test_clean_keeps_the_typed_form_without_surrounding_punctuation():
    assert clean("  « Savoir   faire ! » ") == "Savoir faire"


def test_display_form_is_the_most_common_typed_form():
    assert display_forms({"energie": ["énergies", "Énergie", "Énergie", "energie"]}) == {
        "energie": "Énergie"
    }
    assert display_forms({"x": ["B", "A"]}) == {"x": "B"}
