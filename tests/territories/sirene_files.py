"""SIRENE StockEtablissement files written for the tests, in the published column format."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

# The 48 columns of the older vintage; the newer one inserts six more (54).
COLUMNS_48 = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
]
COLUMNS_54 = [
    *COLUMNS_48[:13],
    "dernierNumeroVoieEtablissement",
    *COLUMNS_48[13:25],
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    *COLUMNS_48[25:],
    "activitePrincipaleNAF25Etablissement",
    "nomenclatureActivitePrincipaleNAF25Etablissement",
]
assert len(COLUMNS_48) == 48
assert len(COLUMNS_54) == 54


def row(columns: list[str], **values: str) -> list[str]:
    base = {
        "statutDiffusionEtablissement": "O",
        "dateCreationEtablissement": "2015-03-02",
        "trancheEffectifsEtablissement": "12",
        "anneeEffectifsEtablissement": "2023",
        "etatAdministratifEtablissement": "A",
        "nomenclatureActivitePrincipaleEtablissement": "NAFv2",
        "codeCommuneEtablissement": "74081",
        "activitePrincipaleEtablissement": "25.62B",
    }
    base.update(values)
    siret = base.get("siret", "")
    base.setdefault("siren", siret[:9])
    base.setdefault("nic", siret[9:])
    return [base.get(c, "") for c in columns]


def write(
    path: Path, columns: list[str], rows: list[list[str]], *, bom: bool = True, extra: str = ""
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue() + extra
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("StockEtablissement_utf8.csv", text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
