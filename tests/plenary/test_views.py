from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from plenary.models import Word
from tests.factories import UserFactory, make_rencontre
from workshops import services
from workshops.models import Activity, Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}",
        {"name": "Nadia", "organisation": "Ville", "actor_type": "collectivite"},
    )
    facilitator = Client()
    facilitator.force_login(user)
    return rencontre, phone, facilitator


def go_to(rencontre, kind: str) -> Activity:
    activity = Activity.objects.filter(step__rencontre=rencontre, kind=kind).first()
    services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    rencontre.refresh_from_db()
    return activity


def url(rencontre, activity) -> str:
    """The phone's own part of the activity."""
    return reverse("workshops:phone_part", args=[rencontre.code, activity.pk])


def answer(rencontre, activity) -> str:
    return reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "repondre"])


def control(rencontre, activity, command: str) -> str:
    return reverse("workshops:kind_command", args=[rencontre.code, activity.pk, command])


def test_poll_tap_saves_and_the_phone_shows_it_after_reload(room):
    rencontre, phone, _ = room
    poll = go_to(rencontre, "poll")
    response = phone.post(answer(rencontre, poll), {"choice": "c2"})
    html = response.content.decode()
    assert "Réponse enregistrée" in html
    assert 'class="choice is-selected" name="choice" value="c2" aria-pressed="true"' in html
    again = phone.get(url(rencontre, poll)).content.decode()
    assert 'value="c2" aria-pressed="true"' in again
    assert Answer.objects.get(activity=poll).data == {"choices": ["c2"]}


def test_poll_choice_of_another_poll_is_refused_in_french(room):
    rencontre, phone, _ = room
    poll = go_to(rencontre, "poll")
    html = phone.post(answer(rencontre, poll), {"choice": "zz"}).content.decode()
    assert "Ce choix n&#x27;existe pas dans ce sondage." in html
    assert Answer.objects.count() == 0


def test_oversize_other_text_is_refused_and_kept_in_the_box(room):
    rencontre, phone, _ = room
    poll = go_to(rencontre, "poll")
    long_text = "x" * 130
    html = phone.post(answer(rencontre, poll), {"other": long_text}).content.decode()
    assert "120 caractères au plus (vous en avez tapé 130)." in html
    assert f'value="{long_text}"' in html
    assert Answer.objects.count() == 0


def test_scale_level_out_of_range_is_refused(room):
    rencontre, phone, _ = room
    scale = go_to(rencontre, "scale")
    statement = scale.config["statements"][0]["id"]
    html = phone.post(
        answer(rencontre, scale), {"statement": statement, "value": "9"}
    ).content.decode()
    assert "Choisissez un niveau de 1 à 5." in html
    phone.post(answer(rencontre, scale), {"statement": statement, "value": "4"})
    assert Answer.objects.get(activity=scale).data == {"values": {statement: 4}}


def test_more_words_than_allowed_are_refused_and_nothing_is_stored(room):
    rencontre, phone, _ = room
    words = go_to(rencontre, "words")
    data = {"word0": "a", "word1": "b", "word2": "c", "word3": "d"}
    html = phone.post(answer(rencontre, words), data).content.decode()
    assert "3 mots au plus." in html
    assert Word.objects.count() == 0


def test_empty_words_are_refused(room):
    rencontre, phone, _ = room
    words = go_to(rencontre, "words")
    html = phone.post(answer(rencontre, words), {"word0": "  ", "word1": "!!"}).content.decode()
    assert "Écrivez au moins un mot." in html


def test_script_in_an_answer_is_shown_as_text_on_the_screen(room):
    rencontre, phone, facilitator = room
    question = go_to(rencontre, "question")
    phone.post(answer(rencontre, question), {"text": "<script>alert(1)</script> <b>gras</b>"})
    screen = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "<script>alert(1)</script>" not in screen
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;" in screen


def test_question_over_the_limit_keeps_the_text(room):
    rencontre, phone, _ = room
    question = go_to(rencontre, "question")
    text = "mot " * 100
    html = phone.post(answer(rencontre, question), {"text": text}).content.decode()
    assert "280 caractères au plus" in html
    assert text.strip() in html


def test_facilitator_hides_a_word_and_it_leaves_the_screen(room):
    rencontre, phone, facilitator = room
    words = go_to(rencontre, "words")
    phone.post(answer(rencontre, words), {"word0": "Énergie", "word1": "Bidule"})
    screen_url = reverse("workshops:screen", args=[rencontre.code])
    assert ">Bidule</text>" in facilitator.get(screen_url).content.decode()
    bidule = Word.objects.get(text="Bidule")
    facilitator.post(
        control(rencontre, words, "masquer-mot"), {"word": bidule.pk}, HTTP_HX_REQUEST="true"
    )
    screen = facilitator.get(screen_url).content.decode()
    assert ">Bidule</text>" not in screen
    assert ">Énergie</text>" in screen
    assert "1 mot masqué par l'animateur" in screen
    assert Word.objects.get(text="Bidule").hidden is True


def test_a_participant_cannot_moderate(room):
    rencontre, phone, _ = room
    words = go_to(rencontre, "words")
    phone.post(answer(rencontre, words), {"word0": "Bidule"})
    bidule = Word.objects.get(text="Bidule")
    moderate = control(rencontre, words, "masquer-mot")
    assert phone.post(moderate, {"word": bidule.pk}).status_code == 302
    assert Word.objects.get(text="Bidule").hidden is False


def test_results_hidden_then_revealed_on_the_screen(room):
    rencontre, phone, facilitator = room
    poll = go_to(rencontre, "poll")
    phone.post(answer(rencontre, poll), {"choice": "c1"})
    screen_url = reverse("workshops:screen", args=[rencontre.code])
    facilitator.post(reverse("workshops:results_hide", args=[rencontre.code]))
    screen = facilitator.get(screen_url).content.decode()
    assert "results-hidden" in screen
    assert "chart--bars" not in screen
    facilitator.post(reverse("workshops:results_show", args=[rencontre.code]))
    facilitator.post(reverse("workshops:split_on", args=[rencontre.code]))
    screen = facilitator.get(screen_url).content.decode()
    assert "chart--dots" in screen
    # One respondent: the split shows no group, and says why.
    assert "Collectivité (1)" not in screen
    assert "1 réponse n&#x27;apparaît pas dans les écarts" in screen


def test_facilitator_hides_a_poll_other_text(room):
    rencontre, phone, facilitator = room
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
    phone.post(answer(rencontre, poll), {"other": "Texte déplacé"})
    screen_url = reverse("workshops:screen", args=[rencontre.code])
    assert "Texte déplacé" in facilitator.get(screen_url).content.decode()
    saved = Answer.objects.get(activity=poll)
    facilitator.post(control(rencontre, poll, "masquer-reponse"), {"answer": saved.pk})
    screen = facilitator.get(screen_url).content.decode()
    assert "Texte déplacé" not in screen
    assert "1 réponse masquée par l'animateur" in screen
    panel = facilitator.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    assert f'hx-post="{control(rencontre, poll, "afficher-reponse")}"' in panel
