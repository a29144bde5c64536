"""The default list of filières.

National filières: the comités stratégiques de filière (CSF) of the Conseil national de
l'industrie (conseil-national-industrie.gouv.fr), as listed in 2024. New filières: the
directions named by the constat of the rencontre (energy transition, digital industry, new
mobility from the automotive base, circular industry and social economy). The organiser can
add local ones.
"""

from __future__ import annotations

CNI_FILIERES = [
    "Aéronautique",
    "Agroalimentaire",
    "Automobile",
    "Bois",
    "Chimie et matériaux",
    "Eau",
    "Électronique",
    "Ferroviaire",
    "Industries de la mer",
    "Industries de santé",
    "Industries des nouveaux systèmes énergétiques",
    "Industries pour la construction",
    "Infrastructures numériques",
    "Mines et métallurgie",
    "Mode et luxe",
    "Nucléaire",
    "Sécurité",
    "Solutions industrie du futur",
    "Transformation et valorisation des déchets",
]
NEW_FILIERES = [
    "Transition énergétique",
    "Industrie du numérique",
    "Nouvelles mobilités",
    "Industrie circulaire et économie sociale et solidaire",
]
