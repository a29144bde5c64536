"""The precision coach: deterministic rules, no outside service.

A priority is precise when it answers five questions. Each is satisfied either by the
structured field on the phone or by the sentence itself:
1. filière     — a filière chosen, or named in the sentence (batteries, hydrogène, décolletage…)
2. emplois     — a number of jobs or the kinds of jobs ("120 emplois", "techniciens", "soudeurs")
3. retombées   — expected local benefits (sous-traitance locale, formation, foncier, fiscalité…)
4. origine     — endogenous, exogenous or creation ("entreprises locales", "implantation", "start-up")
5. mesure      — a horizon *and* a success indicator ("d'ici 2028", "mesuré par…", "%")
The precision level is the number of questions answered (0 to 5). The next question asked is
the first unanswered one in that order. A sentence built on a vague verb or on
attractiveness alone ("développer", "accompagner", "attirer des projets", "attractivité")
is flagged as vague while it has no filière, no jobs and no benefits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


FILIERE_WORDS = (
    "filiere",
    "batterie",
    "hydrogene",
    "photovolta",
    "eolien",
    "nucleaire",
    "energie",
    "numerique",
    "data center",
    "logiciel",
    "electronique",
    "semi-conducteur",
    "mobilite",
    "automobile",
    "ferroviaire",
    "velo",
    "aeronautique",
    "spatial",
    "naval",
    "recyclage",
    "reemploi",
    "circulaire",
    "ess\\b",
    "economie sociale",
    "sante",
    "pharma",
    "medical",
    "agroalimentaire",
    "alimentaire",
    "bois\\b",
    "chimie",
    "plasturgie",
    "metallurgie",
    "decolletage",
    "mecanique",
    "textile",
    "luxe",
    "cosmetique",
    "construction",
    "dechet",
)
JOB_WORDS = (
    "emploi",
    "poste",
    "salarie",
    "recrut",
    "etp",
    "technicien",
    "ingenieur",
    "operateur",
    "soudeur",
    "usineur",
    "chaudronnier",
    "apprenti",
    "alternan",
    "competence",
    "cadre",
    "ouvrier",
    "metier",
    "qualifi",
)
JOB_NUMBER = re.compile(
    r"\b\d[\d\s]*\s*(emplois?|postes?|salaries?|recrutements?|etp|embauches?)\b"
)
BENEFIT_WORDS = (
    "sous-traitan",
    "sous traitan",
    "fournisseur",
    "retombee",
    "achats locaux",
    "achat local",
    "formation",
    "former\\b",
    "foncier",
    "friche",
    "fiscal",
    "taxe",
    "cfe",
    "energie locale",
    "chaleur fatale",
    "circuit court",
    "emplois locaux",
    "emploi local",
    "main-d'oeuvre locale",
)
ORIGIN_WORDS = (
    "endogene",
    "exogene",
    "entreprises locales",
    "entreprises du territoire",
    "implantation",
    "s'implanter",
    "attirer",
    "attraction",
    "creation",
    "creer",
    "start-up",
    "startup",
    "essaimage",
    "reprise",
    "transmission",
    "extension",
    "implanter",
)
HORIZON = re.compile(
    r"\b(20[2-9]\d|d'ici (un|deux|trois|quatre|cinq|\d+) ans?|dans l'annee|a (\d+|trois|cinq) ans)\b"
)
INDICATOR = re.compile(
    r"(%|\bindicateur|\bmesure(e|s)? par\b|\bnombre de\b|\btaux de\b|\bpart de\b)"
)
VAGUE = re.compile(
    r"^(developper|accompagner|renforcer|favoriser|soutenir|ameliorer|promouvoir|dynamiser|"
    r"valoriser|attirer des projets|attirer des entreprises)\b|attractivite|projets? exogenes?$"
)

QUESTIONS = {
    "filiere": _("Dans quelle filière ?"),
    "jobs": _("Combien d'emplois, et lesquels ?"),
    "benefits": _("Quelles retombées locales attendez-vous ?"),
    "origin": _("Faire grandir des entreprises locales, attirer des projets extérieurs ou créer ?"),
    "measure": _("À quel horizon, et comment saurez-vous que c'est réussi ?"),
}
ORDER = tuple(QUESTIONS)


@dataclass(frozen=True)
class Coaching:
    level: int
    answered: dict[str, bool] = field(default_factory=dict)
    next_question: str = ""
    vague: bool = False


def _starts(words: tuple[str, ...]) -> re.Pattern[str]:
    """Words matched at a word start ("velo" must not match "développer"); an entry may end
    with \\b to match the whole word only ("ess")."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + ")")


FILIERE_RE, JOB_RE, BENEFIT_RE, ORIGIN_RE = (
    _starts(FILIERE_WORDS),
    _starts(JOB_WORDS),
    _starts(BENEFIT_WORDS),
    _starts(ORIGIN_WORDS),
)


def _has(text: str, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(text))


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
) -> Coaching:
    """The precision of a priority and the one next question that would raise it."""
    text = _fold(" ".join(statement.split()))
    if not text:
        return Coaching(
            0, dict.fromkeys(ORDER, False), str(_("Quelle est votre priorité, en une phrase ?"))
        )
    answered = {
        "filiere": filiere or _has(text, FILIERE_RE),
        "jobs": bool(jobs_count)
        or bool(jobs_kinds.strip())
        or bool(JOB_NUMBER.search(text))
        or _has(text, JOB_RE),
        "benefits": bool(benefits) or _has(text, BENEFIT_RE),
        "origin": bool(origin) or _has(text, ORIGIN_RE),
        "measure": (bool(horizon) or bool(HORIZON.search(text)))
        and (bool(indicator.strip()) or bool(INDICATOR.search(text))),
    }
    level = sum(answered.values())
    vague = bool(VAGUE.search(text)) and not (
        answered["filiere"] or answered["jobs"] or answered["benefits"]
    )
    missing = [key for key in ORDER if not answered[key]]
    return Coaching(level, answered, str(QUESTIONS[missing[0]]) if missing else "", vague)


def coach_priority(priority) -> Coaching:
    """The coaching of a saved priority (its sentence and its structured fields)."""
    if priority is None:
        return coach(statement="")
    return coach(
        statement=priority.statement,
        filiere=bool(priority.filiere_id or priority.filiere_other.strip()),
        jobs_count=priority.jobs_count,
        jobs_kinds=priority.jobs_kinds,
        benefits=priority.benefits,
        origin=priority.origin,
        horizon=priority.horizon,
        indicator=priority.indicator,
    )
