"""Writes of the plenary kinds: a phone's answer, the facilitator's moderation, a talk's
slides and the slide shown. Each is atomic; broadcasts go after commit."""

from __future__ import annotations

from django.db import models, transaction

from plenary import slides
from plenary.models import LookbackItem, LookbackSupport, Slide, Word
from plenary.slides import CheckedImage
from workshops.live import broadcast_refresh_on_commit, broadcast_state_on_commit
from workshops.models import Activity, Answer, Participant, Rencontre
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


# ---------------------------------------------------------------- talks and their slides


def _broadcast_if_current(activity: Activity, roles: tuple[str, ...]) -> None:
    rencontre = Rencontre.objects.only("current_activity_id").get(pk=activity.step.rencontre_id)
    if rencontre.current_activity_id == activity.pk:
        broadcast_state_on_commit(rencontre.pk, roles=roles)


def _next_position(activity: Activity) -> int:
    return (activity.slides.aggregate(m=models.Max("position"))["m"] or 0) + 1


@transaction.atomic
def slide_add_image(*, activity: Activity, image: CheckedImage) -> Slide:
    """Add a checked image at the end of the talk's deck.
    Side effects: a file under SLIDES_DIR; the wall and the panel update if the talk is on."""
    Activity.objects.select_for_update().filter(pk=activity.pk).first()
    filename = slides.store(image.data, image.extension)
    slide = Slide.objects.create(
        activity=activity,
        position=_next_position(activity),
        filename=filename,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
    )
    _broadcast_if_current(activity, ("screen", "control"))
    return slide


@transaction.atomic
def slide_move(*, activity: Activity, slide: Slide, offset: int) -> bool:
    """Swap the slide with its neighbour (offset -1: up, +1: down). Returns whether it moved.
    Side effects: the wall and the panel update if the talk is on."""
    Activity.objects.select_for_update().filter(pk=activity.pk).first()
    ordered = list(activity.slides.order_by("position", "id"))
    ids = [s.pk for s in ordered]
    if slide.pk not in ids:
        return False
    index = ids.index(slide.pk)
    other = index + offset
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    Slide.objects.bulk_update(ordered, ["position"])
    _broadcast_if_current(activity, ("screen", "control"))
    return True


@transaction.atomic
def slide_remove(*, activity: Activity, slide: Slide) -> None:
    """Remove a slide and its file; the slide shown stays in the deck's range.
    Side effects: the file is deleted after the commit; the wall and the panel update."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    filename = slide.filename
    Slide.objects.filter(pk=slide.pk, activity=activity).delete()
    count = Slide.objects.filter(activity=activity).count()
    current = int(locked.config.get("slide", 0) or 0)
    if current >= count and current:
        locked.config["slide"] = max(0, count - 1)
        locked.save(update_fields=["config"])
    transaction.on_commit(lambda: slides.remove(filename))
    _broadcast_if_current(activity, ("screen", "control"))


@transaction.atomic
def slide_notes_set(*, activity: Activity, slide: Slide, notes: str) -> Slide:
    """Set the presenter's notes of one slide. Side effects: the panel updates (the wall and
    the phones never show notes)."""
    slide.notes = notes.strip()
    slide.save(update_fields=["notes"])
    _broadcast_if_current(activity, ("control",))
    return slide


@transaction.atomic
def talk_slide_step(*, activity: Activity, index: int, offset: int) -> bool:
    """Show the next (offset 1) or previous (-1) slide of the talk, from the slide the panel
    showed (`index`): a double click moves once. Returns whether the slide changed.
    Side effects: `config["slide"]`; the wall and the panel show the new slide."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    count = Slide.objects.filter(activity=activity).count()
    current = int(locked.config.get("slide", 0) or 0)
    target = current + offset
    if current != index or not 0 <= target < count:
        return False
    locked.config["slide"] = target
    locked.save(update_fields=["config"])
    _broadcast_if_current(locked, ("screen", "control"))
    return True


# ---------------------------------------------------------------- look back

LOOKBACK_MAX_ITEMS = 12  # per participant and activity: enough to say it, not to flood


class LookbackLimitError(Exception):
    """The participant already gave the most items an activity takes."""


class LookbackNotAllowedError(Exception):
    """Supporting one's own item, a hidden one, or one of another rencontre."""


def lookback_key(text: str) -> str:
    """The text folded for the double-tap check: case and runs of spaces aside."""
    return " ".join(text.casefold().split())


@transaction.atomic
def lookback_item_add(
    *, activity: Activity, participant: Participant, column: str, text: str, theme: str = ""
) -> LookbackItem:
    """Add one item to a column ("worked" or "blocked"), with an optional theme. The same
    text sent again to the same column (a double tap) returns the item already stored.
    Raises LookbackLimitError past LOOKBACK_MAX_ITEMS. Side effects: the wall and the panel
    refresh their columns."""
    text = " ".join(text.split())
    # Lock the participant row: two quick posts are checked one after the other.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    key = lookback_key(text)
    existing = LookbackItem.objects.filter(
        activity=activity, participant=participant, column=column, key=key
    ).first()
    if existing is not None:
        return existing
    if (
        LookbackItem.objects.filter(activity=activity, participant=participant).count()
        >= LOOKBACK_MAX_ITEMS
    ):
        raise LookbackLimitError
    item = LookbackItem.objects.create(
        activity=activity, participant=participant, column=column, text=text, key=key, theme=theme
    )
    broadcast_refresh_on_commit(activity.step.rencontre_id, ("results",))
    return item


@transaction.atomic
def lookback_item_remove(*, participant: Participant, item: LookbackItem) -> bool:
    """The author takes back one of their items (and the supports it had). Side effects:
    the wall and the panel refresh."""
    deleted, _ = LookbackItem.objects.filter(pk=item.pk, participant=participant).delete()
    if deleted:
        broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return bool(deleted)


@transaction.atomic
def lookback_support_set(
    *, participant: Participant, item: LookbackItem, supported: bool
) -> LookbackItem:
    """'Je soutiens' another's item, or withdraw it. Setting a state (not flipping it)
    makes a double tap harmless; supporting twice counts once. One's own item, a hidden
    item or one of another rencontre raise LookbackNotAllowedError (withdrawing stays
    possible from a hidden item). Side effects: the counts refresh on the wall."""
    rencontre_id = item.activity.step.rencontre_id
    if rencontre_id != participant.rencontre_id or item.participant_id == participant.pk:
        raise LookbackNotAllowedError
    if supported:
        if item.hidden:
            raise LookbackNotAllowedError
        LookbackSupport.objects.get_or_create(item=item, participant=participant)
    else:
        LookbackSupport.objects.filter(item=item, participant=participant).delete()
    broadcast_refresh_on_commit(rencontre_id, ("results",))
    return item


@transaction.atomic
def lookback_item_set_hidden(*, activity: Activity, item: LookbackItem, hidden: bool) -> bool:
    """Moderation: hide (or show again) one item; it stays in the database, marked, with its
    supports. Side effects: the projector drops it at once."""
    updated = LookbackItem.objects.filter(activity=activity, pk=item.pk).update(hidden=hidden)
    if updated:
        broadcast_state_on_commit(activity.step.rencontre_id, roles=("screen", "control"))
    return bool(updated)
