"""The precision coach: deterministic rules, no outside service.

A priority is precise when it answers six questions. Each is satisfied either by the
structured field on the phone or by the sentence itself:
1. filière     — a filière chosen, or named in the sentence: a filière of the list by its name,
                 or one of the usual words of a national filière ("batteries", "industrie du
                 futur", "décolletage", "data center"…, see FILIERE_LEXICON), or "filière X".
2. emplois     — a number of jobs or the kinds of jobs ("120 emplois", "techniciens",
                 "soudeurs", "attirer des talents": recruiting is a jobs question).
3. retombées   — expected local benefits (sous-traitance locale, formation, foncier, fiscalité…)
4. origine     — endogenous ("entreprises locales", "faire grandir", "reprise"), exogenous
                 ("implantation", "attirer des projets / une usine / des investisseurs") or
                 creation ("créer", "start-up", "essaimage"). Attracting talents, young people
                 or skills is recruitment, not an outside project.
5. mesure      — a horizon *and* a success indicator ("d'ici 2028" and "mesuré par…", "%",
                 "taux de"…); a number of jobs to reach by a date is its own indicator.
6. document    — the strategy or planning document to change *and* what should change in it
                 (the two fields), or a document named in the sentence ("inscrire au PLUi…",
                 "réviser le SCoT", "le contrat Territoires d'industrie", "SRDEII", "stratégie
                 économique de l'EPCI"…, see DOCUMENT_LEXICON): the sentence then says the change.
                 A document chosen without the change is asked "what should change in it".
The precision level is the number of questions answered (0 to 6). The next question asked is
the first unanswered one in that order. A sentence built on a vague verb, on attractiveness
alone or on reindustrialisation in general ("développer", "accompagner", "attirer des projets",
"attractivité", "réindustrialiser") is flagged as general while it has no filière, no jobs
and no benefits.

Matching: case, accents and ligatures are folded; words match at a word start ("velo" does
not match "développer"), an entry ending in \\b matches the whole word only. When several
filières are named, the one right after the word "filière" wins, then the first in reading
order (the longest words first at one place), then a filière added locally, then the list order.

Besides its level, the coach says what it read (`Reading`): the filière, the number and
kinds of jobs, the benefits and the phrase that names them, the origin, the horizon and the
planning document (with the clause naming it). The phone proposes each in its field when that
field is empty (`propose`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from priorities.models import Benefit, Horizon, Origin, PlanningDocument
from territories.filieres import CNI_FILIERES, NEW_FILIERES
from territories.models import Filiere

_LIGATURES = {"œ": "oe", "æ": "ae", "’": "'", "ʼ": "'", "\u00a0": " ", "\u202f": " "}


def _fold_map(text: str) -> tuple[str, list[int]]:
    """The text casefolded, without accents, ligatures spelt out, and for each folded
    character the index of the original character it comes from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = _LIGATURES.get(char.casefold(), char.casefold())
        piece = unicodedata.normalize("NFKD", piece)
        for ch in piece:
            if not unicodedata.combining(ch):
                out.append(_LIGATURES.get(ch, ch))
                origin.append(index)
    return "".join(out), origin


def _fold(text: str) -> str:
    return _fold_map(text)[0]


