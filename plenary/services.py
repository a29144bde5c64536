"""Writes of the plenary kinds: a phone's answer and the facilitator's moderation. Each is
atomic; the engine's `answer_save` broadcasts after commit."""

from __future__ import annotations

from django.db import transaction

from plenary.models import Word
from workshops.live import broadcast_state_on_commit
from workshops.models import Activity, Answer, Participant
from workshops.selectors import answer_data
from workshops.services import answer_save
from workshops.words import bounded_key
from workshops.words import normalize as normalize_word

KEY_LENGTH = Word._meta.get_field("key").max_length


@transaction.atomic
def poll_answer_submit(
    *, activity: Activity, participant: Participant, choice: str, other: str
) -> Answer:
    """Record a tap on a poll: single choice replaces, multiple toggles; `other` sets the
    free text. Side effects: screens and control panels refresh their results."""
    data = answer_data(activity, participant)
    chosen: list[str] = list(data.get("choices", []))
    other = other.strip()
    if activity.config.get("multiple"):
        if choice:
            chosen = [c for c in chosen if c != choice] if choice in chosen else [*chosen, choice]
        data["choices"] = chosen
        if other or not choice:
            data["other"] = other
    elif choice:
        data = {"choices": [choice]}
    else:
        data = {"choices": [], "other": other}
    if not activity.config.get("allow_other"):
        data.pop("other", None)
    return answer_save(activity=activity, participant=participant, data=data)


@transaction.atomic
def scale_answer_submit(
    *, activity: Activity, participant: Participant, statement: str, value: int
) -> Answer:
    """Record the agreement (1-5) with one statement; the others are kept."""
    data = answer_data(activity, participant)
    data.setdefault("values", {})[statement] = value
    return answer_save(activity=activity, participant=participant, data=data)


@transaction.atomic
def words_answer_submit(
    *, activity: Activity, participant: Participant, words: list[str]
) -> Answer:
    """Replace the participant's words. A word the facilitator hid stays hidden when typed
    again. Side effects: the cloud refreshes on screens and control panels."""
    answer = answer_save(activity=activity, participant=participant, data={"words": words})
    hidden_keys = set(
        Word.objects.filter(activity=activity, hidden=True).values_list("key", flat=True)
    )
    Word.objects.filter(answer=answer).delete()
    Word.objects.bulk_create(
        Word(answer=answer, activity=activity, text=text, key=key, hidden=key in hidden_keys)
        for text in words
        if (key := bounded_key(normalize_word(text), KEY_LENGTH))
    )
    return answer


@transaction.atomic
def question_answer_submit(*, activity: Activity, participant: Participant, text: str) -> Answer:
    """Record a short open answer."""
    return answer_save(activity=activity, participant=participant, data={"text": text.strip()})


@transaction.atomic
def word_set_hidden(*, activity: Activity, word: Word, hidden: bool) -> bool:
    """Moderation: hide (or show again) every occurrence of `word`'s entry in the cloud.
    Side effects: the projector drops it at once."""
    updated = Word.objects.filter(activity=activity, key=word.key).update(hidden=hidden)
    if updated:
        broadcast_state_on_commit(activity.step.rencontre_id, roles=("screen", "control"))
    return bool(updated)
