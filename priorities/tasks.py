"""The actions' reminders, sent by the background worker: the day before an action's due
date (at REMINDER_HOUR), its author and its partners who gave an e-mail and agreed receive
one reminder each, once (`workshops.sheet.mail_once`), retried on failure.

A reminder is queued when the action is recorded, to run at that hour; it reads the action
and the people when it runs (an action removed or done, an e-mail withdrawn: nothing is
sent). An action due the day after it was recorded gets no reminder of its own: it is on the
sheet sent at the end of the rencontre.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from priorities import selectors
from priorities.models import Action
from workshops import sheet
from workshops.models import Participant
from workshops.tasks import enqueue_later, mail_retry

logger = logging.getLogger(__name__)

REMINDER_HOUR = dt.time(9, 0)


def reminder_key(action: Action) -> str:
    return f"rappel-action-{action.pk}"


def reminder_time(action: Action) -> dt.datetime:
    """When the action's reminder goes: the day before its due date, at REMINDER_HOUR."""
    day = action.due - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, REMINDER_HOUR))


def action_reminder_queue(action: Action) -> bool:
    """Queue the action's reminder (called once the action is saved). Returns whether one
    was queued: none when its time has already come (an action due tomorrow)."""
    when = reminder_time(action)
    if when <= timezone.now():
        return False
    return enqueue_later(action_reminder_task, when, action.pk)


@task()
def action_reminder_task(action_id: int, attempt: int = 0) -> int:
    """Send the action's reminders; returns how many were sent now."""
    try:
        return action_reminders_send(action_id=action_id)
    except Exception:
        again = mail_retry(action_reminder_task, attempt, action_id)
        logger.exception(
            "Reminder of action %s failed (attempt %d)%s",
            action_id,
            attempt + 1,
            ", will retry" if again else ", giving up",
        )
        return 0


def _recipients(action: Action) -> list[Participant]:
    people = [action.participant, *(p.participant for p in action.partnerships.all())]
    return [p for p in people if p.mailable]


def action_reminders_send(*, action_id: int, now: dt.datetime | None = None) -> int:
    """Remind the action's author and partners (those who agreed), each once. Nothing before
    the reminder's time, nor once the action is due, done or removed. Returns how many mails
    were sent now. Side effects: e-mails and their `MailSent` records."""
    now = now or timezone.now()
    action = (
        Action.objects.filter(pk=action_id, done=False)
        .select_related("participant__rencontre")
        .prefetch_related("partnerships__participant")
        .first()
    )
    if action is None or not reminder_time(action) <= now < _end_of_due_day(action):
        return 0
    sent = 0
    for person in _recipients(action):
        with translation.override(person.language):  # each in their own language
            message = _reminder_mail(action, person)
            if sheet.mail_once(person, key=reminder_key(action), message=message):
                sent += 1
                logger.info("Reminder of action %s sent to participant %s", action.pk, person.pk)
    return sent


def _end_of_due_day(action: Action) -> dt.datetime:
    day = action.due + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _reminder_mail(action: Action, person: Participant) -> EmailMessage:
    others = [action.participant, *(p.participant for p in action.partnerships.all())]
    people = [selectors.person_for(person, p) for p in others if p.pk != person.pk]
    context = {
        "action": action,
        "person": person,
        "people": people,
        "personal_url": sheet.personal_url(person),
    }
    return EmailMessage(
        subject=_("Rappel : « %(text)s » demain") % {"text": action.text[:80]},
        body=render_to_string("priorities/mail/reminder.txt", context),
        to=[person.email],
    )
