"""The default filière list: written by the migrations, written again into a table emptied by
`flush` (it keeps the schema, not what migrations wrote), never over an organiser's edits; each
shipped name shown in the reader's language, a local one as typed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from territories.filieres import CNI_FILIERES, NEW_FILIERES
from territories.models import Filiere

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_flushed_database_gets_the_default_list_again():
    assert Filiere.objects.count() == len(CNI_FILIERES) + len(NEW_FILIERES)
    call_command("flush", "--noinput", verbosity=0)
    assert sorted(Filiere.objects.values_list("name", flat=True)) == sorted(
        CNI_FILIERES + NEW_FILIERES
    )
    assert Filiere.objects.get(name="Aéronautique").source == Filiere.Source.CNI


def test_an_edited_list_is_left_alone():
    Filiere.objects.exclude(name="Automobile").delete()
    Filiere.objects.create(name="Décolletage", slug="decolletage", source=Filiere.Source.LOCAL)
    call_command("migrate", verbosity=0)
    assert sorted(Filiere.objects.values_list("name", flat=True)) == ["Automobile", "Décolletage"]


def test_a_shipped_name_shows_in_the_reader_language_a_local_one_as_typed():
    local = Filiere.objects.create(name="Décolletage", slug="decolletage", source="local")
    water = Filiere.objects.get(name="Eau")
    with translation.override("en"):
        assert (str(water), str(local)) == ("Water", "Décolletage")
    with translation.override("fr"):
        assert (str(water), str(local)) == ("Eau", "Décolletage")
