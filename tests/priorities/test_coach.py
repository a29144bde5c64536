"""The precision coach on a table of priorities, from vague to precise: the level each one
should get (0-6), whether it reads as general, and what the coach reads in it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from priorities.coach import (
    DOCUMENT_CHANGE_QUESTION,
    FILIERE_LEXICON,
    QUESTIONS,
    SHIPPED_FILIERES,
    FiliereRef,
    Reading,
    coach,
    horizon_choice,
    propose,
    read,
)
from priorities.models import Benefit, Horizon, Origin, Priority
from priorities.selectors import PRIORITY_COLUMNS, priority_rows, priority_wall
from territories.filieres import CNI_FILIERES, NEW_FILIERES
from territories.models import Filiere
from tests.factories import UserFactory, make_rencontre
from workshops import services as engine
from workshops.models import Activity

NSE = "industries-des-nouveaux-systemes-energetiques"
PRECISE = (
    "Créer 120 emplois de techniciens et soudeurs dans la filière batteries d'ici 2028, "
    "avec des retombées pour les sous-traitants locaux"
)

# (statement, expected level, general, what the coach reads: Reading fields that must match)
TABLE = [
    ("", 0, False, {}),
    # The cases a facilitator saw go wrong.
    (PRECISE, 5, False, {
        "filiere": NSE, "jobs_count": 120, "jobs_kinds": ("techniciens", "soudeurs"),
        "benefits": ("subcontracting",),
        "benefit_phrase": "retombées pour les sous-traitants locaux", "horizon_year": 2028,
    }),
    ("Développer l'industrie du futur", 1, False, {"filiere": "solutions-industrie-du-futur"}),
    ("Réindustrialiser la vallée", 0, True, {"filiere": "", "origin": ""}),
    ("Attirer des talents", 1, False, {"origin": "", "jobs_kinds": ()}),
    ("Attirer des talents et des compétences pour nos usines", 1, False, {"origin": ""}),
    ("Attirer des jeunes vers les métiers de l'industrie", 1, False, {"origin": ""}),
    ("Réindustrialisation du bassin de vie", 0, True, {}),
    ("Relancer la réindustrialisation du territoire", 0, True, {}),
    (
        "Réindustrialiser la vallée de l'Arve avec la filière décolletage",
        1, False, {"filiere": "mines-et-metallurgie"},
    ),
    # Vague or general.
    ("Attirer des projets exogènes", 1, True, {"origin": "exogenous"}),
    ("Développer l'économie", 0, True, {}),
    ("Accompagner les entreprises", 0, True, {}),
    ("Renforcer l'attractivité du territoire", 0, True, {}),
    ("Favoriser l'innovation", 0, True, {}),
    ("Dynamiser le tissu industriel", 0, True, {}),
    ("Attirer des entreprises", 1, True, {"origin": "exogenous"}),
    ("Accompagner les entreprises locales", 1, True, {"origin": "endogenous"}),
    ("Améliorer l'attractivité pour les jeunes", 0, True, {}),
    ("Améliorer l'image de l'industrie auprès des collégiens", 0, True, {}),
    ("Promouvoir l'industrie", 0, True, {}),
    (
        "Attirer de nouvelles entreprises grâce à l'attractivité du territoire",
        1, True, {"origin": "exogenous"},
    ),
    ("Accompagner la transmission des entreprises industrielles", 1, True, {"origin": "endogenous"}),
    ("Mieux coordonner les acteurs publics", 0, False, {}),
    # A filière, by its usual words.
    ("Soutenir la filière bois", 1, False, {"filiere": "bois"}),
    ("Développer la filière hydrogène", 1, False, {"filiere": NSE}),
    (
        "Développer la filière hydrogène vert autour de l'électrolyseur de la zone portuaire",
        1, False, {"filiere": NSE},
    ),
    ("Développer le numérique", 1, False, {"filiere": "industrie-du-numerique"}),
    (
        "Transformer la filière automobile vers les nouvelles mobilités",
        1, False, {"filiere": "automobile"},
    ),
    (
        "Produire des vélos électriques en série dans l'ancienne usine",
        1, False, {"filiere": "nouvelles-mobilites"},
    ),
    (
        "Déployer la fibre et la 5G dans les zones d'activité",
        1, False, {"filiere": "infrastructures-numeriques"},
    ),
    (
        "Faire de la vallée un pôle de l'eau et de l'assainissement",
        1, False, {"filiere": "eau"},
    ),
    (
        "Construire un navire de pêche dans le chantier naval local",
        1, False, {"filiere": "industries-de-la-mer"},
    ),
    (
        "Développer le nautisme et la construction navale de plaisance",
        1, False, {"filiere": "industries-de-la-mer"},
    ),
    ("Relier la zone industrielle par le rail pour le fret", 1, False, {"filiere": "ferroviaire"}),
    ("Moderniser le matériel roulant du tramway", 1, False, {"filiere": "ferroviaire"}),
    (
        "Développer les biotechnologies et les dispositifs médicaux",
        1, False, {"filiere": "industries-de-sante"},
    ),
    ("Relancer la fromagerie coopérative", 1, False, {"filiere": "agroalimentaire"}),
    (
        "Monter une filière de méthanisation agricole",
        1, False, {"filiere": "transformation-et-valorisation-des-dechets"},
    ),
    (
        "Produire de l'acier bas carbone avec un four électrique",
        1, False, {"filiere": "mines-et-metallurgie"},
    ),
    (
        "Être une vitrine de l'industrie 4.0 à l'horizon 2035",
        1, False, {"filiere": "solutions-industrie-du-futur", "horizon_year": 2035},
    ),
    (
        "Développer une ressourcerie et le réemploi avec une entreprise d'insertion",
        1, False, {"filiere": "industrie-circulaire-et-economie-sociale-et-solidaire"},
    ),
    (
        "Recycler les déchets du BTP en matériaux de construction locaux",
        1, False, {"filiere": "transformation-et-valorisation-des-dechets"},
    ),
    ("Structurer la filière foie gras", 1, False, {"filiere": "", "filiere_other": "foie gras"}),
    ("Construire la filière de demain", 0, False, {"filiere": "", "filiere_other": ""}),
    ("Faire émerger une filière d'avenir", 0, False, {"filiere_other": ""}),
    # Jobs.
    ("Recruter des soudeurs", 1, False, {"jobs_kinds": ("soudeurs",), "jobs_count": None}),
    ("Créer 50 emplois", 2, False, {"jobs_count": 50, "origin": ""}),  # jobs + something new
    (
        "Former des techniciens de maintenance",
        2, False, {"jobs_kinds": ("techniciens de maintenance",), "benefits": ("training",)},
    ),
    (
        "Créer 30 postes d'ingénieurs logiciel dans l'intelligence artificielle",
        3, False,
        {"filiere": "industrie-du-numerique", "jobs_count": 30, "jobs_kinds": ("ingénieurs",)},
    ),
    (
        "Une centaine d'emplois dans le textile technique d'ici trois ans",
        3, False, {"filiere": "mode-et-luxe", "jobs_count": 100, "horizon_years": 3},
    ),
    (
        "Recruter cinquante opérateurs de production dans la plasturgie d'ici deux ans",
        3, False,
        {
            "filiere": "chimie-et-materiaux", "jobs_count": 50,
            "jobs_kinds": ("opérateurs de production",), "horizon_years": 2,
        },
    ),
    (
        "Dix embauches de soudeurs dans la métallurgie avec le lycée",
        3, False,
        {"filiere": "mines-et-metallurgie", "jobs_count": 10, "benefits": ("training",)},
    ),
    (
        "Former 40 chaudronniers et tuyauteurs pour le chantier de l'EPR d'ici 2027",
        4, False,
        {
            "filiere": "nucleaire", "jobs_count": 40,
            "jobs_kinds": ("chaudronniers", "tuyauteurs"), "horizon_year": 2027,
        },
    ),
    (
        "Développer les compétences des salariés de l'industrie en cybersécurité",
        2, False, {"filiere": "securite"},
    ),
    ("Créer un centre de formation aux métiers de l'industrie", 3, False, {"origin": ""}),
    # Benefits.
    ("Valoriser le foncier économique", 1, False, {"benefits": ("land",)}),
    (
        "Augmenter la taxe foncière perçue sur les sites industriels",
        1, False, {"benefits": ("land", "tax")},
    ),
    (
        "Favoriser les achats locaux des donneurs d'ordres",
        1, False, {"benefits": ("subcontracting",)},
    ),
    (
        "Développer la sous-traitance locale de l'aéronautique",
        2, False, {"filiere": "aeronautique", "benefits": ("subcontracting",)},
    ),
    (
        "Accélérer la fabrication additive chez les sous-traitants de l'aéronautique",
        2, False, {"filiere": "solutions-industrie-du-futur"},
    ),
    (
        "Installer des panneaux solaires sur les toitures des entreprises en autoconsommation",
        2, False, {"filiere": NSE, "benefits": ("energy",)},
    ),
    (
        "Développer la maroquinerie de luxe avec les lycées professionnels",
        2, False, {"filiere": "mode-et-luxe", "benefits": ("training",)},
    ),
    (
        "Implanter un data center avec récupération de la chaleur fatale pour le réseau de chaleur",
        3, False,
        {
            "filiere": "infrastructures-numeriques", "benefits": ("energy",),
            "origin": "exogenous",
            "benefit_phrase": "récupération de la chaleur fatale pour le réseau de chaleur",
        },
    ),
    (
        "Négocier des contreparties locales à l'implantation des data centers",
        3, False, {"filiere": "infrastructures-numeriques", "origin": "exogenous"},
    ),
    (
        "Réindustrialiser la friche Nexans pour la plasturgie",
        2, False, {"filiere": "chimie-et-materiaux", "benefits": ("land",)},
    ),
    # Origin.
    (
        "Faire grandir les entreprises locales du décolletage",
        2, False, {"filiere": "mines-et-metallurgie", "origin": "endogenous"},
    ),
    (
        "Faire grandir nos PME de l'agroalimentaire vers l'export",
        2, False, {"filiere": "agroalimentaire", "origin": "endogenous"},
    ),
    (
        "Soutenir les entreprises locales de l'électronique et des capteurs",
        2, False, {"filiere": "electronique", "origin": "endogenous"},
    ),
    (
        "Sauver la fonderie : reprise par les salariés en SCOP",
        3, False, {"filiere": "mines-et-metallurgie", "origin": "endogenous"},
    ),
    (
        "Trouver du foncier pour l'extension de l'usine Somfy",
        2, False, {"benefits": ("land",), "origin": "endogenous"},
    ),
    ("Attirer une usine de batteries", 2, False, {"filiere": NSE, "origin": "exogenous"}),
    (
        "Attirer une usine de batteries avec 300 emplois",
        3, False, {"filiere": NSE, "jobs_count": 300, "origin": "exogenous"},
    ),
    (
        "Attirer des investisseurs étrangers dans la chimie verte",
        2, False, {"filiere": "chimie-et-materiaux", "origin": "exogenous"},
    ),
    (
        "Attirer un fabricant de pompes à chaleur avec 200 salariés",
        3, False, {"filiere": NSE, "jobs_count": 200, "origin": "exogenous"},
    ),
    (
        "Attirer des compétences dans les laboratoires",
        1, False, {"origin": ""},  # skills, not an outside project
    ),
    (
        "Relocaliser la production de médicaments essentiels",
        2, False, {"filiere": "industries-de-sante", "origin": "exogenous"},
    ),
    (
        "Valoriser les friches industrielles pour accueillir de nouveaux projets",
        2, False, {"benefits": ("land",), "origin": "exogenous"},
    ),
    (
        "Créer des start-up de la cybersécurité au sein du campus",
        2, False, {"filiere": "securite", "origin": "creation"},
    ),
    ("Créer un incubateur de jeunes pousses industrielles", 1, False, {"origin": "creation"}),
    ("Essaimage de start-up depuis le laboratoire public", 1, False, {"origin": "creation"}),
    (
        "Accueillir 3 start-up industrielles du recyclage d'ici 2028",  # no indicator
        2, False,
        {
            "filiere": "transformation-et-valorisation-des-dechets", "origin": "creation",
            "horizon_year": 2028,
        },
    ),
    # Horizon and indicator.
    (
        "Taux de reprise de 80 % des entreprises industrielles d'ici 2030",
        2, False, {"origin": "endogenous", "horizon_year": 2030},
    ),
    (
        "Doubler la part de produits locaux dans la restauration collective d'ici 2028",
        1, False, {"horizon_year": 2028},
    ),
    (
        "Réduire de 20 % la consommation d'énergie des PME d'ici 2030",
        2, False, {"filiere": "transition-energetique", "horizon_year": 2030},
    ),
    (
        "Équiper les PME en cobots et automatisation, mesuré par le nombre de lignes "
        "robotisées d'ici 2029",
        2, False, {"filiere": "solutions-industrie-du-futur", "horizon_year": 2029},
    ),
    (
        "Accueillir une gigafactory de batteries et 1 200 emplois d'ici 2030",
        4, False,
        {"filiere": NSE, "jobs_count": 1200, "origin": "exogenous", "horizon_year": 2030},
    ),
    # Precise.
    (
        "Implanter une gigafactory de batteries : 300 emplois de techniciens, "
        "sous-traitance locale",
        4, False,
        {
            "filiere": NSE, "jobs_count": 300, "jobs_kinds": ("techniciens",),
            "benefit_phrase": "sous-traitance locale", "origin": "exogenous",
        },
    ),
    (
        "D'ici 2028, attirer deux projets de recyclage des batteries créant 150 emplois "
        "d'opérateurs, avec 30 % d'achats locaux",
        5, False,
        {
            "filiere": "transformation-et-valorisation-des-dechets", "jobs_count": 150,
            "benefit_phrase": "30 % d'achats locaux", "origin": "exogenous",
        },
    ),
    (
        "Faire grandir nos PME du décolletage vers le médical : 80 postes d'usineurs, formation "
        "au lycée pro, mesuré par le nombre d'embauches d'ici 2027, entreprises locales",
        5, False,
        {
            "filiere": "mines-et-metallurgie", "jobs_count": 80, "jobs_kinds": ("usineurs",),
            "origin": "endogenous", "horizon_year": 2027,
        },
    ),
    (
        "D'ICI 2029, CRÉER 45 EMPLOIS D'AUTOMATICIENS DANS LA ROBOTIQUE AVEC LE LYCÉE",
        5, False,
        {"filiere": "solutions-industrie-du-futur", "jobs_count": 45, "horizon_year": 2029},
    ),
]  # fmt: skip

STRUCTURED = [
    # (fields, expected level)
    ({"statement": "Attirer des projets exogènes", "filiere": True}, 2),
    ({"statement": "Attirer des projets exogènes", "filiere": True, "jobs_count": 120}, 3),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_count": 120,
            "benefits": ["subcontracting"],
        },
        4,
    ),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_kinds": "techniciens",
            "benefits": ["subcontracting"],
            "horizon": "3y",
        },
        4,  # a horizon without an indicator is not yet measurable
    ),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_count": 120,
            "benefits": ["subcontracting"],
            "horizon": "3y",
        },
        5,  # a number of jobs by a date is its own indicator
    ),
    (
        {
            "statement": "Attirer des projets exogènes",
            "filiere": True,
            "jobs_count": 120,
            "benefits": ["subcontracting"],
            "horizon": "3y",
            "indicator": "emplois créés",
        },
        5,
    ),
    ({"statement": "Une priorité", "origin": "endogenous", "jobs_kinds": "ingénieurs"}, 2),
]


@pytest.mark.parametrize(("statement", "level", "general", "reads"), TABLE)
def test_level_generality_and_reading(statement, level, general, reads):
    result = coach(statement=statement)
    assert (result.level, result.vague) == (level, general), result.answered
    for name, value in reads.items():
        assert getattr(result.reading, name) == value, name


@pytest.mark.parametrize(("fields", "level"), STRUCTURED)
def test_structured_fields_count(fields, level):
    assert coach(**fields).level == level


def test_the_table_has_at_least_sixty_examples():
    assert len(TABLE) >= 60
    assert len({statement for statement, *_ in TABLE}) == len(TABLE)


def test_next_question_is_the_first_unanswered_dimension():
    assert coach(statement="Attirer des projets exogènes").next_question == str(
        QUESTIONS["filiere"]
    )
    assert coach(statement="Attirer des projets", filiere=True).next_question == str(
        QUESTIONS["jobs"]
    )
    full = coach(
        statement="x",
        filiere=True,
        jobs_count=3,
        benefits=["tax"],
        origin="creation",
        horizon="1y",
        indicator="CA",
    )
    assert (full.level, full.next_question) == (5, str(QUESTIONS["document"]))
    fields = {
        "statement": "x",
        "filiere": True,
        "jobs_count": 3,
        "benefits": ["tax"],
        "origin": "creation",
        "horizon": "1y",
        "indicator": "CA",
    }
    chosen = coach(**fields, document="plui")
    assert (chosen.level, chosen.next_question) == (5, str(DOCUMENT_CHANGE_QUESTION))
    done = coach(**fields, document="plui", document_change="Une réserve foncière de 5 ha")
    assert (done.level, done.next_question) == (6, "")
    assert coach(statement="").next_question == "Quelle est votre priorité, en une phrase ?"


def test_the_lexicon_names_only_shipped_filieres_and_covers_them_all():
    assert set(FILIERE_LEXICON) == set(CNI_FILIERES) | set(NEW_FILIERES)
    assert {f.slug for f in SHIPPED_FILIERES} == {slugify(n) for n in FILIERE_LEXICON}


@pytest.mark.parametrize("name", [*CNI_FILIERES, *NEW_FILIERES])
def test_every_filiere_is_read_by_its_own_name(name):
    assert read(f"Développer la filière {name.lower()}").filiere == slugify(name)


def test_words_match_at_a_word_start_whatever_the_case_and_accents():
    assert read("DÉVELOPPER").filiere == ""  # "velo" is not at a word start
    assert read("filiere HYDROGENE").filiere == read("filière hydrogène").filiere == NSE
    assert read("le réseau de la ville").filiere == ""  # "eau" inside a word
    assert read("Relancer la main-d’œuvre locale").benefits == ("jobs",)


def test_the_word_after_filiere_wins_then_reading_order():
    assert read("Passer de l'automobile à la filière hydrogène").filiere == NSE
    assert read("Passer de l'automobile à l'hydrogène").filiere == "automobile"
    # At one place, the longest words win: "construction navale" over "construction".
    assert read("La construction navale").filiere == "industries-de-la-mer"


def test_a_filiere_added_locally_is_read_by_its_name_and_wins_over_the_lexicon():
    local = [*SHIPPED_FILIERES, FiliereRef("batteries", "Batteries")]
    assert read("Attirer une usine de batteries", local).filiere == "batteries"
    assert read("La filière décolletage", [FiliereRef("decolletage", "Décolletage")]).filiere == (
        "decolletage"
    )
    # With no list at all, nothing is a filière of the list.
    assert read("La filière bois", []).filiere == ""


def test_reading_is_deterministic():
    assert read(PRECISE) == read(PRECISE)
    assert coach(statement=PRECISE) == coach(statement=PRECISE)


def test_a_horizon_year_becomes_the_nearest_horizon_choice():
    assert horizon_choice(Reading(horizon_year=2028), 2026) == "3y"
    assert horizon_choice(Reading(horizon_year=2027), 2026) == "1y"
    assert horizon_choice(Reading(horizon_year=2031), 2026) == "5y"
    assert horizon_choice(Reading(horizon_year=2040), 2026) == "10y"
    assert horizon_choice(Reading(horizon_year=2020), 2026) == ""  # past
    assert horizon_choice(Reading(horizon_years=3, horizon_year=2040), 2026) == "3y"
    assert {"1y", "3y", "5y", "10y"} <= set(Horizon.values)


def test_proposals_only_for_empty_fields():
    reading = read(PRECISE)
    proposals = {p.field: p.value for p in propose(reading, {}, year=2026)}
    assert proposals == {
        "filiere": "Industries des nouveaux systèmes énergétiques",
        "jobs_count": "120",
        "jobs_kinds": "techniciens, soudeurs",
        "benefits": "Sous-traitance locale — « retombées pour les sous-traitants locaux »",
        "horizon": "D'ici 3 ans",
    }
    filled = {"filiere": object(), "jobs_count": 0, "benefits": ["tax"], "horizon": "1y"}
    assert {p.field for p in propose(reading, filled, year=2026)} == {"jobs_kinds"}
    origin = propose(read("Attirer des investisseurs"), {}, year=2026)
    assert [(p.field, p.value) for p in origin] == [("origin", Origin.EXOGENOUS.label)]


def test_each_proposal_fills_its_fields_as_the_form_posts_them():
    fills = {p.field: p.fill for p in propose(read(PRECISE), {}, year=2026)}
    assert fills == {
        "filiere": {"filiere": "Industries des nouveaux systèmes énergétiques"},
        "jobs_count": {"jobs_count": "120"},
        "jobs_kinds": {"jobs_kinds": "techniciens, soudeurs"},
        "benefits": {
            "benefits": ["subcontracting"],
            "benefits_note": "retombées pour les sous-traitants locaux",
        },
        "horizon": {"horizon": "3y"},
    }
    note = {"benefits_note": "déjà écrit"}
    (benefits,) = [p for p in propose(read(PRECISE), note, year=2026) if p.field == "benefits"]
    assert benefits.fill == {"benefits": ["subcontracting"]}
    assert set(benefits.fill["benefits"]) <= set(Benefit.values)
    assert propose(read("Structurer la filière foie gras"), {}, year=2026)[0].fill == {
        "filiere_other": "foie gras"
    }


@pytest.mark.django_db
def test_the_phone_shows_proposals_and_the_accepted_fields_reach_the_wall_and_csv():
    rencontre = make_rencontre(facilitator=UserFactory())
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}", {"name": "Ana", "organisation": "Org", "actor_type": "entreprise"}
    )
    activity = Activity.objects.get(step__rencontre=rencontre, kind="priority")
    engine.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    url = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "enregistrer"])
    part = reverse("workshops:phone_part", args=[rencontre.code, activity.pk])
    typed = {"rank": 1, "statement": PRECISE}
    html = phone.post(url, typed).content.decode()
    assert "Précision 5/6" in html
    assert "data-fill=" in html
    assert "&quot;filiere&quot;: &quot;Industries des nouveaux systèmes énergétiques&quot;" in html
    assert priority_wall(activity)["groups"][0][0] == "Filière à préciser"
    # What "Accepter" writes in the form, the autosave posts (the browser test taps it).
    filiere = Filiere.objects.get(slug=NSE)
    accepted = {
        **typed,
        "filiere": filiere.pk,
        "jobs_count": "120",
        "jobs_kinds": "techniciens, soudeurs",
        "benefits": ["subcontracting"],
        "benefits_note": "retombées pour les sous-traitants locaux",
        "horizon": "3y",
    }
    html = phone.post(url, accepted).content.decode()
    assert "data-fill=" not in html  # every field the sentence names is filled
    page = phone.get(part).content.decode()
    assert "data-fill=" not in page
    priority = Priority.objects.get()
    label, items = priority_wall(activity)["groups"][0]
    assert (label, [p.pk for p in items]) == (filiere.name, [priority.pk])
    row = dict(zip(PRIORITY_COLUMNS, priority_rows(rencontre)[0], strict=True))
    assert (row["filiere"], row["emplois"], row["quels_emplois"]) == (
        filiere.name,
        120,
        "techniciens, soudeurs",
    )
    assert row["niveau_precision"] == 5
