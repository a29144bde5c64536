"""A fictional territory for the demo: real commune codes (so the import works as on real
data), invented firms, written as a SIRENE StockEtablissement file and imported like one."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from territories.sirene import COLUMNS_54

COMMUNES = ["74081", "74011", "74119", "74183", "74258", "74134"]
ACTIVITIES = [
    ("25.62B", "Décolletage"),
    ("25.62B", "Décolletage"),
    ("25.62B", "Décolletage"),
    ("25.62A", "Usinage"),
    ("28.41Z", "Machines-outils"),
    ("22.29A", "Plasturgie"),
    ("27.20Z", "Batteries"),
    ("26.51B", "Capteurs"),
    ("10.71C", "Boulangerie industrielle"),
    ("32.50A", "Implants médicaux"),
    ("33.12Z", "Maintenance industrielle"),
    ("16.23Z", "Menuiserie"),
]
NAMES = [
    "du Mont",
    "de l'Arve",
    "des Aravis",
    "du Giffre",
    "Alpine",
    "des Cimes",
    "du Léman",
    "Savoie",
]
BANDS = ["00", "01", "02", "03", "11", "11", "12", "12", "21", "22", "31"]


def write_stock(path: Path, *, seed: int = 7, sites: int = 180) -> Path:
    """A fictional stock file in the published 54-column format."""
    rng = random.Random(seed)
    index = {name: i for i, name in enumerate(COLUMNS_54)}
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write("\ufeff")
        writer = csv.writer(f)
        writer.writerow(COLUMNS_54)
        for n in range(sites):
            values = [""] * len(COLUMNS_54)
            siret = f"9{n:08d}00017"
            naf, trade = rng.choice(ACTIVITIES)
            created = rng.randint(1975, 2025) if n % 3 else rng.randint(2012, 2025)
            closed = rng.random() < 0.28 and created < 2024
            for key, value in {
                "siren": siret[:9],
                "nic": siret[9:],
                "siret": siret,
                "statutDiffusionEtablissement": "O",
                "dateCreationEtablissement": f"{created}-{rng.randint(1, 12):02d}-01",
                "trancheEffectifsEtablissement": rng.choice(BANDS),
                "anneeEffectifsEtablissement": "2023",
                "codeCommuneEtablissement": rng.choice(COMMUNES),
                "etatAdministratifEtablissement": "F" if closed else "A",
                "dateDebut": f"{rng.randint(max(created, 2010), 2025)}-06-30" if closed else "",
                "enseigne1Etablissement": f"{trade} {rng.choice(NAMES)} (fictif {n + 1})",
                "activitePrincipaleEtablissement": naf,
                "nomenclatureActivitePrincipaleEtablissement": "NAFv2",
            }.items():
                values[index[key]] = value
            writer.writerow(values)
    return path
