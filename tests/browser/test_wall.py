"""The wall reads from the back of the room: every kind, on a full room, at 1080p and 720p.

One daphne, one browser: the room is filled once through the services, the facilitator jumps
from activity to activity on the panel, and the projector page is measured at both sizes.
Paginated lists are measured page by page (the wall's own page key).
"""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.scenario import ARTIFACTS, demo_json, login
from tests.conftest import ROOT, Daphne, manage, server_env, sqlite_url

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1280, 720)]
# Every registered kind; test_every_kind_is_on_the_wall keeps the list complete.
KINDS = [
    "talk",
    "words",
    "scale",
    "poll",
    "question",
    "ranking",
    "lookback",
    "territory",
    "filiere_map",
    "priority",
    "tables",
    "actions",
    "vote",
    "debrief",
]

FIRST = [
    "Marie-Christine",
    "Jean-Baptiste",
    "Anne-Sophie",
    "Pierre-Emmanuel",
    "Marie-Laure",
    "François-Xavier",
    "Maximilien",
    "Géraldine",
]
LAST = [
    "Dupont-Lefèvre",
    "Rousseau-Martinez",
    "de La Villardière",
    "Bonnefoy-Chevalier",
    "Vandenberghe",
    "Saint-Hilaire",
    "Grandjean-Moulin",
]
ORGS = [
    "Communauté de communes Cluses Arve et Montagnes",
    "Chambre de commerce et d'industrie Haute-Savoie",
    "Syndicat national du décolletage",
    "Lycée professionnel Charles Poncet",
    "Décolletage de précision du Mont-Blanc",
]
WORDS = [
    "sous-traitance automobile",
    "Énergie",
    "Mutation",
    "décolletage",
    "savoir-faire",
    "compétences",
    "foncier industriel",
    "innovation",
    "résilience",
    "hydrogène vert",
    "recrutement",
    "transition écologique",
    "territoire",
    "dépendance",
    "excellence",
    "mécatronique",
    "relocalisation",
    "formation",
]
ACTIONS = [
    "Organiser une visite du lycée professionnel pour les dirigeants de PME du décolletage avant la fin du trimestre",
    "Proposer au conseil communautaire une réserve foncière de cinq hectares pour l'extension des ateliers",
    "Réunir les trois donneurs d'ordre de la vallée pour mutualiser la formation des régleurs",
    "Présenter le programme Territoires d'industrie aux élus du bureau communautaire",
    "Lancer un groupe de travail sur l'hydrogène avec le pôle de compétitivité",
    "Recenser les friches industrielles disponibles et les publier sur le site de l'agence",
]
LOCOMOTIVES = [
    ("Somfy Activités", "Électronique"),
    ("Mecalac", "Automobile"),
    ("Pfeiffer Vacuum", "Industries de santé"),
    ("Bontaz Centre", "Automobile"),
    ("NTN-SNR Roulements", "Automobile"),
    ("Carrier Kheops Bac", "Électronique"),
    ("Fournier Ameublement", "Bois"),
    ("SOMFY Protect", "Électronique"),
    ("Tefal Rumilly", "Chimie et matériaux"),
    ("Dassault Aviation Annecy", "Aéronautique"),
]
PARTNERS = [
    "Maintenance industrielle du Faucigny",
    "Décolletage Alpin",
    "Lycée Charles Poncet",
    "CEA Grenoble",
    "Traitements de surface de Marnaz",
    "Usinage de précision Bonneville",
    "Transports Excoffier Frères",
    "Centre technique du décolletage",
    "Université Savoie Mont Blanc",
    "Plasturgie des Aravis",
    "Électronique embarquée Scionzier",
    "Emballages Cartonnés du Giffre",
    "Outillage et Moules Thyez",
    "Bureau d'études Mont-Blanc Ingénierie",
    "Logistique Arve Industries",
    "Fonderie de la Vallée Blanche",
    "Cabinet Conseil Lean Savoie",
    "Mécanique Générale des Bornes",
    "Chaudronnerie Marignier",
    "Institut de la Montagne Formation",
    "Polymères Techniques du Chablais",
    "Automatismes Cluses Services",
    "Découpe Laser Magland",
    "Peinture Industrielle Sallanches",
    "Recyclage Métaux Passy",
    "GRETA Arve Faucigny",
    "Énergies Renouvelables Giffre",
    "Contrôle Qualité Alpes Métrologie",
    "Imprimerie Numérique Bonneville",
    "Banque Populaire Auvergne Rhône Alpes",
]
RELATIONS = ["subcontractor", "supplier", "customer", "research", "training"]
LOOKBACK = [
    "La reprise de la fonderie de Marnaz par un groupe familial de la vallée, avec le maintien des quatre-vingts emplois et un plan de formation",
    "Le campus des métiers",
    "Trois ans pour obtenir l'autorisation environnementale de l'extension de l'usine de roulements, faute d'interlocuteur unique à la préfecture",
    "Aucune friche prête à accueillir un projet de plus de deux hectares",
    "Le club des DRH du décolletage qui partage ses candidats et ses formations depuis 2020",
    "Le prix de l'électricité a gelé deux projets d'extension en 2022 et 2023",
]
THEMES = ["foncier", "competences", "energie", "financement", "acceptabilite", "autre", ""]


