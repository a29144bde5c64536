"""Build communes.csv and epci.csv from the `@etalab/decoupage-administratif` npm package.

    npm pack @etalab/decoupage-administratif && tar -xzf etalab-decoupage-administratif-*.tgz
    python territories/data/build_cog.py package/data territories/data

communes.csv: every current commune (code INSEE, name, département, EPCI SIREN) plus the codes
that resolve to a current commune (Paris, Lyon and Marseille arrondissements; communes
déléguées and associées), with the code of the commune they belong to.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def main(source: Path, target: Path) -> None:
    communes = json.loads((source / "communes.json").read_text())
    epcis = json.loads((source / "epci.json").read_text())
    epci_of = {member["code"]: e["code"] for e in epcis for member in e["membres"]}
    with (target / "communes.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "nom", "departement", "epci", "commune"])
        for c in communes:
            if c["type"] == "commune-actuelle":
                writer.writerow(
                    [c["code"], c["nom"], c.get("departement", ""), epci_of.get(c["code"], ""), ""]
                )
            elif c.get("commune") or c.get("chefLieu"):
                writer.writerow(
                    [
                        c["code"],
                        c["nom"],
                        c.get("departement", ""),
                        "",
                        c.get("commune") or c.get("chefLieu"),
                    ]
                )
    with (target / "epci.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["siren", "nom", "type", "communes"])
        for e in epcis:
            writer.writerow([e["code"], e["nom"], e["type"], len(e["membres"])])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