# The usual words of each filière of the shipped list (territories.filieres), folded. The key
# is the filière's name; its slug is what the reading returns.
FILIERE_LEXICON: dict[str, tuple[str, ...]] = {
    "Aéronautique": (
        "aeronautique",
        "aerospatial",
        "aeroport",
        "aviation",
        "avion",
        "helicoptere",
        "spatial",
        "satellite",
        "lanceur",
    ),
    "Agroalimentaire": (
        "agroalimentaire",
        "agro-alimentaire",
        "agro-industrie",
        "agroindustrie",
        "alimentaire",
        "alimentation",
        "laiterie",
        "laitier",
        "fromage",
        "fromagerie",
        "salaison",
        "charcuterie",
        "conserverie",
        "brasserie",
        "boisson",
        "viticole",
        "abattoir",
        "transformation des produits agricoles",
    ),
    "Automobile": (
        "automobile",
        "automobiles",
        "constructeur automobile",
        "equipementiers? automobiles?",
        "voiture",
        "poids lourds?",
        "carrosserie",
    ),
    "Bois": (
        "bois\\b",
        "foret",
        "forestier",
        "forestiere",
        "scierie",
        "sciage",
        "menuiserie",
        "charpente",
        "ameublement",
        "meuble",
        "papeterie",
        "papetier",
        "carton",
    ),
    "Chimie et matériaux": (
        "chimie",
        "chimique",
        "plasturgie",
        "plastique",
        "polymere",
        "caoutchouc",
        "composite",
        "materiaux\\b",
        "biosource",
    ),
    "Eau": (
        "eaux?\\b",
        "assainissement",
        "eau potable",
        "traitement des eaux",
        "station d'epuration",
    ),
    "Électronique": (
        "electronique",
        "microelectronique",
        "micro-electronique",
        "semi-conducteur",
        "semiconducteur",
        "puce",
        "composants electroniques",
        "capteur",
        "photonique",
        "cartes? electronique",
    ),
    "Ferroviaire": (
        "ferroviaire",
        "rail\\b",
        "rails\\b",
        "trains\\b",
        "tramway",
        "metro\\b",
        "materiel roulant",
    ),
    "Industries de la mer": (
        "naval",
        "navale",
        "chantier naval",
        "construction navale",
        "navire",
        "bateau",
        "nautisme",
        "nautique",
        "maritime",
        "portuaire",
        "mer\\b",
        "eolien en mer",
        "eolien offshore",
        "offshore",
        "industries de la mer",
    ),
    "Industries de santé": (
        "sante",
        "pharma",
        "medicament",
        "medical",
        "medicale",
        "dispositifs? medica",
        "medtech",
        "biotech",
        "biotechnologie",
        "vaccin",
        "biomedical",
        "industries de sante",
    ),
    "Industries des nouveaux systèmes énergétiques": (
        "batterie",
        "gigafactory",
        "gigafactories",
        "cellules de batterie",
        "hydrogene",
        "electrolyseur",
        "electrolyse",
        "pile a combustible",
        "piles a combustible",
        "photovolta",
        "panneaux solaires",
        "solaire",
        "eolien",
        "eolienne",
        "stockage de l'energie",
        "stockage d'energie",
        "reseaux electriques",
        "smart grid",
        "pompes? a chaleur",
        "nouveaux systemes energetiques",
    ),
    "Industries pour la construction": (
        "batiment",
        "btp\\b",
        "secteur de la construction",
        "filiere construction",
        "construction durable",
        "travaux publics",
        "ciment",
        "beton",
        "verre\\b",
        "verrerie",
        "tuile",
        "brique",
        "renovation (?:energetique|thermique)",
        "materiaux de construction",
        "industries pour la construction",
    ),
    "Infrastructures numériques": (
        "data centers?",
        "datacenters?",
        "centres? de donnees",
        "fibre",
        "tres haut debit",
        "5g\\b",
        "telecom",
        "cloud",
        "infrastructures numeriques",
        "reseaux numeriques",
    ),
    "Mines et métallurgie": (
        "metallurgie",
        "metallurgique",
        "siderurgie",
        "acier",
        "acierie",
        "aluminium",
        "fonderie",
        "forge\\b",
        "forges\\b",
        "decolletage",
        "decolleteur",
        "usinage",
        "chaudronnerie",
        "traitement de surface",
        "traitements de surface",
        "metaux",
        "metal\\b",
        "metallique",
        "mines?\\b",
        "minier",
        "miniere",
        "lithium",
        "terres rares",
        "mines et metallurgie",
    ),
    "Mode et luxe": (
        "mode et luxe",
        "de la mode\\b",
        "luxe",
        "textile",
        "habillement",
        "confection",
        "cuir",
        "maroquinerie",
        "chaussure",
        "horlogerie",
        "bijouterie",
        "joaillerie",
        "lunetterie",
        "cosmetique",
        "parfum",
    ),
    "Nucléaire": (
        "nucleaire",
        "epr\\b",
        "smr\\b",
        "atome",
        "centrale nucleaire",
    ),
    "Sécurité": (
        "cybersecurite",
        "cyber",
        "industries de securite",
        "industrie de securite",
        "filiere securite",
        "defense\\b",
    ),
    "Solutions industrie du futur": (
        "industrie du futur",
        "usine du futur",
        "industrie 4\\.0",
        "industrie 5\\.0",
        "solutions industrie du futur",
        "robot",
        "robotique",
        "cobot",
        "automatisation",
        "automatisme",
        "machines?-outils?",
        "machine outil",
        "fabrication additive",
        "impression 3d",
        "mecanique",
        "maintenance industrielle",
        "jumeau numerique",
    ),
    "Transformation et valorisation des déchets": (
        "dechet",
        "recyclage",
        "recycler",
        "recyclerie",
        "valorisation des dechets",
        "valorisation matiere",
        "tri\\b",
        "methanisation",
        "compost",
    ),
    "Transition énergétique": (
        "transition energetique",
        "energie",
        "energetique",
        "energies renouvelables",
        "renouvelable",
        "decarbonation",
        "decarboner",
        "bas carbone",
        "biomasse",
        "biogaz",
        "geothermie",
        "chaleur renouvelable",
        "efficacite energetique",
        "sobriete energetique",
    ),
    "Industrie du numérique": (
        "numerique",
        "logiciel",
        "software",
        "informatique",
        "intelligence artificielle",
        "ia\\b",
        "digital",
        "cloud souverain",
        "jeux? video",
        "industrie du numerique",
        "edition de logiciels",
    ),
    "Nouvelles mobilités": (
        "mobilite",
        "mobilites",
        "nouvelles mobilites",
        "velo",
        "deux-roues",
        "vehicules? electriques?",
        "voitures? electriques?",
        "bornes? de recharge",
        "retrofit",
        "autopartage",
        "vehicule",
    ),
    "Industrie circulaire et économie sociale et solidaire": (
        "economie circulaire",
        "industrie circulaire",
        "circulaire",
        "economie sociale",
        "ess\\b",
        "reemploi",
        "reparation",
        "ressourcerie",
        "insertion par l'activite",
        "entreprises? d'insertion",
        "scop\\b",
        "cooperative",
    ),
}

