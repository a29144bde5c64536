"""The half-day agendas a new rencontre starts from: content, not engine code. The engine
reads the default one through `settings.DEFAULT_AGENDA`, so it never names a kind itself.

Each step lists its activities as plain data, instantiated by `rencontre_create`. Activities
of a kind that is not registered (an app left out) are skipped rather than shown broken.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def reindustrialisation() -> list[dict]:
    """The reindustrialisation half-day (about 3h30), step by step as in the method."""
    return [
        {
            "title": _("Accueil"),
            "minutes": 20,
            "activities": [
                {
                    "kind": "talk",
                    "title": _("Bienvenue"),
                    "body": _(
                        "Scannez le QR code ou tapez le code affiché pour rejoindre la "
                        "rencontre depuis votre téléphone. Pas de compte à créer."
                    ),
                    "minutes": 10,
                },
                {
                    "kind": "words",
                    "title": _("En un mot : l'industrie de notre territoire aujourd'hui"),
                    "body": _("Un à trois mots ou courtes expressions."),
                    "config": {"max_words": 3, "max_length": 40},
                    "minutes": 8,
                },
            ],
        },
        {
            "title": _("S'aligner sur le constat"),
            "minutes": 40,
            "activities": [
                {
                    "kind": "talk",
                    "title": _("Prendre du recul sur le discours habituel"),
                    "body": _(
                        "Où en est vraiment l'industrie du territoire ? Chacun répond depuis "
                        "son téléphone ; les résultats s'affichent par type d'acteur pour "
                        "faire apparaître les écarts de lecture."
                    ),
                    "minutes": 5,
                },
                {
                    "kind": "scale",
                    "title": _("Où en est la réindustrialisation ici ?"),
                    "config": {
                        "statements": [
                            {
                                "id": "c1",
                                "label": str(
                                    _(
                                        "Sur notre territoire, la réindustrialisation marque le pas depuis deux ou trois ans."
                                    )
                                ),
                            },
                            {
                                "id": "c2",
                                "label": str(
                                    _(
                                        "Nos outils d'accueil des projets industriels sont adaptés aux besoins actuels."
                                    )
                                ),
                            },
                            {
                                "id": "c3",
                                "label": str(
                                    _(
                                        "Les acteurs publics du territoire partagent une même lecture de son industrie."
                                    )
                                ),
                            },
                        ]
                    },
                    "minutes": 8,
                },
                {
                    "kind": "poll",
                    "title": _("Quelles nouvelles filières ont un vrai potentiel chez nous ?"),
                    "body": _(
                        "Plusieurs réponses possibles. Soyez sélectifs : toutes ne peuvent pas convenir."
                    ),
                    "config": {
                        "choices": [
                            {"id": "c1", "label": str(_("Transition énergétique"))},
                            {"id": "c2", "label": str(_("Industrie du numérique"))},
                            {
                                "id": "c3",
                                "label": str(_("Nouvelles mobilités (à partir de l'automobile)")),
                            },
                            {
                                "id": "c4",
                                "label": str(
                                    _("Industrie circulaire et économie sociale et solidaire")
                                ),
                            },
                            {"id": "c5", "label": str(_("Santé"))},
                            {"id": "c6", "label": str(_("Agroalimentaire"))},
                        ],
                        "multiple": True,
                        "allow_other": True,
                    },
                    "minutes": 10,
                },
                {
                    "kind": "poll",
                    "title": _("Quel est aujourd'hui le principal frein aux projets industriels ?"),
                    "config": {
                        "choices": [
                            {"id": "c1", "label": str(_("Foncier disponible"))},
                            {"id": "c2", "label": str(_("Compétences et recrutement"))},
                            {"id": "c3", "label": str(_("Accès à l'énergie"))},
                            {"id": "c4", "label": str(_("Financement"))},
                            {"id": "c5", "label": str(_("Acceptabilité locale"))},
                        ],
                        "multiple": False,
                        "allow_other": True,
                    },
                    "minutes": 8,
                },
                {
                    "kind": "question",
                    "title": _("Une réussite industrielle du territoire depuis 2018 ?"),
                    "body": _(
                        "Un projet, une entreprise, une coopération : en une ou deux phrases."
                    ),
                    "config": {"max_length": 280},
                    "minutes": 5,
                },
                {
                    "kind": "ranking",
                    "title": _("Par quoi commencer ? Classez trois leviers"),
                    "body": _(
                        "Votre premier choix compte 3 points, le deuxième 2, le troisième 1."
                    ),
                    "config": {
                        "items": [
                            {"id": "c1", "label": str(_("Préparer du foncier prêt à l'emploi"))},
                            {"id": "c2", "label": str(_("Former aux métiers de l'industrie"))},
                            {"id": "c3", "label": str(_("Sécuriser l'accès à l'énergie"))},
                            {"id": "c4", "label": str(_("Accompagner les projets des PME"))},
                            {"id": "c5", "label": str(_("Faire connaître l'industrie locale"))},
                        ],
                        "picks": 3,
                    },
                    "minutes": 6,
                },
            ],
        },
        {
            "title": _("Méthode d'analyse du patrimoine industriel"),
            "minutes": 40,
            "activities": [
                {
                    "kind": "talk",
                    "title": _("Les sites qui ouvrent, s'agrandissent et ferment"),
                    "body": _(
                        "Une lecture dynamique du tissu productif : ouvertures, extensions et "
                        "fermetures de sites, emplois, par filière. Une filière se reconnaît à "
                        "ses entreprises locomotives et à leurs partenaires locaux."
                    ),
                    "minutes": 20,
                },
            ],
        },
        {
            "title": _("Formuler sa priorité"),
            "minutes": 30,
            "activities": [
                {
                    "kind": "talk",
                    "title": _("Une priorité précise"),
                    "body": _(
                        "Quelle filière ? Quels emplois, combien, avec quelles compétences ? "
                        "Quelles retombées locales attendues de chaque projet ?"
                    ),
                    "minutes": 5,
                },
                {
                    "kind": "priority",
                    "title": _("Ma priorité"),
                    "body": _(
                        "Une phrase, puis les précisions : l'assistant vous dit ce qui manque."
                    ),
                    "config": {"max_priorities": 1},
                    "minutes": 20,
                },
            ],
        },
        {
            "title": _("Échanger entre pairs"),
            "minutes": 50,
            "activities": [
                {
                    "kind": "talk",
                    "title": _("Deux ou trois actions pour demain"),
                    "body": _(
                        "Confrontez vos priorités à votre table, puis engagez-vous sur deux ou "
                        "trois actions à changer ou lancer dès le lendemain, avec un porteur "
                        "et une échéance."
                    ),
                    "minutes": 5,
                },
                {
                    "kind": "tables",
                    "title": _("Les tables"),
                    "body": _(
                        "Rejoignez votre table : vos voisins et leurs priorités s'affichent ici."
                    ),
                    "minutes": 20,
                },
                {
                    "kind": "actions",
                    "title": _("Mes actions pour demain"),
                    "body": _(
                        "Deux ou trois actions à changer ou à lancer dès demain, avec un porteur "
                        "et une échéance. Soutenez celles des autres."
                    ),
                    "config": {"min_actions": 2, "max_actions": 3},
                    "minutes": 15,
                },
                {
                    "kind": "vote",
                    "title": _("Décider ensemble"),
                    "body": _(
                        "Trois points à répartir entre les propositions des tables et les "
                        "actions les plus soutenues. Le classement s'affiche à la clôture du vote."
                    ),
                    "config": {"points": 3, "actions": 5, "retained": 3},
                    "minutes": 10,
                },
            ],
        },
        {
            "title": _("Restitution collective"),
            "minutes": 30,
            "activities": [
                {
                    "kind": "talk",
                    "title": _("Ce que nous retenons ensemble"),
                    "body": _("La synthèse de la rencontre et les actions engagées."),
                    "minutes": 5,
                },
                {
                    "kind": "debrief",
                    "title": _("La synthèse"),
                    "minutes": 25,
                },
            ],
        },
    ]
