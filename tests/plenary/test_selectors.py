from __future__ import annotations

import pytest

from plenary import selectors as results
from plenary import services as plenary_services
from plenary.models import Word
from tests.factories import ParticipantFactory, make_rencontre
from workshops import services
from workshops.models import Activity, Answer

pytestmark = pytest.mark.django_db


def activity_of(rencontre, kind: str, **config) -> Activity:
    activity = Activity.objects.filter(step__rencontre=rencontre, kind=kind).first()
    if config:
        activity.config = {**activity.config, **config}
        activity.save()
    return activity


def people(rencontre, actor_type: str, n: int):
    return ParticipantFactory.create_batch(n, rencontre=rencontre, actor_type=actor_type)


def poll_abc(rencontre) -> Activity:
    return activity_of(
        rencontre,
        "poll",
        choices=[{"id": "a", "label": "A"}, {"id": "b", "label": "B"}, {"id": "c", "label": "C"}],
        multiple=False,
        allow_other=False,
    )


def test_poll_divergence_on_a_hand_computed_example(settings):
    settings.SPLIT_MIN_GROUP_SIZE = 1  # the arithmetic alone; groups of 2 shown
    rencontre = make_rencontre()
    poll = poll_abc(rencontre)
    votes = {"collectivite": "aabc", "entreprise": "bb", "etat": "ac"}
    for actor_type, picks in votes.items():
        for person, pick in zip(people(rencontre, actor_type, len(picks)), picks, strict=True):
            plenary_services.poll_answer_submit(
                activity=poll, participant=person, choice=pick, other=""
            )
    res = results.poll_results(poll)
    assert [(b.key, b.count, b.share) for b in res["bars"]] == [
        ("a", 3, 37.5),
        ("b", 3, 37.5),
        ("c", 2, 25.0),
    ]
    # shares by actor type: A 50/0/50, B 25/100/0, C 25/0/50 -> gaps 50, 100, 50
    assert [(d.key, d.divergence) for d in res["divergence"]] == [
        ("b", 100.0),
        ("a", 50.0),
        ("c", 50.0),
    ]
    first = res["divergence"][0]
    assert [(p.actor_type, p.value, p.respondents) for p in first.points] == [
        ("collectivite", 25.0, 4),
        ("etat", 0.0, 2),
        ("entreprise", 100.0, 2),
    ]
    assert res["n_answers"] == 8


def test_scale_means_distribution_and_divergence_by_hand(settings):
    settings.SPLIT_MIN_GROUP_SIZE = 1  # the arithmetic alone; groups of 2 shown
    rencontre = make_rencontre()
    scale = activity_of(
        rencontre, "scale", statements=[{"id": "s1", "label": "S1"}, {"id": "s2", "label": "S2"}]
    )
    answers = {"collectivite": [(5, 3), (4, 3)], "entreprise": [(1, 3), (2, 4)]}
    for actor_type, rows in answers.items():
        for person, (v1, v2) in zip(people(rencontre, actor_type, 2), rows, strict=True):
            plenary_services.scale_answer_submit(
                activity=scale, participant=person, statement="s1", value=v1
            )
            plenary_services.scale_answer_submit(
                activity=scale, participant=person, statement="s2", value=v2
            )
    res = results.scale_results(scale)
    s1 = res["rows"][0]
    assert (s1["total"], s1["mean"]) == (4, 3.0)
    assert [seg["count"] for seg in s1["segments"]] == [1, 1, 0, 1, 1]
    assert s1["agree"] == 50.0
    # S1: 4.5 vs 1.5 -> (3 / 4) * 100 = 75; S2: 3 vs 3.5 -> 12.5
    assert [(d.key, d.divergence) for d in res["divergence"]] == [("s1", 75.0), ("s2", 12.5)]


def test_changing_an_answer_replaces_it():
    rencontre = make_rencontre()
    poll = poll_abc(rencontre)
    (person,) = people(rencontre, "etat", 1)
    plenary_services.poll_answer_submit(activity=poll, participant=person, choice="a", other="")
    plenary_services.poll_answer_submit(activity=poll, participant=person, choice="c", other="")
    res = results.poll_results(poll)
    assert [b.count for b in res["bars"]] == [0, 0, 1]
    assert Answer.objects.filter(activity=poll).count() == 1