# Jobs: kinds of jobs and skills (a kind of job alone answers the jobs question).
JOB_KIND_WORDS = (
    "techniciens?",
    "technicienne?s?",
    "ingenieurs?",
    "operateurs?",
    "operatrices?",
    "soudeurs?",
    "soudeuses?",
    "usineurs?",
    "chaudronniers?",
    "tuyauteurs?",
    "electriciens?",
    "electrotechniciens?",
    "mecaniciens?",
    "automaticiens?",
    "roboticiens?",
    "regleurs?",
    "conducteurs? de ligne",
    "pilotes? de ligne",
    "tourneurs?",
    "fraiseurs?",
    "monteurs?",
    "cableurs?",
    "caristes?",
    "logisticiens?",
    "developpeurs?",
    "data scientists?",
    "ouvriers?",
    "cadres",
    "chercheurs?",
    "apprentis?",
    "alternants?",
    "agents? de maintenance",
    "agents? de production",
    "maintenanciers?",
    "commerciaux",
)
JOB_WORDS = (
    *JOB_KIND_WORDS,
    "talent",
    "emploi",
    "poste",
    "salarie",
    "recrut",
    "embauch",
    "etp\\b",
    "alternan",
    "apprentissage",
    "competence",
    "main-d'oeuvre",
    "main d'oeuvre",
    "metier",
    "qualifi",
)
_NUMBER_WORDS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    "deux cents": 200,
    "trois cents": 300,
    "cinq cents": 500,
    "mille": 1000,
    "une dizaine": 10,
    "une vingtaine": 20,
    "une trentaine": 30,
    "une quarantaine": 40,
    "une cinquantaine": 50,
    "une soixantaine": 60,
    "une centaine": 100,
    "un millier": 1000,
}
_JOB_UNITS = (
    r"(?:emplois?|postes?|salaries?|recrutements?|etp|embauches?|jobs?|personnes|"
    + "|".join(JOB_KIND_WORDS)
    + r")\b"
)
_QUALIFIERS = r"(?:(?:nouveaux|nouvelles|premiers|vrais|de plus|supplementaires)\s+)?"
JOB_NUMBER = re.compile(
    r"(?<![\w,.])(\d{1,3}(?:[ .]\d{3})+|\d+)\s*(?:d'|de\s+)?" + _QUALIFIERS + _JOB_UNITS
)
JOB_NUMBER_WORDS = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")\s+(?:d'|de\s+)?"
    + _QUALIFIERS
    + _JOB_UNITS
)
_JOB_KIND_TAIL = (
    r"(?:\s+(?:de maintenance|de production|de ligne|d'usinage|de fabrication|qualifie(?:e)?s?"
    r"|specialise(?:e)?s?|industriel(?:le)?s?))?"
)