def fill_room(code: str) -> dict[str, str]:
    """A full room through the services: long names, words, answers, priorities, a map,
    tables and three actions each. Runs in a subprocess on the server's database; returns
    {kind: activity title}."""
    import random

    from plenary import services as plenary_services
    from plenary.ranking import ranking_answer_submit
    from priorities import selectors as p_selectors
    from priorities import services as p_services
    from priorities.models import Action
    from territories.models import Filiere
    from territories.services import map_contribute
    from workshops import selectors
    from workshops.models import Activity, ActorType, Participant

    rng = random.Random(7)
    rencontre = selectors.rencontre_by_code(code)
    types = [value for value, _label in ActorType.choices]
    people = Participant.objects.filter(rencontre=rencontre).order_by("pk")
    for i, person in enumerate(people):
        person.name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 3) % len(LAST)]}"
        person.organisation = ORGS[i % len(ORGS)]
        person.actor_type = types[i % len(types)]
        person.save()
    people = list(people)
    activities = {a.kind: a for a in Activity.objects.filter(step__rencontre=rencontre)}
    for n, person in enumerate(people):
        plenary_services.words_answer_submit(
            activity=activities["words"], participant=person, words=rng.sample(WORDS, 3)
        )
        if n % 3 == 0:
            plenary_services.question_answer_submit(
                activity=activities["question"],
                participant=person,
                text=(
                    "L'extension de l'usine de roulements en 2021, avec quarante embauches "
                    f"et un partenariat avec le lycée (réponse {n + 1})"
                ),
            )
        items = [item["id"] for item in activities["ranking"].config["items"]]
        rng.shuffle(items)
        ranking_answer_submit(activity=activities["ranking"], participant=person, order=items[:3])
    for i, action in enumerate(Action.objects.filter(rencontre=rencontre).order_by("pk")):
        action.text = ACTIONS[i % len(ACTIONS)]
        action.save()
    filieres = {f.name: f for f in Filiere.objects.all()}
    for i in range(30):
        loco, filiere = LOCOMOTIVES[i % len(LOCOMOTIVES)]
        map_contribute(
            activity=activities["filiere_map"],
            participant=people[i],
            locomotive=loco,
            filiere=filiere if filiere in filieres else next(iter(filieres)),
            partner=PARTNERS[(i * 7) % len(PARTNERS)],
            relation=RELATIONS[i % len(RELATIONS)],
        )
    for n, person in enumerate(people):
        item = plenary_services.lookback_item_add(
            activity=activities["lookback"],
            participant=person,
            column="worked" if n % 2 == 0 else "blocked",
            text=f"{LOOKBACK[n % len(LOOKBACK)]} ({n + 1})"[:140],
            theme=THEMES[n % len(THEMES)],
        )
        for supporter in people[: (n * 5) % 9]:
            if supporter != person:
                plenary_services.lookback_support_set(
                    participant=supporter, item=item, supported=True
                )
    p_services.tables_form(rencontre=rencontre, mode="mixed", size=6, seed=3)
    # Each table's rapporteur writes its conclusion; then everyone spends their points and the
    # vote is closed, so the wall shows the ranking.
    for table in rencontre.tables.order_by("number"):
        reporter = table.members.order_by("pk").first()
        p_services.table_reporter_set(table=table, participant=reporter)
        p_services.table_conclusion_write(
            participant=reporter,
            findings=(
                "Le foncier économique manque près des axes ; les entreprises peinent à "
                f"recruter des techniciens de maintenance (table {table.number})."
            ),
            proposal=(
                "Créer un guichet foncier intercommunal partagé avec la chambre de commerce "
                f"et les industriels locaux (table {table.number})"
            ),
        )
    vote = activities["vote"]
    keys = [option["key"] for option in p_selectors.vote_options(vote)]
    for n, person in enumerate(people):
        for k in range(3):
            p_services.vote_points_set(
                activity=vote, participant=person, option=keys[(n + k * k) % len(keys)], points=1
            )
    Activity.objects.filter(pk=vote.pk).update(is_open=False)
    return {kind: activity.title for kind, activity in activities.items()}


