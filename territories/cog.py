"""The shipped Code officiel géographique: communes, their département and EPCI (see
data/SOURCES.md). Loaded once per process."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Cog:
    communes: dict[str, tuple[str, str, str]]  # code -> (name, département, EPCI SIREN)
    parent: dict[str, str]  # arrondissement / commune déléguée -> current commune
    epci: dict[str, tuple[str, str]]  # SIREN -> (name, type)

    def resolve(self, code: str) -> str | None:
        """The current commune a SIRENE commune code belongs to (None if unknown)."""
        if code in self.communes:
            return code
        return self.parent.get(code)


@functools.cache
def load() -> Cog:
    communes: dict[str, tuple[str, str, str]] = {}
    parent: dict[str, str] = {}
    with (DATA / "communes.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["commune"]:
                parent.setdefault(row["code"], row["commune"])
            else:
                communes[row["code"]] = (row["nom"], row["departement"], row["epci"])
    with (DATA / "epci.csv").open(newline="") as f:
        epci = {row["siren"]: (row["nom"], row["type"]) for row in csv.DictReader(f)}
    parent = {code: target for code, target in parent.items() if code not in communes}
    return Cog(communes, parent, epci)


@functools.cache
def naf_labels() -> dict[str, str]:
    """NAF rév. 2 code -> label, for divisions ("25"), groups ("25.6"), classes ("25.62") and
    sub-classes ("25.62B")."""
    with (DATA / "naf2.csv").open(newline="") as f:
        return {row["code"]: row["libelle"] for row in csv.DictReader(f)}