# Benefits, each word with the Benefit value it proposes ("" when it only says "benefits").
BENEFIT_LEXICON: dict[str, tuple[str, ...]] = {
    "subcontracting": (
        "sous-traitan",
        "sous traitan",
        "fournisseur",
        "achats locaux",
        "achat local",
        "achats de proximite",
        "donneurs? d'ordres?",
    ),
    "training": (
        "formation",
        "former\\b",
        "formations\\b",
        "lycee",
        "apprentissage",
        "campus des metiers",
    ),
    "land": ("foncier", "friche", "zone d'activite", "terrain", "requalification"),
    "tax": ("fiscal", "taxe", "cfe\\b", "recettes fiscales", "impot"),
    "energy": (
        "energie locale",
        "chaleur fatale",
        "autoconsommation",
        "electricite locale",
        "boucle locale d'energie",
    ),
    "jobs": (
        "emplois locaux",
        "emploi local",
        "main-d'oeuvre locale",
        "main d'oeuvre locale",
        "embauches? locales?",
        "habitants",
    ),
    "": ("retombee", "circuit court", "contreparties? locales?", "ancrage local"),
}
BENEFIT_WORDS = tuple(word for words in BENEFIT_LEXICON.values() for word in words)

_EXOGENOUS_OBJECTS = (
    r"(?:projets?|entreprises?|investisseurs?|investissements?|industriels?|usines?|sites?"
    r"|fabricants?|constructeurs?|equipementiers?|laboratoires?|employeurs?|leaders?"
    r"|implantations?|activites?|groupes?|eti|pme|gigafactor\w*|porteurs? de projets?"
    r"|capitaux|sieges?|centres?|unites?)\b"
)
ORIGIN_LEXICON: dict[str, tuple[str, ...]] = {
    "exogenous": (
        "exogene",
        "implantation",
        "s'implanter",
        "implanter",
        "accueillir (?:[\\w']+ ){0,2}" + _EXOGENOUS_OBJECTS,
        "attir\\w* (?:[\\w']+ ){0,2}" + _EXOGENOUS_OBJECTS,
        "attraction (?:de |des |d')(?:[\\w']+ ){0,1}" + _EXOGENOUS_OBJECTS,
        "prospection",
        "investisseurs etrangers",
        "investissements etrangers",
        "relocalis",
    ),
    "endogenous": (
        "endogene",
        "entreprises locales",
        "entreprises du territoire",
        "entreprises existantes",
        "pme locales",
        "nos pme",
        "nos entreprises",
        "tissu local",
        "faire grandir",
        "croissance des",
        "extension",
        "agrandi",
        "reprise",
        "transmission",
        "developpement endogene",
    ),
    "creation": (
        "creation",
        "creer",
        "cree\\b",
        "start-up",
        "startup",
        "jeunes pousses",
        "essaimage",
        "incubat",
        "entrepreneuriat",
    ),
}
# Only these say what kind of origin to propose; "créer 50 emplois" answers the origin
# question (something new) but is not yet a creation of firms.
_CREATION_OF_FIRMS = re.compile(
    r"(?<![\w-])(?:creations? d'(?:entreprises?|activites?|start-up)|creer (?:des|une|un|sa|son|"
    r"[\w']+) (?:entreprises?|start-up|startups?|societes?|activites?)|start-?ups?|jeunes pousses"
    r"|essaimage|incubat\w*|entrepreneuriat)"
)
HORIZON = re.compile(
    r"\b(20[2-9]\d|d'ici (?:un|deux|trois|quatre|cinq|dix|\d+) ans?|dans l'annee"
    r"|a (?:\d+|un|deux|trois|cinq|dix) ans?)\b"
)
_YEAR = re.compile(r"\b(20[2-9]\d)\b")
_RELATIVE = re.compile(
    r"\b(?:d'ici|a|dans|sous) (un|deux|trois|quatre|cinq|six|sept|huit|dix|\d+) ans?\b"
)
_SMALL = {
    "un": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "dix": 10,
}
INDICATOR = re.compile(
    r"(%|\bindicateur|\bmesure(e|s)? par\b|\bnombre de\b|\btaux de\b|\bpart de\b|\bobjectif de\b"
    r"|\bchiffre d'affaires\b)"
)
VAGUE = re.compile(
    r"^(developper|accompagner|renforcer|favoriser|soutenir|ameliorer|promouvoir|dynamiser|"
    r"valoriser|relancer|attirer des projets|attirer des entreprises)\b|attractivite"
    r"|projets? exogenes?$|(?<![\w-])reindustrialis"
)
# After "filière", the words that name it ("la filière foie gras" names one not in the list).
_AFTER_FILIERE = re.compile(
    r"(?<![\w-])filieres? (?:de la |de l'|du |des |d'|de |locales? (?:de la |de l'|du |des |d')?)?"
)
_STOP = re.compile(
    r"[,;:.!?()]|\s(?:d'ici|dans|pour|avec|et|en|sur|a|au|aux|qui|afin|par|grace|vers|avant)\b"
)

