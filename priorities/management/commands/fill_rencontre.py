"""Fill a rencontre with participants, answers, priorities, tables and actions, through the
same services the phones use. For benchmarks, the PDF tests and rehearsals.

    python manage.py fill_rencontre CODE --participants 300 --actions 3 --polls 10 --seed 1
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plenary import services as plenary_services
from priorities import services as p_services
from priorities.forms import next_working_day
from priorities.models import Action
from territories.models import Filiere
from workshops import selectors
from workshops import services as w_services
from workshops.models import Activity, ActorType, Participant, Step

FIRST = [
    "Camille",
    "Léa",
    "Karim",
    "Inès",
    "Paul",
    "Sophie",
    "Marc",
    "Nadia",
    "Hugo",
    "Chloé",
    "Yanis",
    "Emma",
]
LAST = [
    "Martin",
    "Benali",
    "Morel",
    "Durand",
    "Petit",
    "Roche",
    "Bernard",
    "Faure",
    "Girard",
    "Lopez",
]
WORDS = [
    "Énergie",
    "énergies",
    "savoir-faire",
    "Décolletage",
    "usine",
    "Innovation",
    "foncier",
    "compétences",
    "Plateau",
    "résilience",
    "hydrogène",
    "Recrutement",
    "sous-traitance",
]
STATEMENTS = [
    ("Attirer des projets exogènes", {}),
    ("Développer l'économie", {}),
    (
        "Former 40 soudeurs par an avec le lycée professionnel",
        {"origin": "endogenous", "horizon": "1y"},
    ),
    (
        "Implanter une usine de recyclage des batteries : 150 emplois d'opérateurs, 30 % d'achats locaux d'ici 2028",
        {"origin": "exogenous", "horizon": "3y", "indicator": "emplois créés"},
    ),
    (
        "Faire grandir les PME du décolletage vers le médical",
        {"jobs_count": 80, "benefits": ["subcontracting", "training"]},
    ),
    ("Créer une filière de réemploi des matériaux du bâtiment", {"benefits": ["jobs", "land"]}),
]

# The planning document each priority asks to change, and what should change in it; one
# priority in seven names none, one in eleven names a document but not yet the change.
DOCUMENTS = [
    ("plui", "Classer en zone d'activités les 6 ha de la friche Tefal au lieu de zone naturelle"),
    ("epci", "Une ligne budgétaire pour l'accompagnement à la reprise des PME industrielles"),
    ("ti", "Une fiche action « compétences » cofinancée par la Région et France Travail"),
    ("scot", "Réserver 20 ha de foncier industriel densifiable dans le Document d'orientation"),
    ("srdeii", "Faire du décolletage une filière prioritaire des aides régionales à l'innovation"),
    ("plui", "Autoriser les extensions en hauteur des ateliers existants"),
    (
        "epci",
        "Remplacer l'objectif d'attractivité générale par trois filières cibles, avec des "
        "indicateurs d'emplois suivis chaque année en conseil communautaire et partagés avec "
        "les chambres consulaires",
    ),
    ("other", "Le plan de mobilité : des navettes vers la zone industrielle aux horaires postés"),
]


def document_fields(n: int) -> dict[str, str]:
    """The document fields of the n-th filled priority (see DOCUMENTS)."""
    if n % 7 == 6:
        return {}
    document, change = DOCUMENTS[n % len(DOCUMENTS)]
    return {"document": document, "document_change": "" if n % 11 == 10 else change}


class Command(BaseCommand):
    help = "Fill a rencontre with realistic answers, priorities, tables and actions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("code")
        parser.add_argument("--participants", type=int, default=40)
        parser.add_argument("--actions", type=int, default=2)
        parser.add_argument(
            "--polls", type=int, default=2, help="polls in the constat (extra ones are added)"
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        rng = random.Random(options["seed"])
        rencontre = selectors.rencontre_by_code(options["code"])
        if rencontre is None:
            raise CommandError(f"No rencontre with code {options['code']!r}")
        types = [value for value, _label in ActorType.choices]
        constat = Step.objects.get(rencontre=rencontre, position=1)
        polls = Activity.objects.filter(step=constat, kind="poll").count()
        for i in range(polls, options["polls"]):
            activity = w_services.activity_create(
                step=constat, kind="poll", title=f"Question complémentaire n° {i + 1}"
            )
            activity.config = {
                "choices": [{"id": f"c{k}", "label": f"Réponse {k}"} for k in range(1, 6)],
                "multiple": False,
                "allow_other": False,
            }
            activity.save()
        people = [
            w_services.participant_join(
                rencontre=rencontre,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                organisation=f"Organisation {i + 1}",
                actor_type=types[(i * 5 + rng.randrange(3)) % len(types)],
                listed=i % 3 != 0,
            )
            for i in range(options["participants"])
        ]
        filieres = list(Filiere.objects.all()[:6])
        start = timezone.now() - dt.timedelta(hours=3)
        for index, activity in enumerate(Activity.objects.filter(step__rencontre=rencontre)):
            w_services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
            Activity.objects.filter(pk=activity.pk).update(
                started_at=start + dt.timedelta(minutes=8 * index)
            )
            Step.objects.filter(
                pk=activity.step_id, started_at__gt=start + dt.timedelta(minutes=8 * index)
            ).update(started_at=start + dt.timedelta(minutes=8 * index))
            for n, person in enumerate(people):
                self._answer(activity, person, n, rng, filieres, options)
        Step.objects.filter(rencontre=rencontre).exclude(started_at=None).update(ended_at=None)
        self.stdout.write(
            f"{rencontre.code}: {len(people)} participants, {Action.objects.filter(rencontre=rencontre).count()} actions"
        )

    def _answer(self, activity, person, n, rng, filieres, options) -> None:
        kind = activity.kind
        if kind == "words":
            plenary_services.words_answer_submit(
                activity=activity, participant=person, words=rng.sample(WORDS, 2)
            )
        elif kind == "scale":
            for statement in activity.config.get("statements", []):
                plenary_services.scale_answer_submit(
                    activity=activity,
                    participant=person,
                    statement=statement["id"],
                    value=min(
                        5,
                        max(1, rng.randint(1, 5) + (1 if person.actor_type == "entreprise" else 0)),
                    ),
                )
        elif kind == "poll":
            choices = [c["id"] for c in activity.config.get("choices", [])]
            plenary_services.poll_answer_submit(
                activity=activity, participant=person, choice=rng.choice(choices), other=""
            )
        elif kind == "question" and n % 4 == 0:
            plenary_services.question_answer_submit(
                activity=activity,
                participant=person,
                text=f"Réussite citée par le participant {n + 1}.",
            )
        elif kind == "priority":
            statement, extra = STATEMENTS[n % len(STATEMENTS)]
            p_services.priority_save(
                activity=activity,
                participant=person,
                rank=1,
                values={
                    "statement": statement,
                    "filiere": rng.choice(filieres),
                    **extra,
                    **document_fields(n),
                },
            )
        elif kind == "tables" and n == 0:
            p_services.tables_form(
                rencontre=person.rencontre, mode="mixed", size=6, seed=options["seed"]
            )
        elif kind == "actions":
            Activity.objects.filter(pk=activity.pk).update(
                config={"min_actions": 1, "max_actions": max(3, options["actions"])}
            )
            activity.refresh_from_db()
            for k in range(options["actions"]):
                action = p_services.action_create(
                    activity=activity,
                    participant=person,
                    text=f"Action {k + 1} : réunir les acteurs du projet n° {n + 1}",
                    kind=rng.choice(["change", "start"]),
                    owner=person.organisation,
                    due=next_working_day() + dt.timedelta(days=7 * k),
                    priority=None,
                )
                if n > 0 and rng.random() < 0.5:
                    supporter = (
                        Participant.objects.filter(rencontre=person.rencontre)
                        .exclude(pk=person.pk)
                        .order_by("?")
                        .first()
                    )
                    p_services.support_set(participant=supporter, action=action, supported=True)