def test_multiple_choice_toggles_and_other_text():
    rencontre = make_rencontre()
    poll = poll_abc(rencontre)
    poll.config.update(multiple=True, allow_other=True)
    poll.save()
    (person,) = people(rencontre, "entreprise", 1)
    for choice in ("a", "b", "a"):
        plenary_services.poll_answer_submit(
            activity=poll, participant=person, choice=choice, other=""
        )
    plenary_services.poll_answer_submit(
        activity=poll, participant=person, choice="", other="Hydrogène"
    )
    assert Answer.objects.get(activity=poll).data == {"choices": ["b"], "other": "Hydrogène"}
    res = results.poll_results(poll)
    assert [(b.key, b.count) for b in res["bars"]] == [("a", 0), ("b", 1), ("c", 0), ("other", 1)]
    assert res["others"] == ["Hydrogène"]


def test_hidden_answers_are_left_out_of_results_and_counted():
    rencontre = make_rencontre()
    poll = poll_abc(rencontre)
    first, second = people(rencontre, "etat", 2)
    plenary_services.poll_answer_submit(activity=poll, participant=first, choice="a", other="")
    answer = plenary_services.poll_answer_submit(
        activity=poll, participant=second, choice="b", other=""
    )
    services.answer_set_hidden(activity=poll, answer=answer, hidden=True)
    res = results.poll_results(poll)
    assert ([b.count for b in res["bars"]], res["n_answers"], res["n_hidden"]) == ([1, 0, 0], 1, 1)
    assert Answer.objects.get(pk=answer.pk).hidden is True


def test_words_are_normalised_counted_and_moderated():
    rencontre = make_rencontre()
    words = activity_of(rencontre, "words")
    typed = [["Énergie", "savoir-faire"], ["energie"], ["énergies ", "Usine"], ["Énergie", "nul"]]
    for person, entry in zip(people(rencontre, "autre", 4), typed, strict=True):
        plenary_services.words_answer_submit(activity=words, participant=person, words=entry)
    groups = results.word_groups(words)
    assert [(g["text"], g["count"]) for g in groups] == [
        ("Énergie", 4),
        ("nul", 1),
        ("savoir-faire", 1),
        ("Usine", 1),
    ]
    plenary_services.word_set_hidden(
        activity=words, word=Word.objects.get(activity=words, key="nul"), hidden=True
    )
    (late,) = people(rencontre, "autre", 1)
    plenary_services.words_answer_submit(activity=words, participant=late, words=["NUL !"])
    res = results.words_results(words)
    assert [g["text"] for g in res["groups"]] == ["Énergie", "savoir-faire", "Usine"]
    assert res["n_hidden"] == 1
    assert [(g["text"], g["count"], g["hidden"]) for g in res["moderation"] if g["hidden"]] == [
        ("nul", 2, True)
    ]


def test_cloud_layout_is_deterministic_inside_the_frame_and_without_overlap():
    groups = [{"key": f"k{i}", "text": f"mot{i}" * (1 + i % 3), "count": 30 - i} for i in range(30)]
    first = results.cloud_layout(groups)
    assert first == results.cloud_layout(groups)
    assert len(first) == 30
    boxes = [results._box(w["x"], w["y"] - w["size"] * 0.35, w["text"], w["size"]) for w in first]
    for i, a in enumerate(boxes):
        assert min(a[0], a[1]) >= 0
        assert (a[2] <= results.CLOUD_WIDTH, a[3] <= results.CLOUD_HEIGHT) == (True, True)
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])
    assert first[0]["size"] > first[-1]["size"]


def test_question_results_exclude_hidden_answers():
    rencontre = make_rencontre()
    question = activity_of(rencontre, "question")
    a, b = people(rencontre, "financeur", 2)
    plenary_services.question_answer_submit(activity=question, participant=a, text="La gigafactory")
    hidden = plenary_services.question_answer_submit(
        activity=question, participant=b, text="hors sujet"
    )
    services.answer_set_hidden(activity=question, answer=hidden, hidden=True)
    res = results.question_results(question)
    assert [x.data["text"] for x in res["answers"]] == ["La gigafactory"]
    assert (res["n_answers"], res["n_hidden"]) == (1, 1)