# Words after "filière" that name none ("la filière de demain", "une filière d'avenir").
_GENERIC_AFTER_FILIERE = frozenset(
    [
        "demain",
        "avenir",
        "d'avenir",
        "locale",
        "locales",
        "industrielle",
        "industrielles",
        "territoire",
        "territoriale",
        "strategique",
        "strategiques",
        "porteuse",
        "porteuses",
        "emergente",
        "emergentes",
        "nouvelle",
        "nouvelles",
        "complete",
        "completes",
        "entiere",
        "structuree",
        "structurees",
        "une",
        "la",
        "le",
        "les",
    ]
)

# The usual names of each planning document (PlanningDocument values), folded.
DOCUMENT_LEXICON: dict[str, tuple[str, ...]] = {
    "srdeii": (
        "srdeii",
        "srdei\\b",
        "schema regional de developpement economique",
        "schema regional economique",
        "strategie regionale",
    ),
    "epci": (
        "strategie economique",
        "strategie de developpement economique",
        "strategie intercommunale",
        "strategie de l'epci",
        "strategie de la communaute",
        "schema de developpement economique",
        "projet de territoire",
    ),
    "scot": ("scot\\b", "schema de coherence territoriale"),
    "plui": ("plui?\\b", "plu intercommunal", "plan local d'urbanisme", "reglement d'urbanisme"),
    "ti": (
        "territoires? d'industrie",
        "contrat ti\\b",
        "programme ti\\b",
    ),
}

QUESTIONS = {
    "filiere": _("Dans quelle filière ?"),
    "jobs": _("Combien d'emplois, et lesquels ?"),
    "benefits": _("Quelles retombées locales attendez-vous ?"),
    "origin": _("Faire grandir des entreprises locales, attirer des projets extérieurs ou créer ?"),
    "measure": _("À quel horizon, et comment saurez-vous que c'est réussi ?"),
    "document": _(
        "Quel document faut-il faire évoluer (SRDEII, stratégie de l'EPCI, SCoT, PLUi, "
        "contrat Territoires d'industrie…), et qu'y changer ?"
    ),
}
# Asked instead of the last question when the document is chosen but not the change.
DOCUMENT_CHANGE_QUESTION = _("Que faut-il changer dans ce document, en une ligne ?")
ORDER = tuple(QUESTIONS)


class FiliereLike(Protocol):
    slug: str
    name: str


@dataclass(frozen=True)
class FiliereRef:
    slug: str
    name: str


SHIPPED_FILIERES: tuple[FiliereRef, ...] = tuple(
    FiliereRef(slugify(name), name) for name in (*NEW_FILIERES, *CNI_FILIERES)
)
_LEXICON_BY_SLUG = {slugify(name): words for name, words in FILIERE_LEXICON.items()}


@dataclass(frozen=True)
class Reading:
    """What the sentence says, field by field ('' / None / () when it says nothing)."""

    filiere: str = ""  # slug of a filière of the list
    filiere_name: str = ""
    filiere_other: str = ""  # "filière X" where X is not in the list
    jobs_count: int | None = None
    jobs_kinds: tuple[str, ...] = ()  # as written ("techniciens", "soudeurs")
    benefits: tuple[str, ...] = ()  # Benefit values
    benefit_phrase: str = ""  # as written ("retombées pour les sous-traitants locaux")
    origin: str = ""  # an Origin value
    horizon_year: int | None = None  # "d'ici 2028" -> 2028
    horizon_years: int | None = None  # "d'ici trois ans" -> 3
    document: str = ""  # a PlanningDocument value
    document_phrase: str = ""  # the clause naming it, as written


@dataclass(frozen=True)
class Coaching:
    level: int
    answered: dict[str, bool] = field(default_factory=dict)
    next_question: str = ""
    vague: bool = False
    reading: Reading = field(default_factory=Reading)


