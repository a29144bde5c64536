"""SIRENE StockEtablissement files written for the tests, in the published column format."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

from territories.sirene import COLUMNS_48, COLUMNS_54, COLUMNS_GEO  # noqa: F401 - re-exported for the tests


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


def geo_row(
    columns: list[str], *, longitude: str = "6.580451", latitude: str = "46.060413", **values: str
) -> list[str]:
    """A line of a géolocalised extract (`geo_siret_<dep>.csv.gz`): the stock's columns, then
    the geocoder's, as published."""
    line = row(columns, **values)
    geo = {
        "longitude": longitude,
        "latitude": latitude,
        "geo_score": "0.93",
        "geo_type": "housenumber",
        "geo_adresse": "12 Rue du Décolletage 74300 Cluses",
        "geo_id": "74081_0420_00012",
        "geo_ligne": "G",
        "geo_l4": "12 RUE DU DECOLLETAGE",
        "geo_l5": "",
    }
    return [geo.get(c, v) for c, v in zip(columns, line, strict=True)]
