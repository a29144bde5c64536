"""SIRENE StockEtablissement files written for the tests, in the published column format."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

from territories.sirene import COLUMNS_48, COLUMNS_54  # noqa: F401 - re-exported for the tests


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