@pytest.fixture(scope="module")
def room(browser, tmp_path_factory, migrated_sqlite):
    """The server, a filled room, the facilitator's panel and the projector page."""
    folder = tmp_path_factory.mktemp("wall")
    for old in ARTIFACTS.glob("wall-*.png"):  # pages of an earlier run
        old.unlink()
    env = server_env(DATABASE_URL=sqlite_url(migrated_sqlite, folder / "wall.sqlite3"))
    server = Daphne(env, folder / "daphne.log")
    try:
        demo = demo_json(env, server.url)
        manage(env, "demo_territory")
        manage(env, "fill_rencontre", demo["code"], "--participants", "42", "--actions", "3")
        script = (
            "import django, json; django.setup(); "
            "from tests.browser.test_wall import fill_room; "
            f"print(json.dumps(fill_room({demo['code']!r})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        titles = json.loads(out.stdout.strip().splitlines()[-1])
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        control = context.new_page()
        login(control, server.url, demo)
        screen = context.new_page()
        screen.set_viewport_size({"width": 1920, "height": 1080})
        screen.goto(server.url + urlsplit(demo["screen_url"]).path)
        yield {"control": control, "screen": screen, "titles": titles}
        context.close()
    finally:
        server.stop()


# Everything measured in the page: the stage's overflow, cut or truncated text, small text,
# overlapping words. Font sizes of SVG text are their size on the screen (font size times
# the SVG's scale), so a chart drawn small counts as small text.
MEASURE = """(minPx) => {
  const problems = [];
  const frame = document.querySelector(".screen__frame");
  const main = document.querySelector(".screen__main");
  const stage = document.querySelector("#stage");
  const box = main.getBoundingClientRect();
  for (const el of [main, stage]) {
    if (el.scrollHeight > el.clientHeight + 1) problems.push(`${el.className}: vertical overflow ${el.scrollHeight} > ${el.clientHeight}`);
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`${el.className}: horizontal overflow ${el.scrollWidth} > ${el.clientWidth}`);
  }
  const visible = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.visibility !== "hidden" && s.display !== "none" && +s.opacity !== 0 && r.width > 0 && r.height > 0;
  };
  const name = (el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute("class") || ""}"> ${(el.textContent || "").trim().slice(0, 50)}`;
  let smallest = Infinity;
  for (const el of frame.querySelectorAll("*")) {
    if (!visible(el) || el.closest("title, desc, .sr-only")) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    const r = el.getBoundingClientRect();
    if (stage.contains(el) && (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.left < box.left - 1 || r.top < box.top - 1)) {
      problems.push(`cut off (${Math.round(r.left)},${Math.round(r.top)},${Math.round(r.right)},${Math.round(r.bottom)}): ${name(el)}`);
    }
    if (own.endsWith("…")) problems.push(`truncated: ${name(el)}`);
    if (!(el instanceof SVGElement) && getComputedStyle(el).display !== "inline" && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`text wider than its box (${el.scrollWidth} > ${el.clientWidth}): ${name(el)}`);
    }
    if (!own) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) size *= el.getScreenCTM().a;
    smallest = Math.min(smallest, size);
    if (size < minPx - 0.05) problems.push(`small text ${size.toFixed(1)} px: ${name(el)}`);
  }
  const words = [...stage.querySelectorAll(".cloud text")].map((t) => [t.textContent, t.getBoundingClientRect()]);
  for (let i = 0; i < words.length; i++) for (let j = i + 1; j < words.length; j++) {
    const [a, ra] = words[i], [b, rb] = words[j];
    if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom) problems.push(`words overlap: ${a} / ${b}`);
  }
  return {problems, smallest};
}"""


def fitted(screen: Page, width: int, height: int) -> None:
    """Wait until the wall has laid out its pages for this size and its fonts."""
    screen.wait_for_function(
        "(size) => document.fonts.status === 'loaded'"
        " && document.querySelector('#stage').dataset.fitted === size",
        arg=f"{width}x{height}",
    )


def test_every_kind_is_on_the_wall():
    from workshops import kinds

    assert sorted(KINDS) == sorted(k.key for k in kinds.registered())


def measure_pages(screen: Page, name: str) -> list[str]:
    """Every page of the wall at both sizes: screenshots, and what does not fit or read."""
    failures = []
    for width, height in SIZES:
        screen.set_viewport_size({"width": width, "height": height})
        fitted(screen, width, height)
        # the list with the most pages turns them all (the shorter ones stay on their last)
        counts = screen.locator("#stage .pager").evaluate_all(
            "(els) => els.map((el) => Number(el.dataset.count))"
        )
        count = max(counts, default=1)
        pages = screen.locator(f'#stage .pager[data-count="{count}"]')
        for page in range(count):
            if page:
                screen.keyboard.press("PageDown")
                expect(pages.first).to_have_attribute("data-page", str(page + 1))
            ARTIFACTS.mkdir(exist_ok=True)
            suffix = f"-p{page + 1}" if count > 1 else ""
            screen.screenshot(path=str(ARTIFACTS / f"wall-{name}-{width}{suffix}.png"))
            result = screen.evaluate(MEASURE, 28 * height / 1080)
            failures += [f"{width}×{height} page {page + 1}: {p}" for p in result["problems"]]
        if count > 1:
            screen.keyboard.press("PageDown")  # back to the first page
            expect(pages.first).to_have_attribute("data-page", "1")
    return failures


@pytest.mark.parametrize("kind", KINDS)
def test_the_wall_fits_and_reads(room, kind):
    control, screen, titles = room["control"], room["screen"], room["titles"]
    assert kind in titles, f"no {kind} activity in the filled room"
    title = titles[kind]
    control.locator(".agenda__activity", has_text=title).first.click()
    expect(control.locator("#current .current__title")).to_have_text(title)
    expect(screen.locator("#stage .stage__title")).to_have_text(title)
    if kind == "territory":
        control.locator("#current form.controls button").first.click()
        expect(screen.locator(".dyn__filiere")).not_to_be_empty()
    failures = measure_pages(screen, kind)
    if kind in {"poll", "scale"}:  # the split by actor type, then back
        control.locator("body").press("d")
        expect(screen.locator(".chart--dots")).to_be_visible()
        failures += measure_pages(screen, f"{kind}-split")
        control.locator("body").press("d")
        expect(screen.locator(".chart--dots")).to_have_count(0)
    if kind == "priority":
        # P on the panel turns the wall's page when the wall is open in the same browser
        pager = screen.locator("#stage .pager:not([hidden])").first
        expect(pager).to_have_attribute("data-page", "1")
        control.locator("body").press("p")
        expect(pager).to_have_attribute("data-page", "2")
        # one priority projected, then back to the wall
        control.locator(".moderation li", has_text="Implanter une usine").first.get_by_role(
            "button", name="Projeter"
        ).click()
        expect(screen.locator(".spotlight")).to_be_visible()
        failures += measure_pages(screen, "priority-spotlight")
        control.get_by_role("button", name="Revenir au mur des priorités").click()
        expect(screen.locator(".wall")).to_be_visible()
    assert failures == []
