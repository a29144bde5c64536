"""SIRENE import benchmark: a generated 2-million-row file in the real SIRENE column format.

Writes the file (54 columns, UTF-8 with BOM; about 4 % of the rows in the territory, a third
of those industrial, a few malformed lines), then runs `manage.py import_sirene` on a fresh
SQLite database and measures rows read per second and the command's peak memory.
Goal: over 50,000 rows/s filtered, under 200 MB.

    .venv/bin/python bench/sirene_import.py --rows 2000000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PY, ROOT, machine

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rencontres.settings")
os.environ.setdefault("DEBUG", "1")
import django

django.setup()
from territories.sirene import COLUMNS_54  # noqa: E402 - needs Django set up

TERRITORY = "200033116"  # CC Cluses-Arve et Montagnes (10 communes)
INSIDE = ["74081", "74011", "74119", "74183", "74258"]
NAFS_INDUSTRY = ["25.62B", "25.62A", "28.41Z", "22.29A", "10.71C", "27.90Z"]
NAFS_OTHER = ["47.11A", "56.10A", "68.20B", "70.22Z", "43.21A", "86.21Z"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    index = {name: i for i, name in enumerate(COLUMNS_54)}
    template = [""] * len(COLUMNS_54)
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write("\ufeff")
        writer = csv.writer(f)
        writer.writerow(COLUMNS_54)
        for n in range(rows):
            if n % 250_000 == 17:
                f.write("ligne,mal,formée\n")
                continue
            values = list(template)
            siret = f"{100000000 + n:09d}{n % 100000:05d}"
            values[index["siren"]], values[index["nic"]], values[index["siret"]] = (
                siret[:9],
                siret[9:],
                siret,
            )
            inside = rng.random() < 0.04
            values[index["codeCommuneEtablissement"]] = (
                rng.choice(INSIDE)
                if inside
                else f"{rng.randint(1, 95):02d}{rng.randint(1, 600):03d}"
            )
            values[index["activitePrincipaleEtablissement"]] = rng.choice(
                NAFS_INDUSTRY if rng.random() < 0.3 else NAFS_OTHER
            )
            values[index["nomenclatureActivitePrincipaleEtablissement"]] = "NAFv2"
            values[index["etatAdministratifEtablissement"]] = "F" if rng.random() < 0.3 else "A"
            values[index["dateCreationEtablissement"]] = (
                f"{rng.randint(1970, 2025)}-{rng.randint(1, 12):02d}-01"
            )
            values[index["trancheEffectifsEtablissement"]] = rng.choice(
                ["NN", "00", "01", "03", "11", "12", "21", "22", "31"]
            )
            values[index["statutDiffusionEtablissement"]] = "O"
            values[index["enseigne1Etablissement"]] = f"Entreprise {n}"
            writer.writerow(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rencontres-sirene-"))
    stock = work / "StockEtablissement_utf8.csv"
    t = time.perf_counter()
    generate(stock, args.rows)
    generate_seconds = time.perf_counter() - t
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "rencontres.settings",
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
    }
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run(
        [PY, "manage.py", "import_sirene", TERRITORY, str(stock), "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads(out)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(stock.stat().st_size / 2**20),
                "generate_seconds": round(generate_seconds, 1),
                "import_seconds": round(seconds, 1),
                "rows_per_second": round(report["read"] / seconds),
                "kept": report["kept"],
                "skipped": report["skipped"],
                "malformed": report["malformed"],
                "peak_rss_mb": round(max(peak, before) / 1024),
                "machine": machine(),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