def _starts(words: Iterable[str]) -> re.Pattern[str]:
    """Words matched at a word start ("velo" must not match "développer"); an entry may end
    with \\b to match the whole word only ("ess"). The longest entries are tried first."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(ordered) + ")")


JOB_RE, JOB_KIND_RE, BENEFIT_RE = (
    _starts(JOB_WORDS),
    re.compile(r"(?<![\w-])(?:" + "|".join(JOB_KIND_WORDS) + r")\b" + _JOB_KIND_TAIL),
    _starts(BENEFIT_WORDS),
)
_BENEFIT_RES = {code: _starts(words) for code, words in BENEFIT_LEXICON.items()}
_ORIGIN_RES = {kind: _starts(words) for kind, words in ORIGIN_LEXICON.items()}
_DOCUMENT_RES = {code: _starts(words) for code, words in DOCUMENT_LEXICON.items()}
_DOCUMENT_LEAD = re.compile(r"\s*(?:(?:et|avec|par|via|grace a|pour|dont) )+")


@lru_cache(maxsize=32)
def _filiere_patterns(
    filieres: tuple[tuple[str, str], ...],
) -> tuple[tuple[str, str, bool, re.Pattern[str]], ...]:
    """(slug, name, local, pattern) for each filière: the lexicon's words for a shipped one,
    its folded name (plural allowed) for one added locally."""
    out = []
    for slug, name in filieres:
        words = _LEXICON_BY_SLUG.get(slug)
        local = words is None
        if local:
            folded = re.escape(_fold(name.strip()))
            if not folded:
                continue
            words = (folded + r"(?:s|x)?\b",)
        out.append((slug, name, local, _starts(words)))
    return tuple(out)


def _find_filiere(text: str, filieres: tuple[tuple[str, str], ...]) -> tuple[str, str, str]:
    """(slug, name, other): the filière named, or the words after "filière" when none is."""
    after = {m.end() for m in _AFTER_FILIERE.finditer(text)}
    best: tuple | None = None
    for position, (slug, name, local, pattern) in enumerate(_filiere_patterns(filieres)):
        for m in pattern.finditer(text):
            key = (m.start() not in after, m.start(), -(m.end() - m.start()), not local, position)
            if best is None or key < best[0]:
                best = (key, slug, name)
    if best is not None:
        return best[1], best[2], ""
    for m in _AFTER_FILIERE.finditer(text):
        rest = text[m.end() :]
        stop = _STOP.search(rest)
        words = (rest[: stop.start()] if stop else rest).split()[:4]
        if words and words[0].strip("'") not in _GENERIC_AFTER_FILIERE:
            return "", "", " ".join(words)
    return "", "", ""


def _original(statement: str, origin: list[int], start: int, end: int) -> str:
    """The original characters behind folded text[start:end]."""
    if start >= end:
        return ""
    return statement[origin[start] : origin[end - 1] + 1]


def _jobs_count(text: str) -> int | None:
    m = JOB_NUMBER.search(text)
    if m:
        return int(re.sub(r"[ .]", "", m.group(1)))
    m = JOB_NUMBER_WORDS.search(text)
    if m:
        return _NUMBER_WORDS[" ".join(m.group(1).split())]
    return None


def _benefit_phrase(statement: str, origin: list[int], text: str) -> str:
    m = BENEFIT_RE.search(text)
    if not m:
        return ""
    # From the benefit word back to its clause's start within a few words, forward to the
    # clause's end: "retombées pour les sous-traitants locaux".
    start = m.start()
    clause_start = max(text.rfind(",", 0, start), text.rfind(";", 0, start), -1) + 1
    lead = re.search(
        r"(?:(?<![\w-])avec (?:des |de |d'|la |le |les |l')?)", text[clause_start:start]
    )
    if lead and lead.end() + clause_start <= start:
        start = clause_start + lead.end()
    stop = re.search(r"[,;.!?]|\sd'ici\b|\s20[2-9]\d\b", text[m.end() :])
    end = m.end() + (stop.start() if stop else len(text) - m.end())
    if start == 0:  # the whole sentence: nothing to add as a note
        return ""
    phrase = _original(statement, origin, start, end).strip()
    return phrase[:120].rstrip()


def _origin(text: str) -> str:
    for kind in ("exogenous", "endogenous"):
        if _ORIGIN_RES[kind].search(text):
            return kind
    return "creation" if _CREATION_OF_FIRMS.search(text) else ""


def _horizon(text: str) -> tuple[int | None, int | None]:
    years = [int(y) for y in _YEAR.findall(text)]
    relative = _RELATIVE.search(text)
    span = None
    if relative:
        word = relative.group(1)
        span = int(word) if word.isdigit() else _SMALL[word]
    elif re.search(r"\bdans l'annee\b", text):
        span = 1
    return (max(years) if years else None), span


def _document(statement: str, origin: list[int], text: str) -> tuple[str, str]:
    """(document, clause): the first planning document named in reading order, and the
    clause naming it when the sentence has more than one clause ('' otherwise)."""
    found = []
    for code, pattern in _DOCUMENT_RES.items():
        m = pattern.search(text)
        if m:
            found.append((m.start(), code))
    if not found:
        return "", ""
    start, code = min(found)
    left = max(text.rfind(mark, 0, start) for mark in ",;:.") + 1
    lead = _DOCUMENT_LEAD.match(text, left)  # "avec une révision du SCoT": "une révision…"
    if lead and lead.end() <= start:
        left = lead.end()
    stops = [text.find(mark, start) for mark in ",;.!?"]
    right = min([i for i in stops if i != -1] or [len(text)])
    if left == 0 and right >= len(text.rstrip(" .!?")):
        return code, ""
    return code, _original(statement, origin, left, right).strip()[:200].rstrip()


def read(statement: str, filieres: Sequence[FiliereLike] | None = None) -> Reading:
    """What the sentence names, field by field, against the filières of the list (the
    shipped list when none is given). Pure and deterministic."""
    statement = " ".join(statement.split())
    text, origin = _fold_map(statement)
    refs = tuple((f.slug, f.name) for f in (SHIPPED_FILIERES if filieres is None else filieres))
    slug, name, other = _find_filiere(text, refs)
    kinds: list[str] = []
    for m in JOB_KIND_RE.finditer(text):
        word = _original(statement, origin, m.start(), m.end())
        if word.casefold() not in (k.casefold() for k in kinds):
            kinds.append(word)
    benefits = tuple(
        code for code, pattern in _BENEFIT_RES.items() if code and pattern.search(text)
    )
    year, span = _horizon(text)
    document, document_phrase = _document(statement, origin, text)
    return Reading(
        filiere=slug,
        filiere_name=name,
        filiere_other=other,
        jobs_count=_jobs_count(text),
        jobs_kinds=tuple(kinds),
        benefits=benefits,
        benefit_phrase=_benefit_phrase(statement, origin, text),
        origin=_origin(text),
        horizon_year=year,
        horizon_years=span,
        document=document,
        document_phrase=document_phrase,
    )


def coach(
    *,
    statement: str,
    filiere: bool = False,
    jobs_count: int | None = None,
    jobs_kinds: str = "",
    benefits: list[str] | tuple[str, ...] = (),
    origin: str = "",
    horizon: str = "",
    indicator: str = "",
    document: str = "",
    document_change: str = "",
    filieres: Sequence[FiliereLike] | None = None,
) -> Coaching:
    """The precision of a priority, the one next question that would raise it, and what
    its sentence names."""
    text = _fold(" ".join(statement.split()))
    if not text:
        return Coaching(
            0, dict.fromkeys(ORDER, False), str(_("Quelle est votre priorité, en une phrase ?"))
        )
    reading = read(statement, filieres)
    has_jobs_number = bool(jobs_count) or reading.jobs_count is not None
    has_horizon = bool(horizon) or bool(HORIZON.search(text))
    answered = {
        "filiere": filiere or bool(reading.filiere or reading.filiere_other),
        "jobs": has_jobs_number or bool(jobs_kinds.strip()) or bool(JOB_RE.search(text)),
        "benefits": bool(benefits) or bool(BENEFIT_RE.search(text)),
        "origin": bool(origin) or any(p.search(text) for p in _ORIGIN_RES.values()),
        "measure": has_horizon
        and (bool(indicator.strip()) or bool(INDICATOR.search(text)) or has_jobs_number),
        "document": bool(reading.document) or (bool(document) and bool(document_change.strip())),
    }
    level = sum(answered.values())
    vague = bool(VAGUE.search(text)) and not (
        answered["filiere"] or answered["jobs"] or answered["benefits"]
    )
    missing = [key for key in ORDER if not answered[key]]
    question = QUESTIONS[missing[0]] if missing else ""
    if missing[:1] == ["document"] and document:
        question = DOCUMENT_CHANGE_QUESTION
    return Coaching(level, answered, str(question), vague, reading)


def coach_priority(priority, filieres: Sequence[FiliereLike] | None = None) -> Coaching:
    """The coaching of a saved priority (its sentence and its structured fields), against
    the filières of the database unless a list is given."""
    if priority is None:
        return coach(statement="")
    if filieres is None:
        filieres = list(Filiere.objects.only("slug", "name"))
    return coach(
        statement=priority.statement,
        filiere=bool(priority.filiere_id or priority.filiere_other.strip()),
        jobs_count=priority.jobs_count,
        jobs_kinds=priority.jobs_kinds,
        benefits=priority.benefits,
        origin=priority.origin,
        horizon=priority.horizon,
        indicator=priority.indicator,
        document=priority.document,
        document_change=priority.document_change,
        filieres=filieres,
    )


@dataclass(frozen=True)
class Proposal:
    """One value the sentence names, for a field still empty."""

    field: str  # the form field it fills
    label: str  # the field, in words
    value: str  # the value, in words
    fill: dict[str, Any] = field(default_factory=dict)  # form field -> value, as the form posts

    @property
    def fill_json(self) -> str:
        return json.dumps(self.fill, ensure_ascii=False)


def horizon_choice(reading: Reading, year: int) -> str:
    """The Horizon value of what the sentence says, in the given current year ('' if none or
    past)."""
    span = reading.horizon_years
    if span is None and reading.horizon_year is not None:
        span = reading.horizon_year - year
    if span is None or span <= 0:
        return ""
    if span <= 1:
        return "1y"
    if span <= 3:
        return "3y"
    if span <= 5:
        return "5y"
    return "10y"


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def propose(reading: Reading, current: Mapping[str, Any], *, year: int) -> tuple[Proposal, ...]:
    """What to propose, field by field, for the fields still empty in `current` (the
    priority's field values by name; missing means empty). Labels come from the model's
    choices."""

    def empty(name: str) -> bool:
        return _empty(current.get(name))

    out: list[Proposal] = []
    no_filiere = empty("filiere") and empty("filiere_other")
    if reading.filiere and no_filiere:
        out.append(
            Proposal(
                "filiere",
                str(_("filière")),
                reading.filiere_name,
                {"filiere": reading.filiere_name},
            )
        )
    elif reading.filiere_other and no_filiere:
        other = reading.filiere_other[:120]
        out.append(
            Proposal("filiere_other", str(_("autre filière")), other, {"filiere_other": other})
        )
    if reading.jobs_count is not None and empty("jobs_count"):
        count = str(reading.jobs_count)
        out.append(Proposal("jobs_count", str(_("emplois")), count, {"jobs_count": count}))
    if reading.jobs_kinds and empty("jobs_kinds"):
        kinds = ", ".join(reading.jobs_kinds)[:200]
        out.append(Proposal("jobs_kinds", str(_("quels emplois")), kinds, {"jobs_kinds": kinds}))
    if (reading.benefits or reading.benefit_phrase) and empty("benefits"):
        codes = list(reading.benefits) or ["other"]
        value = ", ".join(str(Benefit(code).label) for code in codes)
        values: dict[str, Any] = {"benefits": codes}
        if reading.benefit_phrase and empty("benefits_note"):
            value = f"{value} — « {reading.benefit_phrase} »"
            values["benefits_note"] = reading.benefit_phrase[:300]
        out.append(Proposal("benefits", str(_("retombées")), value, values))
    if reading.origin and empty("origin"):
        label = str(Origin(reading.origin).label)
        out.append(Proposal("origin", str(_("origine")), label, {"origin": reading.origin}))
    choice = horizon_choice(reading, year)
    if choice and empty("horizon"):
        label = str(Horizon(choice).label)
        out.append(Proposal("horizon", str(_("horizon")), label, {"horizon": choice}))
    if reading.document and empty("document"):
        value = str(PlanningDocument(reading.document).label)
        values = {"document": reading.document}
        if reading.document_phrase and empty("document_change"):
            value = f"{value} — « {reading.document_phrase} »"
            values["document_change"] = reading.document_phrase
        out.append(Proposal("document", str(_("document")), value, values))
    return tuple(out)
