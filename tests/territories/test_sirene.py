from __future__ import annotations

import gzip

import pytest

from territories.models import Establishment, Territory
from territories.services import TerritoryError, territory_resolve
from territories.sirene import SireneFormatError, sirene_import
from tests.territories.sirene_files import COLUMNS_48, COLUMNS_54, row, write

pytestmark = pytest.mark.django_db

# 74081 is Cluses; 200033116 is the CC Cluses-Arve et Montagnes; 75056 is Paris.
CLUSES = "200033116"


@pytest.fixture
def cluses():
    return territory_resolve(spec=CLUSES)


def sample(columns):
    return [
        row(columns, siret="12345678900011", enseigne1Etablissement='Décolletage "Alpin", SA'),
        row(columns, siret="12345678900029", activitePrincipaleEtablissement="47.11A"),  # shop
        row(columns, siret="22345678900010", codeCommuneEtablissement="75056"),  # outside
        row(
            columns,
            siret="32345678900019",
            etatAdministratifEtablissement="F",
            dateDebut="2021-06-30",
        ),
        row(
            columns,
            siret="42345678900018",
            statutDiffusionEtablissement="P",
            enseigne1Etablissement="[ND]",
            trancheEffectifsEtablissement="[ND]",
        ),
        row(
            columns,
            siret="52345678900017",
            activitePrincipaleEtablissement="28.5D",
            nomenclatureActivitePrincipaleEtablissement="NAFv1",
        ),  # NAF rév. 1, manufacturing
        row(
            columns,
            siret="62345678900016",
            activitePrincipaleEtablissement="52.1A",
            nomenclatureActivitePrincipaleEtablissement="NAFv1",
        ),  # NAF rév. 1, trade
        row(columns, siret="72345678900015", dateCreationEtablissement="2099-13-45"),  # bad date
    ]


@pytest.mark.parametrize("columns", [COLUMNS_48, COLUMNS_54], ids=["48 colonnes", "54 colonnes"])
@pytest.mark.parametrize("suffix", [".csv", ".gz", ".zip"])
def test_import_keeps_the_territory_s_industry(tmp_path, cluses, columns, suffix):
    path = write(tmp_path / f"stock{suffix}", columns, sample(columns), extra="trop,court\n")
    report = sirene_import(territory=cluses, path=path)
    assert (report.read, report.kept, report.created) == (9, 5, 5)
    assert report.skipped_labelled() == {
        "autre secteur": 1,
        "hors territoire": 1,
        "NAF rév. 1 hors industrie": 1,
    }
    assert report.malformed == [(10, f"2 colonnes au lieu de {len(columns)}")]
    decolletage = Establishment.objects.get(siret="12345678900011")
    assert (decolletage.name, decolletage.naf, decolletage.headcount_band, decolletage.commune) == (
        'Décolletage "Alpin", SA',
        "25.62B",
        "12",
        "74081",
    )
    closed = Establishment.objects.get(siret="32345678900019")
    assert (closed.active, str(closed.closed_on)) == (False, "2021-06-30")
    hidden = Establishment.objects.get(siret="42345678900018")
    assert (hidden.diffusible, hidden.name, hidden.headcount_band) == (False, "", "")
    assert Establishment.objects.get(siret="72345678900015").created_on is None


