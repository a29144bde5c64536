"""Fixtures shared by the tests of the worker's jobs (the PDF and the exports)."""

from __future__ import annotations

import pytest
from django_tasks import task_backends

from tests.factories import UserFactory, make_rencontre
from workshops import services

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued_only(settings):
    """Tasks are queued and not run, as with a worker in another process: nothing the
    request does can make a PDF or an export."""
    settings.TASKS = DUMMY
    yield task_backends["default"]
    task_backends["default"].clear()


@pytest.fixture
def room(db):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user, title="Rencontres de la Vallée")
    services.participant_join(
        rencontre=rencontre,
        name="Léa Martin",
        organisation="Région",
        actor_type="collectivite",
        listed=True,
    )
    return rencontre, user
