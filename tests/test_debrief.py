"""The PDF debrief of a rencontre filled through the same services the phones use."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from plenary import services as plenary_services
from priorities import services as p_services
from territories.models import Filiere
from tests.factories import UserFactory, make_rencontre
from workshops import debrief, services
from workshops.models import Activity

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # The shaper prints "-" with the font's hyphen glyph (U+2010).
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u2010", "-")


@pytest.fixture
def filled():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user, title="Rencontres de la Vallée")
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
    acts = {a.title: a for a in Activity.objects.filter(step__rencontre=rencontre)}
    obstacles = acts["Quel est aujourd'hui le principal frein aux projets industriels ?"]
    services.activity_goto(rencontre=rencontre, activity_id=obstacles.pk)
    plenary_services.poll_answer_submit(activity=obstacles, participant=lea, choice="c1", other="")
    plenary_services.poll_answer_submit(
        activity=obstacles, participant=karim, choice="c2", other=""
    )
    priority = acts["Ma priorité"]
    p_services.priority_save(
        activity=priority,
        participant=lea,
        rank=1,
        values={
            "statement": "Former 40 soudeurs par an",
            "filiere": Filiere.objects.get(name="Nouvelles mobilités"),
        },
    )
    p_services.priority_save(
        activity=priority,
        participant=karim,
        rank=1,
        values={"statement": "<script>alert('x')</script> attirer une usine"},
    )
    p_services.tables_form(rencontre=rencontre, mode="mixed", size=5, seed=1)
    actions = acts["Mes actions pour demain"]
    p_services.action_create(
        activity=actions,
        participant=lea,
        text="Réunir les DRH du décolletage",
        kind="start",
        owner="CCI Haute-Savoie",
        due=dt.date(2030, 1, 15),
        priority=None,
    )
    action = p_services.action_create(
        activity=actions,
        participant=karim,
        text="Ouvrir le site aux lycéens",
        kind="change",
        owner="Mecalac",
        due=dt.date(2030, 2, 3),
        priority=None,
    )
    p_services.support_set(participant=lea, action=action, supported=True)
    return rencontre, user


def test_pdf_contains_every_section_and_what_was_entered(client, filled):
    rencontre, user = filled
    client.force_login(user)
    response = client.get(reverse("workshops:restitution_pdf", args=[rencontre.code]))
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    for title in (
        "Sommaire",
        "Synthèse",
        "Le déroulé de la rencontre",
        "S'aligner sur le constat",
        "Formuler sa priorité",
        "Échanger entre pairs",
        "Annexe : les participants",
    ):
        assert title in text, title
    assert "Former 40 soudeurs par an" in text
    assert "Nouvelles mobilités" in text
    assert "Réunir les DRH du décolletage" in text
    assert "CCI Haute-Savoie" in text
    assert "15 janvier 2030" in text
    assert "3 février 2030" in text
    assert "1 · 50 %" in text  # poll figures: one answer each of two
    assert "Page 1 / " not in text  # the cover carries no number
    assert "Page 2 / " in text


def test_consent_is_respected_in_the_annex_and_tables(client, filled):
    rencontre, user = filled
    client.force_login(user)
    text = text_of(client.get(reverse("workshops:restitution_pdf", args=[rencontre.code])).content)
    assert "Léa Martin" in text
    assert "Karim Secret" not in text
    assert "1 autre participant n'a pas souhaité figurer dans cette liste." in text


def test_html_typed_by_a_participant_is_printed_as_text(client, filled):
    rencontre, user = filled
    client.force_login(user)
    text = text_of(client.get(reverse("workshops:restitution_pdf", args=[rencontre.code])).content)
    assert "<script>alert('x')</script> attirer une usine" in text


def test_unused_steps_are_left_out(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    text = text_of(client.get(reverse("workshops:restitution_pdf", args=[rencontre.code])).content)
    assert "Le déroulé de la rencontre" in text
    assert (
        "Formuler sa priorité\n"
        not in text.split("Le déroulé de la rencontre")[-1].split("Étape")[0]
    )
    assert "Ma priorité" not in text
    assert "Annexe" not in text


def test_pdf_access_is_for_this_rencontre_facilitators_only(filled):
    rencontre, _user = filled
    url = reverse("workshops:restitution_pdf", args=[rencontre.code])
    anonymous = Client()
    assert anonymous.get(url).status_code == 302
    phone = Client()
    phone.post(f"/j/{rencontre.code}", {"name": "P", "organisation": "O", "actor_type": "autre"})
    response = phone.get(url)
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 403


def test_exports_respect_consent_and_carry_every_table(client, filled):
    rencontre, user = filled
    client.force_login(user)
    participants = client.get(
        reverse("workshops:export_csv", args=[rencontre.code, "participants"])
    )
    body = participants.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "participant;nom;organisation;type_acteur;arrivee"
    assert "Léa Martin;Région;Collectivité" in body
    assert "Karim Secret" not in body
    actions = client.get(
        reverse("workshops:export_csv", args=[rencontre.code, "actions"])
    ).content.decode("utf-8-sig")
    assert (
        "Réunir les DRH du décolletage;Lancer quelque chose;CCI Haute-Savoie;2030-01-15" in actions
    )
    answers = client.get(
        reverse("workshops:export_csv", args=[rencontre.code, "reponses"])
    ).content.decode("utf-8-sig")
    assert "Foncier disponible" in answers
    data = client.get(reverse("workshops:export_json", args=[rencontre.code])).json()
    assert sorted(data) == [
        "actions",
        "agenda",
        "conclusions_tables",
        "participants",
        "priorites",
        "regard_en_arriere",
        "rencontre",
        "reponses",
        "vote",
    ]
    assert [p["nom"] for p in data["participants"]] == ["Léa Martin", ""]
    assert (
        client.get(reverse("workshops:export_csv", args=[rencontre.code, "inconnu"])).status_code
        == 404
    )
    other = Client()
    other.force_login(UserFactory())
    assert other.get(reverse("workshops:export_json", args=[rencontre.code])).status_code == 403


def test_personal_page_shows_own_items_and_marks_an_action_done(client, filled):
    rencontre, user = filled
    from workshops.models import Participant

    lea = Participant.objects.get(name="Léa Martin")
    url = reverse("workshops:personal", args=[lea.token])
    page = Client().get(url).content.decode()
    assert "Former 40 soudeurs par an" in page
    assert "Réunir les DRH du décolletage" in page
    assert "Ouvrir le site aux lycéens" not in page  # Karim's
    from priorities.models import Action

    action = Action.objects.get(participant=lea)
    done = reverse("workshops:personal_command", args=[lea.token, "actions", "faite"])
    response = Client().post(done, {"action": action.pk})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).done is True
    karims = Action.objects.exclude(participant=lea).get()
    refused = Client().post(done, {"action": karims.pk}, follow=True).content.decode()
    assert Action.objects.get(pk=karims.pk).done is False  # not hers
    assert "Cette action n&#x27;existe plus." in refused
    client.force_login(user)
    control = client.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    assert "<strong>1</strong> action déjà faite" in control
    assert Client().get(reverse("workshops:personal", args=["nope"])).status_code == 404


@pytest.mark.slow
def test_a_rencontre_of_300_participants_900_actions_and_10_polls_renders(client):
    from django.core.management import call_command

    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    call_command(
        "fill_rencontre",
        rencontre.code,
        participants=300,
        actions=3,
        polls=10,
        stdout=io.StringIO(),
    )
    client.force_login(user)
    response = client.get(reverse("workshops:restitution_pdf", args=[rencontre.code]))
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 40
    assert "900 actions engagées par 300 participants" in text
    assert "Question complémentaire n° 10" in text


def test_panel_figures_are_the_debrief_figures(filled):
    from workshops import debrief

    rencontre, _user = filled
    figures = debrief.debrief_figures(rencontre)
    assert figures == debrief.debrief_context(rencontre)["figures"]
    assert ("actions engagées", 2) in figures


def test_the_pdf_reads_the_shipped_files_and_nothing_else(settings):
    from weasyprint.urls import FatalURLFetchingError, URLFetchingError, fetch

    fetcher = debrief._shipped_files_fetcher()
    font = next((settings.BASE_DIR / "static" / "fonts" / "source-sans-3").glob("*.ttf"))
    with fetch(fetcher, font.resolve().as_uri()) as resource:
        assert resource.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    outside = [
        "file:///etc/passwd",
        (settings.BASE_DIR / "static" / ".." / "rencontres" / "settings.py").as_uri(),
        "http://127.0.0.1:9/x.png",
        "data:text/plain,secret",
    ]
    for url in outside:
        with pytest.raises((URLFetchingError, FatalURLFetchingError)), fetch(fetcher, url):
            pass
