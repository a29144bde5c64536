"""The default list of filières.

National filières: the comités stratégiques de filière (CSF) of the Conseil national de
l'industrie (conseil-national-industrie.gouv.fr), as listed in 2024. New filières: the
directions named by the constat of the rencontre (energy transition, digital industry, new
mobility from the automotive base, circular industry and social economy). The organiser can
add local ones.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# The names are stored in French (the sources' own words) and shown in the reader's language:
# `Filiere.__str__` translates a shipped name; a filière added locally shows as typed.

CNI_FILIERES = [
    gettext_noop("Aéronautique"),
    gettext_noop("Agroalimentaire"),
    gettext_noop("Automobile"),
    gettext_noop("Bois"),
    gettext_noop("Chimie et matériaux"),
    gettext_noop("Eau"),
    gettext_noop("Électronique"),
    gettext_noop("Ferroviaire"),
    gettext_noop("Industries de la mer"),
    gettext_noop("Industries de santé"),
    gettext_noop("Industries des nouveaux systèmes énergétiques"),
    gettext_noop("Industries pour la construction"),
    gettext_noop("Infrastructures numériques"),
    gettext_noop("Mines et métallurgie"),
    gettext_noop("Mode et luxe"),
    gettext_noop("Nucléaire"),
    gettext_noop("Sécurité"),
    gettext_noop("Solutions industrie du futur"),
    gettext_noop("Transformation et valorisation des déchets"),
]
NEW_FILIERES = [
    gettext_noop("Transition énergétique"),
    gettext_noop("Industrie du numérique"),
    gettext_noop("Nouvelles mobilités"),
    gettext_noop("Industrie circulaire et économie sociale et solidaire"),
]

# Default NAF rév. 2 -> filière mapping, by code prefix (the longest prefix wins). No official
# table exists: a filière cuts across NAF codes. These defaults are Rencontres' own reading of
# the CSF perimeters (which activities each comité covers), meant to be edited per territory.
NAF_TO_FILIERE = {
    "10": "Agroalimentaire",
    "11": "Agroalimentaire",
    "13": "Mode et luxe",
    "14": "Mode et luxe",
    "15": "Mode et luxe",
    "16": "Bois",
    "17": "Bois",
    "31": "Bois",
    "19": "Chimie et matériaux",
    "20": "Chimie et matériaux",
    "22": "Chimie et matériaux",
    "21": "Industries de santé",
    "32.5": "Industries de santé",
    "23": "Industries pour la construction",
    "24": "Mines et métallurgie",
    "25": "Mines et métallurgie",
    "25.4": "Sécurité",
    "26": "Électronique",
    "26.2": "Industrie du numérique",
    "27": "Industries des nouveaux systèmes énergétiques",
    "27.2": "Transition énergétique",
    "28": "Solutions industrie du futur",
    "33": "Solutions industrie du futur",
    "29": "Automobile",
    "30.1": "Industries de la mer",
    "30.2": "Ferroviaire",
    "30.3": "Aéronautique",
    "30.9": "Nouvelles mobilités",
    "35": "Transition énergétique",
    "36": "Eau",
    "37": "Eau",
    "38": "Transformation et valorisation des déchets",
    "39": "Transformation et valorisation des déchets",
    "58.2": "Industrie du numérique",
    "62": "Industrie du numérique",
    "63.1": "Infrastructures numériques",
}


def filiere_for_naf(naf: str, overrides: dict[str, str] | None = None) -> str:
    """The filière of a NAF code by the longest matching prefix ('' when none)."""
    table = {**NAF_TO_FILIERE, **(overrides or {})}
    for length in range(len(naf), 1, -1):
        name = table.get(naf[:length])
        if name:
            return name
    return ""
