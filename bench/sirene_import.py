"""SIRENE import benchmark: a generated 2-million-row file in the real SIRENE column format,
then a département extract in the géolocalised layout.

Writes the file (54 columns, UTF-8 with BOM; about 4 % of the rows in the territory, a third
of those industrial, a few malformed lines), then runs `manage.py import_sirene` on a fresh
SQLite database and measures rows read per second and the command's peak memory.
Goal: over 50,000 rows/s filtered, under 200 MB.

The second run is the "five minutes" path: a `geo_siret_74.csv.gz` of `--geo-rows` rows (the
stock's 48 columns and the nine geocoding ones, gzip, no BOM; every row in Haute-Savoie, a
tenth of them in the territory), imported the same way; it reports the wall time from the
file to the territory. `--geo-rows 0` skips it.

    .venv/bin/python bench/sirene_import.py --rows 2000000 --geo-rows 400000
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
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
from territories.sirene import COLUMNS_54, COLUMNS_GEO  # noqa: E402 - needs Django set up

TERRITORY = "200033116"  # CC Cluses-Arve et Montagnes (10 communes)
INSIDE = ["74081", "74011", "74119", "74183", "74258"]
NAFS_INDUSTRY = ["25.62B", "25.62A", "28.41Z", "22.29A", "10.71C", "27.90Z"]
NAFS_OTHER = ["47.11A", "56.10A", "68.20B", "70.22Z", "43.21A", "86.21Z"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write("\ufeff")
        write_rows(f, rows, COLUMNS_54, seed=seed, inside_share=0.04)


def generate_geo(path: Path, rows: int, seed: int = 2) -> None:
    """A département extract as published: gzip, no BOM, COLUMNS_GEO."""
    with (
        gzip.open(path, "wb", compresslevel=6) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as f,
    ):
        write_rows(f, rows, COLUMNS_GEO, seed=seed, inside_share=0.10, departement="74")


def write_rows(
    f, rows: int, columns: list[str], *, seed: int, inside_share: float, departement: str = ""
) -> None:
    rng = random.Random(seed)
    index = {name: i for i, name in enumerate(columns)}
    template = [""] * len(columns)
    geo = "longitude" in index
    writer = csv.writer(f)
    writer.writerow(columns)
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
        inside = rng.random() < inside_share
        values[index["codeCommuneEtablissement"]] = (
            rng.choice(INSIDE)
            if inside
            else f"{departement or f'{rng.randint(1, 95):02d}'}{rng.randint(1, 600):03d}"
        )
        if geo:
            values[index["longitude"]] = f"{6.3 + rng.random() * 0.6:.6f}"
            values[index["latitude"]] = f"{45.9 + rng.random() * 0.4:.6f}"
            values[index["geo_score"]] = f"{0.5 + rng.random() / 2:.2f}"
            values[index["geo_type"]] = "housenumber"
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
    parser.add_argument("--geo-rows", type=int, default=400_000)
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
    result = {
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
    }
    if args.geo_rows:
        result["departement_extract"] = run_geo(work, env, args.geo_rows)
    print(json.dumps(result, indent=2, ensure_ascii=False))


def run_geo(work: Path, env: dict, rows: int) -> dict:
    """From a département extract to the territory: wall time and memory of the import."""
    extract = work / "geo_siret_74.csv.gz"
    generate_geo(extract, rows)
    env = {**env, "DATABASE_URL": f"sqlite:///{work / 'bench-geo.sqlite3'}"}
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    t = time.perf_counter()
    out = subprocess.run(
        [PY, "manage.py", "import_sirene", TERRITORY, str(extract), "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seconds = time.perf_counter() - t
    report = json.loads(out)
    return {
        "rows": rows,
        "file_mb": round(extract.stat().st_size / 2**20, 1),
        "format": report["format"],
        "import_seconds": round(seconds, 1),
        "rows_per_second": round(report["read"] / seconds),
        "kept": report["kept"],
    }


if __name__ == "__main__":
    main()