def test_reimporting_the_same_file_changes_nothing(tmp_path, cluses):
    path = write(tmp_path / "stock.csv", COLUMNS_54, sample(COLUMNS_54))
    sirene_import(territory=cluses, path=path)
    again = sirene_import(territory=cluses, path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Establishment.objects.count() == 5
    changed = write(
        tmp_path / "stock2.csv",
        COLUMNS_54,
        [row(COLUMNS_54, siret="12345678900011", trancheEffectifsEtablissement="21")],
    )
    report = sirene_import(territory=cluses, path=changed)
    assert (report.created, report.updated) == (0, 1)
    assert Establishment.objects.get(siret="12345678900011").headcount_band == "21"


def test_a_file_that_is_not_sirene_says_which_columns_are_missing_and_changes_nothing(
    tmp_path, cluses
):
    path = tmp_path / "autre.csv"
    path.write_text("siret,nom\n12345678900011,x\n", encoding="utf-8")
    with pytest.raises(SireneFormatError, match="colonnes manquantes codeCommuneEtablissement"):
        sirene_import(territory=cluses, path=path)
    assert Establishment.objects.count() == 0


def test_wrong_encoding_and_huge_lines_are_reported_not_fatal(tmp_path, cluses):
    path = write(tmp_path / "stock.csv", COLUMNS_48, sample(COLUMNS_48)[:1])
    with path.open("ab") as f:
        f.write(
            ",".join(row(COLUMNS_48, siret="82345678900014", enseigne1Etablissement="Éléc")).encode(
                "latin-1"
            )
            + b"\n"
        )
        f.write(("x" * 20000 + "\n").encode())
        f.write((",".join(row(COLUMNS_48, siret="92345678900013")) + "\n").encode())
    report = sirene_import(territory=cluses, path=path)
    assert report.kept == 2
    assert [n for n, _r in report.malformed] == [3, 4]
    assert "UTF-8" in report.malformed[0][1]


def test_arrondissements_resolve_to_their_commune(tmp_path):
    paris = territory_resolve(spec="75056")
    path = write(
        tmp_path / "stock.csv",
        COLUMNS_54,
        [row(COLUMNS_54, siret="12345678900011", codeCommuneEtablissement="75111")],
    )
    assert sirene_import(territory=paris, path=path).kept == 1
    assert Establishment.objects.get().commune == "75056"


def test_column_lists_have_the_published_counts():
    assert (len(COLUMNS_48), len(COLUMNS_54), len(set(COLUMNS_54))) == (48, 54, 54)


def test_territories_from_epci_departement_and_codes():
    epci = territory_resolve(spec=CLUSES)
    assert (epci.kind, "74081" in epci.communes, len(epci.communes) > 5) == ("epci", True, True)
    assert territory_resolve(spec=epci.slug) == epci
    assert territory_resolve(spec=CLUSES) == epci  # the same EPCI again: no duplicate
    assert territory_resolve(spec="13201,74081") == territory_resolve(spec="74081, 13201")
    assert len(territory_resolve(spec="74").communes) > 200
    custom = territory_resolve(spec="74081, 13201")
    assert custom.communes == ["13055", "74081"]
    assert Territory.objects.count() == 3
    with pytest.raises(TerritoryError, match="Codes commune inconnus : 99999"):
        territory_resolve(spec="99999")
    with pytest.raises(TerritoryError, match="Aucun EPCI ne porte le SIREN 123456789"):
        territory_resolve(spec="123456789")


def test_the_command_prints_a_french_report(tmp_path, capsys):
    from django.core.management import call_command

    path = write(tmp_path / "stock.csv.gz", COLUMNS_54, sample(COLUMNS_54))
    assert gzip.decompress(path.read_bytes()).startswith("\ufeffsiren".encode())
    call_command("import_sirene", CLUSES, str(path))
    out = capsys.readouterr().out
    assert "Lues : 8 · retenues : 5 · créées : 5" in out
    assert "Écartées (hors territoire) : 1" in out


def test_two_stocks_give_extensions_and_reductions(tmp_path, cluses):
    import datetime as dt

    from territories.models import SiteEvent
    from territories.selectors import TOTAL, dynamics

    old = write(
        tmp_path / "2024.csv",
        COLUMNS_54,
        [
            row(COLUMNS_54, siret="12345678900011", trancheEffectifsEtablissement="12"),  # 34.5
            row(COLUMNS_54, siret="22345678900010", trancheEffectifsEtablissement="21"),  # 74.5
            row(COLUMNS_54, siret="32345678900019", trancheEffectifsEtablissement="11"),
        ],
    )
    new = write(
        tmp_path / "2025.csv",
        COLUMNS_54,
        [
            row(COLUMNS_54, siret="12345678900011", trancheEffectifsEtablissement="21"),  # up: +40
            row(
                COLUMNS_54, siret="22345678900010", trancheEffectifsEtablissement="12"
            ),  # down: -40
            row(COLUMNS_54, siret="32345678900019", trancheEffectifsEtablissement="11"),  # same
        ],
    )
    sirene_import(territory=cluses, path=old, stock_date=dt.date(2024, 1, 1))
    assert sirene_import(territory=cluses, path=new, stock_date=dt.date(2025, 1, 1)).changes == 2
    events = sorted(SiteEvent.objects.values_list("siret", "kind", "jobs", "date"))
    assert events == [
        ("12345678900011", "extension", 40, dt.date(2025, 1, 1)),
        ("22345678900010", "reduction", 40, dt.date(2025, 1, 1)),
    ]
    year = next(y for y in dynamics(cluses)["by_filiere"][TOTAL]["years"] if y["year"] == 2025)
    assert (year["extensions"], year["net_jobs"]) == (1, 0.0)
    # the same newer stock again: nothing new
    sirene_import(territory=cluses, path=new, stock_date=dt.date(2025, 1, 1))
    assert SiteEvent.objects.count() == 2


def test_an_unknown_naf_code_is_skipped_with_its_reason(tmp_path, cluses):
    from territories.cog import naf_labels

    assert naf_labels()["25.62B"] == "Mécanique industrielle"
    path = write(
        tmp_path / "stock.csv",
        COLUMNS_54,
        [
            row(COLUMNS_54, siret="12345678900011", activitePrincipaleEtablissement="25.99X"),
            row(COLUMNS_54, siret="22345678900010"),
        ],
    )
    report = sirene_import(territory=cluses, path=path)
    assert (report.kept, report.skipped_labelled()) == (1, {"code NAF inconnu": 1})
