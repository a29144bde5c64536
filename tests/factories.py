from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from workshops import services
from workshops.models import ActorType, Participant


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"animateur{n}")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-test")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def make_rencontre(*, facilitator=None, title: str = "Rencontres économiques test", **kwargs):
    """A rencontre made through the real service, on the default agenda."""
    return services.rencontre_create(
        title=title,
        date=kwargs.pop("date", dt.date(2027, 3, 12)),
        place=kwargs.pop("place", "Salle du conseil"),
        territory_name=kwargs.pop("territory_name", "Communauté de communes test"),
        facilitator=facilitator or UserFactory(),
        **kwargs,
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    name = factory.Sequence(lambda n: f"Participant {n}")
    organisation = "Mairie"
    actor_type = ActorType.COLLECTIVITE
