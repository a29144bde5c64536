"""The retention period is applied every day by the background worker: the purge task runs,
then queues its next run a day later; scheduling it twice queues one run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ParticipantFactory, make_rencontre
from workshops import services, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    """The embedded default: the database backend (tests otherwise run tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith="purge_daily"))


def test_scheduling_the_purge_twice_queues_one_run(database_queue, capsys):
    call_command("purge", "--schedule")
    call_command("purge", "--schedule")
    assert len(waiting()) == 1
    out = capsys.readouterr().out
    assert "Daily purge queued" in out
    assert "already queued" in out


def test_the_purge_task_applies_retention_and_queues_the_next_run(database_queue, settings):
    settings.RETENTION_DAYS = 30
    rencontre = make_rencontre()
    person = ParticipantFactory(rencontre=rencontre, name="Léa Martin", organisation="Région")
    services.rencontre_end(rencontre=rencontre, now=timezone.now() - dt.timedelta(days=31))
    tasks.purge_daily.func()
    person.refresh_from_db()
    assert (person.name, person.organisation) == ("", "")
    (next_run,) = waiting()
    assert next_run.run_after > timezone.now() + dt.timedelta(hours=23)
