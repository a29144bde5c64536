"""Consent and personal data: names only where agreed, no individual in the split by actor
type, the end of a rencontre, the retention purge, the participant's own export and deletion,
spreadsheet-safe exports and word keys that always fit."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from plenary import selectors as plenary_results
from plenary import services as plenary_services
from plenary.models import Word
from priorities import services as p_services
from priorities.forms import next_working_day
from priorities.models import Action, Priority, Support
from tests.conftest import manage, server_env
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import debrief, services
from workshops.models import Activity, Answer, Participant, Rencontre
from workshops.words import normalize

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("Karim", "Secret", "Mecalac")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u2010", "-")


def join(rencontre, name: str, organisation: str, actor_type: str, listed: bool) -> Client:
    phone = Client()
    data = {"name": name, "organisation": organisation, "actor_type": actor_type}
    if listed:
        data["listed"] = "on"
    assert phone.post(f"/j/{rencontre.code}", data).status_code == 303
    return phone


def go_to(rencontre, kind: str) -> Activity:
    activity = Activity.objects.filter(step__rencontre=rencontre, kind=kind).first()
    services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    return activity


def phone_command(rencontre, activity, name: str) -> str:
    return reverse("workshops:phone_command", args=[rencontre.code, activity.pk, name])


def phone_part(rencontre, activity, part: str = "mine") -> str:
    url = reverse("workshops:phone_part", args=[rencontre.code, activity.pk])
    return f"{url}?part={part}"


def kind_command(rencontre, activity, name: str) -> str:
    return reverse("workshops:kind_command", args=[rencontre.code, activity.pk, name])


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user, title="Rencontres de la Vallée")
    facilitator = Client()
    facilitator.force_login(user)
    return rencontre, facilitator


# ---------------------------------------------------------------- names only where agreed


def test_an_unlisted_participants_name_appears_nowhere_public(room):
    rencontre, facilitator = room
    lea = join(rencontre, "Léa Martin", "Région", "collectivite", listed=True)
    karim = join(rencontre, "Karim Secret", "Mecalac", "entreprise", listed=False)
    karim_row = Participant.objects.get(name="Karim Secret")

    poll = go_to(rencontre, "poll")
    karim.post(phone_command(rencontre, poll, "repondre"), {"choice": "c1"})
    priority = go_to(rencontre, "priority")
    karim.post(
        phone_command(rencontre, priority, "enregistrer"),
        {"rank": 1, "statement": "Attirer une usine de batteries"},
    )
    tables = go_to(rencontre, "tables")
    facilitator.post(kind_command(rencontre, tables, "former"), {"mode": "mixed", "size": 6})
    actions = go_to(rencontre, "actions")

    # The porteur proposed: "Name (Organisation)" only to a listed participant.
    karim_form = karim.get(phone_part(rencontre, actions)).content.decode()
    assert 'name="owner" value="Entreprise"' in karim_form
    assert "Karim" not in karim_form
    lea_form = lea.get(phone_part(rencontre, actions)).content.decode()
    assert 'name="owner" value="Léa Martin (Région)"' in lea_form

    # Karim types his own name and his company anyway.
    due = next_working_day().isoformat()
    for owner in ("Karim Secret (Mecalac)", "mecalac"):
        karim.post(
            phone_command(rencontre, actions, "ajouter"),
            {
                "text": f"Ouvrir le site aux lycéens ({owner[:3]})",
                "kind": "start",
                "owner": owner,
                "due": due,
            },
        )
    lea.post(
        phone_command(rencontre, actions, "ajouter"),
        {"text": "Réunir les DRH", "kind": "start", "owner": "CCI Haute-Savoie", "due": due},
    )
    assert Action.objects.filter(participant=karim_row).count() == 2
    karims_action = Action.objects.filter(participant=karim_row).first()
    lea.post(phone_command(rencontre, actions, "soutenir"), {"action": karims_action.pk})

    public = []
    # Every export, CSV and JSON.
    for name in sorted(debrief.all_exports()):
        public.append(
            facilitator.get(
                reverse("workshops:export_csv", args=[rencontre.code, name])
            ).content.decode("utf-8-sig")
        )
    public.append(
        facilitator.get(reverse("workshops:export_json", args=[rencontre.code])).content.decode()
    )
    # The PDF.
    public.append(
        pdf_text(
            facilitator.get(reverse("workshops:restitution_pdf", args=[rencontre.code])).content
        )
    )
    # The wall on every activity that shows people or actions.
    screen = reverse("workshops:screen", args=[rencontre.code])
    for kind in ("poll", "priority", "tables", "actions"):
        go_to(rencontre, kind)
        public.append(facilitator.get(screen).content.decode())
    # Another participant's phone: the actions of the others, their table.
    go_to(rencontre, "actions")
    public.append(lea.get(phone_part(rencontre, actions, "others")).content.decode())
    go_to(rencontre, "tables")
    lea_table = lea.get(phone_part(rencontre, tables)).content.decode()
    public.append(lea_table)

    for text in public:
        for word in SECRET_WORDS:
            assert word.casefold() not in text.casefold(), (word, text[:300])
    assert "Léa Martin" in public[-1]  # listed: her table-mates see her name
    assert "<strong>Entreprise</strong>" in lea_table  # Karim, by his actor type
    # The typed porteur that names no one stays as typed.
    assert any("CCI Haute-Savoie" in text for text in public)

    # Karim sees his own name on his own table and his actions as he typed them.
    assert "Karim Secret" in karim.get(phone_part(rencontre, tables)).content.decode()
    own_page = Client().get(reverse("workshops:personal", args=[karim_row.token]))
    assert "Karim Secret (Mecalac)" in own_page.content.decode()

    # The rule for the panel: the facilitators run the room with everyone's name (moving
    # someone to another table), but the plan they share with the wall is pseudonymised.
    panel = facilitator.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    assert "Karim Secret (" in panel  # the "move" list
    plan = panel.split('class="plan"')[1].split("</div>")[0]
    assert "Karim" not in plan


# ---------------------------------------------------------------- no individual in the split


def vote(rencontre, poll, actor_type: str, picks: str) -> None:
    for person, pick in zip(
        ParticipantFactory.create_batch(len(picks), rencontre=rencontre, actor_type=actor_type),
        picks,
        strict=True,
    ):
        plenary_services.poll_answer_submit(
            activity=poll, participant=person, choice=pick, other=""
        )


def ab_poll(rencontre) -> Activity:
    poll = go_to(rencontre, "poll")
    poll.config = {
        **poll.config,
        "choices": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        "multiple": False,
        "allow_other": False,
    }
    poll.save()
    return poll


def test_small_groups_are_merged_into_autres_or_left_out_by_hand(room, settings):
    settings.SPLIT_MIN_GROUP_SIZE = 3
    rencontre, facilitator = room
    poll = ab_poll(rencontre)
    vote(rencontre, poll, "collectivite", "aaab")
    vote(rencontre, poll, "entreprise", "bbb")
    vote(rencontre, poll, "etat", "a")
    vote(rencontre, poll, "financeur", "b")

    res = plenary_results.poll_results(poll)
    # Two small groups of 1: together 2 < 3, so both are left out of the split.
    # A: collectivité 3/4 = 75 %, entreprise 0 % -> gap 75; B: 25 % vs 100 % -> gap 75.
    assert [(d.key, d.divergence) for d in res["divergence"]] == [("a", 75.0), ("b", 75.0)]
    a = res["divergence"][0]
    assert [(p.actor_type, p.value, p.respondents) for p in a.points] == [
        ("collectivite", 75.0, 4),
        ("entreprise", 0.0, 3),
    ]
    assert [(g["label"], g["count"]) for g in res["legend"]] == [
        ("Collectivité", 4),
        ("Entreprise", 3),
    ]
    assert res["split"] == {
        "merged": "",
        "left_out": "2 réponses n'apparaissent pas dans les écarts : leurs groupes comptent "
        "moins de 3 répondants.",
    }
    assert [b.count for b in res["bars"]] == [4, 5]  # the overall results keep everyone

    # One "Autre" joins: État + Financeur + Autre = 3 respondents, shown as "Autres".
    vote(rencontre, poll, "autre", "a")
    res = plenary_results.poll_results(poll)
    # A: 75, 0, Autres 2/3 = 66.67 -> gap 75; B: 25, 100, 33.33 -> gap 75.
    a = next(d for d in res["divergence"] if d.key == "a")
    assert [(p.actor_type, p.label, p.value, p.respondents) for p in a.points] == [
        ("collectivite", "Collectivité", 75.0, 4),
        ("entreprise", "Entreprise", 0.0, 3),
        ("autre", "Autres", 66.67, 3),
    ]
    assert [(g["label"], g["count"]) for g in res["legend"]] == [
        ("Collectivité", 4),
        ("Entreprise", 3),
        ("Autres", 3),
    ]
    assert res["split"]["merged"] == (
        "Regroupés dans « Autres » (moins de 3 répondants chacun) : Service de l'État, Financeur."
    )
    assert res["split"]["left_out"] == ""

    facilitator.post(reverse("workshops:split_on", args=[rencontre.code]))
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    figure = wall.split('class="chart chart--dots"')[1].split("</figure>")[0]
    assert "Autres (3)" in figure
    assert "Regroupés dans « Autres »" in figure
    assert "Financeur" not in figure.split("<figcaption")[0]  # no dot of its own


def test_a_split_with_a_group_of_one_shows_no_individual(room, settings):
    settings.SPLIT_MIN_GROUP_SIZE = 3
    rencontre, facilitator = room
    poll = ab_poll(rencontre)
    vote(rencontre, poll, "collectivite", "aab")
    vote(rencontre, poll, "financeur", "b")  # the only financeur
    facilitator.post(reverse("workshops:split_on", args=[rencontre.code]))
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    figure = wall.split('class="chart chart--dots"')[1].split("</figure>")[0]
    assert "Financeur" not in figure
    assert "Collectivité (3)" in figure
    assert "1 réponse n&#x27;apparaît pas dans les écarts" in figure
    # Nothing in the synthesis either: only one group left, so no "most divergent" item.
    assert plenary_results.poll_results(poll).highlight["divergent"] is None


def test_a_scale_statement_shows_no_group_with_fewer_raters_than_the_minimum(room, settings):
    settings.SPLIT_MIN_GROUP_SIZE = 3
    rencontre, _ = room
    scale = go_to(rencontre, "scale")
    scale.config = {
        **scale.config,
        "statements": [{"id": "s1", "label": "S1"}, {"id": "s2", "label": "S2"}],
    }
    scale.save()
    rows = {"collectivite": [(5, 4), (4, 4), (3, 4)], "entreprise": [(1, 2), (2, None), (3, None)]}
    for actor_type, values in rows.items():
        people = ParticipantFactory.create_batch(3, rencontre=rencontre, actor_type=actor_type)
        for person, (v1, v2) in zip(people, values, strict=True):
            plenary_services.scale_answer_submit(
                activity=scale, participant=person, statement="s1", value=v1
            )
            if v2 is not None:
                plenary_services.scale_answer_submit(
                    activity=scale, participant=person, statement="s2", value=v2
                )
    res = plenary_results.scale_results(scale)
    by_key = {d.key: d for d in res["divergence"]}
    # S1: means 4 and 2 -> (2 / 4) * 100 = 50. S2: one company rated it: no point for them.
    assert [(p.actor_type, p.value) for p in by_key["s1"].points] == [
        ("collectivite", 4.0),
        ("entreprise", 2.0),
    ]
    assert by_key["s1"].divergence == 50.0
    assert [(p.actor_type, p.value) for p in by_key["s2"].points] == [("collectivite", 4.0)]
    assert by_key["s2"].divergence == 0.0


# ---------------------------------------------------------------- the end of a rencontre


def test_ending_the_rencontre_closes_joins_and_answers_and_dates_the_pdf(room):
    rencontre, facilitator = room
    phone = join(rencontre, "Nadia", "Ville", "collectivite", listed=False)
    poll = go_to(rencontre, "poll")
    end = reverse("workshops:rencontre_end", args=[rencontre.code])
    assert Client().post(end).status_code == 302  # to the login page
    intruder = Client()
    intruder.force_login(UserFactory())
    assert intruder.post(end).status_code == 403
    assert Rencontre.objects.get(pk=rencontre.pk).ended_at is None

    panel = facilitator.post(end, HTTP_HX_REQUEST="true").content.decode()
    rencontre.refresh_from_db()
    assert rencontre.status == Rencontre.Status.CLOSED
    assert rencontre.ended_at is not None
    assert "Rencontre terminée à" in panel
    assert not services.rencontre_end(rencontre=rencontre)  # only once

    newcomer = Client().post(
        f"/j/{rencontre.code}", {"name": "Tard", "organisation": "X", "actor_type": "autre"}
    )
    assert newcomer.status_code == 400
    assert "il n'est plus possible de la rejoindre" in newcomer.content.decode()
    assert not Participant.objects.filter(name="Tard").exists()
    refused = phone.post(phone_command(rencontre, poll, "repondre"), {"choice": "c1"})
    assert refused.status_code == 409
    assert not Answer.objects.filter(activity=poll).exists()

    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "La rencontre est terminée" in wall
    ended = timezone.localtime(rencontre.ended_at)
    text = pdf_text(
        facilitator.get(reverse("workshops:restitution_pdf", args=[rencontre.code])).content
    )
    assert f"Rencontre terminée le {ended.day} " in text
    assert f"{ended:%H:%M}." in text


# ---------------------------------------------------------------- retention and purge


def filled_rencontre(date: dt.date):
    rencontre = make_rencontre(date=date)
    join = services.participant_join
    lea = join(
        rencontre=rencontre,
        name="Léa Martin",
        organisation="Région",
        actor_type="collectivite",
        listed=True,
    )
    karim = join(
        rencontre=rencontre,
        name="Karim Secret",
        organisation="Mecalac",
        actor_type="entreprise",
        listed=False,
    )
    acts = {a.kind: a for a in Activity.objects.filter(step__rencontre=rencontre)}
    plenary_services.poll_answer_submit(
        activity=acts["poll"], participant=lea, choice="c1", other=""
    )
    plenary_services.poll_answer_submit(
        activity=acts["poll"], participant=karim, choice="c2", other=""
    )
    plenary_services.question_answer_submit(
        activity=acts["question"], participant=karim, text="Chez Mecalac, on manque de soudeurs"
    )
    p_services.priority_save(
        activity=acts["priority"],
        participant=karim,
        rank=1,
        values={"statement": "Attirer une usine"},
    )
    p_services.tables_form(rencontre=rencontre, mode="mixed", size=5, seed=1)
    action = p_services.action_create(
        activity=acts["actions"],
        participant=lea,
        text="Réunir les DRH",
        kind="start",
        owner="Léa Martin (Région)",
        due=dt.date(2030, 1, 15),
        priority=None,
    )
    p_services.action_create(
        activity=acts["actions"],
        participant=karim,
        text="Ouvrir le site",
        kind="start",
        owner="CCI Haute-Savoie",
        due=dt.date(2030, 1, 15),
        priority=None,
    )
    p_services.support_set(participant=karim, action=action, supported=True)
    return rencontre, lea, karim


def results_snapshot(rencontre) -> dict:
    context = debrief.debrief_context(rencontre)
    return {
        "participants": context["n_participants"],
        "by_actor_type": [(r["key"], r["count"]) for r in context["by_actor_type"]],
        "figures": context["figures"],
        "sections": [
            (item["activity"].pk, item["results"].n_answers)
            for section in context["sections"]
            for item in section["items"]
        ],
        "answers": Answer.objects.filter(activity__step__rencontre=rencontre).count(),
    }


def test_the_purge_anonymises_past_retention_and_keeps_the_debriefs_counts(settings, tmp_path):
    settings.RETENTION_DAYS = 365
    settings.IMPORT_DIR = str(tmp_path / "imports")
    today = timezone.localdate()
    old, lea, _karim = filled_rencontre(today - dt.timedelta(days=400))
    _recent, recent_lea, _ = filled_rencontre(today - dt.timedelta(days=30))
    before = results_snapshot(old)
    old_token = lea.token
    (tmp_path / "imports").mkdir()
    stale = tmp_path / "imports" / "stale.csv"
    fresh = tmp_path / "imports" / "fresh.csv"
    stale.write_text("x")
    fresh.write_text("y")
    a_year_and_more = time.time() - 400 * 86400
    os.utime(stale, (a_year_and_more, a_year_and_more))

    # Past retention but not purged yet: the personal link already answers "expired".
    expired = Client().get(reverse("workshops:personal", args=[old_token]))
    assert expired.status_code == 410
    assert "Ce lien personnel a expiré" in expired.content.decode()

    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "1 rencontre(s) purged, 2 participant(s) anonymised" in out.getvalue()
    assert "1 leftover upload(s) deleted" in out.getvalue()
    assert not stale.exists()
    assert fresh.exists()

    old.refresh_from_db()
    assert old.purged_at is not None
    assert old.status == Rencontre.Status.CLOSED
    people = list(Participant.objects.filter(rencontre=old))
    assert {(p.name, p.organisation, p.listed) for p in people} == {("", "", False)}
    assert old_token not in {p.token for p in people}
    assert Client().get(reverse("workshops:personal", args=[old_token])).status_code == 404
    # Names in free texts are gone, the rest stays.
    owners = set(Action.objects.filter(rencontre=old).values_list("owner", flat=True))
    assert owners == {"Collectivité", "CCI Haute-Savoie"}
    question = Answer.objects.get(participant__rencontre=old, activity__kind="question")
    assert question.data["text"] == "Chez Entreprise, on manque de soudeurs"
    assert Priority.objects.get(rencontre=old).statement == "Attirer une usine"
    assert Support.objects.filter(action__rencontre=old).count() == 1
    # The debrief counts the same.
    assert results_snapshot(old) == before
    text = pdf_text(debrief.render_debrief_pdf(old))
    for word in ("Léa", "Martin", "Karim", "Mecalac"):
        assert word not in text
    assert "2 participants, anonymisés à la fin de la durée de conservation." in text

    # The recent rencontre is untouched, and a second run does nothing more.
    recent_lea.refresh_from_db()
    assert recent_lea.name == "Léa Martin"
    assert Client().get(reverse("workshops:personal", args=[recent_lea.token])).status_code == 200
    report = services.rencontres_purge(now=timezone.now())
    assert (report.rencontres, report.participants) == (0, 0)
    # ... until its own retention is over.
    report = services.rencontres_purge(now=timezone.now() + dt.timedelta(days=340))
    assert (report.rencontres, report.participants) == (1, 2)


def test_retention_runs_from_the_end_control(settings):
    settings.RETENTION_DAYS = 10
    rencontre, lea, _karim = filled_rencontre(timezone.localdate() - dt.timedelta(days=30))
    # Ended (late) five days ago: its retention runs from then, not from its date.
    services.rencontre_end(rencontre=rencontre, now=timezone.now() - dt.timedelta(days=5))
    assert services.rencontres_purge(now=timezone.now()).rencontres == 0
    assert Client().get(reverse("workshops:personal", args=[lea.token])).status_code == 200
    assert services.rencontres_purge(now=timezone.now() + dt.timedelta(days=6)).rencontres == 1


# ---------------------------------------------------------------- the participant's own data


def test_a_participant_sees_downloads_and_deletes_what_is_kept_about_them():
    _rencontre, lea, karim = filled_rencontre(timezone.localdate())
    page_url = reverse("workshops:personal", args=[karim.token])
    page = Client().get(page_url).content.decode()
    assert "Mes données" in page
    assert "2 réponses" in page
    assert "1 priorité" in page
    assert "1 action" in page
    assert "Votre nom ne figure nulle part" in page

    download = Client().get(reverse("workshops:personal_export", args=[karim.token]))
    assert download["Content-Disposition"] == 'attachment; filename="mes-donnees.json"'
    data = json.loads(download.content)
    assert data["participant"]["nom"] == "Karim Secret"
    assert data["participant"]["nom_dans_la_liste"] is False
    assert {a["type"] for a in data["reponses"]} == {"poll", "question"}
    assert data["autres_enregistrements"]["priorities.priority"][0]["statement"] == (
        "Attirer une usine"
    )
    assert "priorities.support" in data["autres_enregistrements"]
    assert "Léa" not in download.content.decode()  # only his own records

    delete_url = reverse("workshops:personal_delete", args=[karim.token])
    confirm = Client().get(delete_url).content.decode()
    assert "Supprimer mes données ?" in confirm
    assert Participant.objects.filter(pk=karim.pk).exists()  # a GET deletes nothing

    done = Client().post(delete_url)
    assert done.status_code == 200
    text = done.content.decode()
    assert "Vos données sont supprimées" in text
    assert "2 réponses" in text
    assert "1 action" in text
    assert not Participant.objects.filter(pk=karim.pk).exists()
    assert not Answer.objects.filter(participant_id=karim.pk).exists()
    assert not Action.objects.filter(participant_id=karim.pk).exists()
    assert not Support.objects.filter(participant_id=karim.pk).exists()
    assert Client().get(page_url).status_code == 404
    # Léa's records are whole.
    assert Action.objects.filter(participant=lea).count() == 1
    assert Answer.objects.filter(participant=lea).count() == 1


# ---------------------------------------------------------------- exports and word keys


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(room):
    rencontre, facilitator = room
    services.participant_join(
        rencontre=rencontre,
        name='=HYPERLINK("http://x")',
        organisation="@SUM(A1)",
        actor_type="autre",
        listed=True,
    )
    person = Participant.objects.get(rencontre=rencontre)
    question = go_to(rencontre, "question")
    plenary_services.question_answer_submit(
        activity=question, participant=person, text="+33 6 00 00 00 00"
    )
    csv = facilitator.get(
        reverse("workshops:export_csv", args=[rencontre.code, "participants"])
    ).content.decode("utf-8-sig")
    assert ';"\'=HYPERLINK(""http://x"")";\'@SUM(A1);' in csv
    answers = facilitator.get(
        reverse("workshops:export_csv", args=[rencontre.code, "reponses"])
    ).content.decode("utf-8-sig")
    assert ";'+33 6 00 00 00 00;" in answers
    assert debrief.spreadsheet_safe("-1") == "'-1"
    assert debrief.spreadsheet_safe("Énergie") == "Énergie"
    assert debrief.spreadsheet_safe(-1) == -1  # numbers stay numbers


LIGATURES = "\ufb03" * 40  # "ﬃ": one letter typed, "ffi" once folded
ESZETT = "Stra\u00dfe" + "\u00df" * 30  # "ß" folds to "ss"


def test_a_word_whose_key_outgrows_the_column_is_stored_and_hidden(room):
    rencontre, facilitator = room
    words = go_to(rencontre, "words")
    assert len(normalize(LIGATURES)) == 120
    phones = [join(rencontre, f"P{i}", "Org", "entreprise", listed=False) for i in range(2)]
    for phone in phones:
        response = phone.post(
            phone_command(rencontre, words, "repondre"), {"word0": LIGATURES, "word1": ESZETT}
        )
        assert response.status_code == 200
    keys = set(Word.objects.filter(activity=words).values_list("key", flat=True))
    assert len(keys) == 2
    assert all(len(k) <= 60 for k in keys)
    groups = {g["text"]: g for g in plenary_results.word_groups(words)}
    assert groups[LIGATURES]["count"] == 2  # the same long word still counts as one
    facilitator.post(
        kind_command(rencontre, words, "masquer-mot"), {"word": groups[LIGATURES]["word_id"]}
    )
    assert set(Word.objects.filter(text=LIGATURES).values_list("hidden", flat=True)) == {True}
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert LIGATURES not in wall
    assert ESZETT in wall


PG_SCRIPT = """
import datetime as dt
from django.contrib.auth import get_user_model
from plenary import services as plenary_services
from plenary.models import Word
from workshops import services
from workshops.models import Activity

user = get_user_model().objects.create_user("animateur-pg")
rencontre = services.rencontre_create(title="PG", date=dt.date(2027, 1, 1), facilitator=user)
person = services.participant_join(
    rencontre=rencontre, name="P", organisation="O", actor_type="autre", listed=False
)
words = Activity.objects.filter(step__rencontre=rencontre, kind="words").first()
plenary_services.words_answer_submit(activity=words, participant=person, words=[{words!r}])
word = Word.objects.get(activity=words)
plenary_services.word_set_hidden(activity=words, word=word, hidden=True)
print("HIDDEN", Word.objects.filter(activity=words, hidden=True).count(), len(word.key))
"""


@pytest.mark.services
def test_a_ligature_word_on_postgresql_is_stored_and_hidden(migrated_postgres_url):
    env = server_env(DATABASE_URL=migrated_postgres_url)
    out = manage(env, "shell", "-c", PG_SCRIPT.replace("{words!r}", repr(LIGATURES)))
    assert "HIDDEN 1 60" in out
