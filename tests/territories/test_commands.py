"""The territory commands as an analyst runs them, bad input included."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from territories.models import Establishment, SiteEvent, Territory
from tests.territories.sirene_files import COLUMNS_54, row, write

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def territory(tmp_path):
    path = write(
        tmp_path / "stock.csv",
        COLUMNS_54,
        [
            row(
                COLUMNS_54, siret="12345678900011", etatAdministratifEtablissement="F", dateDebut=""
            ),
        ],
    )
    run("import_sirene", "200033116", str(path))
    return Territory.objects.get()


def test_import_events_reports_refused_lines(territory, tmp_path):
    path = tmp_path / "evenements.csv"
    path.write_text(
        "type;date;entreprise;emplois\nouverture;2026-05-01;Usine X;120\nouverture;2099-01-01;Y;3\n",
        encoding="utf-8",
    )
    out = run("import_events", territory.slug, str(path))
    assert "Événements : 1 ajoutés, 0 déjà connus, 1 lignes refusées" in out
    assert "ligne 3 : date trop lointaine (2099-01-01)" in out
    assert SiteEvent.objects.count() == 1


def test_import_events_bad_input_is_a_french_error(territory, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "type;date;entreprise\nouverture;2026-05-01;Société Générale\n".encode("latin-1")
    )
    with pytest.raises(CommandError, match="Le fichier doit être en UTF-8"):
        run("import_events", territory.slug, str(latin))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("import_events", territory.slug, str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="Aucun territoire « inconnu »"):
        run("import_events", "inconnu", str(latin))


def test_import_sirene_historique_from_the_command(territory, tmp_path):
    path = tmp_path / "StockEtablissementHistorique_utf8.csv"
    path.write_text(
        "siret,dateDebut,etatAdministratifEtablissement,changementEtatAdministratifEtablissement\n"
        "12345678900011,2022-03-31,F,true\n",
        encoding="utf-8",
    )
    out = run("import_sirene", territory.slug, str(path), "--historique")
    assert "Historique : 1 périodes lues, 1 dates de fermeture renseignées" in out
    assert str(Establishment.objects.get().closed_on) == "2022-03-31"
    stock_as_history = write(tmp_path / "stock2.csv", COLUMNS_54, [row(COLUMNS_54, siret="1")])
    with pytest.raises(
        CommandError, match="colonnes manquantes changementEtatAdministratifEtablissement"
    ):
        run("import_sirene", territory.slug, str(stock_as_history), "--historique")


def test_import_sirene_bad_territory_and_file(tmp_path):
    with pytest.raises(CommandError, match="Aucun EPCI ne porte le SIREN 123456789"):
        run("import_sirene", "123456789", str(write(tmp_path / "s.csv", COLUMNS_54, [])))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("import_sirene", "74", str(tmp_path / "absent.csv"))
