"""Set up a ready demo: a facilitator account and a demo rencontre on the default agenda.

    python manage.py demo           # set up and print how to connect
    python manage.py demo --json    # the same, as one JSON object for scripts
Running it again reuses the account and the rencontre. An existing `animateur` keeps its
password (it may guard a real database) unless `--reset-password` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from workshops import services
from workshops.models import Rencontre

DEMO_USERNAME = "animateur"
DEMO_PASSWORD = "rencontres-demo"
DEMO_TITLE = "Rencontres économiques de la Vallée de l'Arve (démo)"


class Command(BaseCommand):
    help = "Create the demo facilitator and rencontre, then print the login and join details."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help=f"set the password of an existing {DEMO_USERNAME!r} back to the demo one",
        )
        parser.add_argument(
            "--base-url",
            default=os.environ.get(
                "PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
            ),
            help="public address of the server (default: http://127.0.0.1:$PORT)",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        base = options["base_url"].rstrip("/")
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"first_name": "Camille", "last_name": "Animatrice"},
        )
        if created or options["reset_password"]:
            user.set_password(DEMO_PASSWORD)
            user.save()
        # An existing account keeps its password: say it only if it is still the demo one.
        password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else None
        rencontre = Rencontre.objects.filter(title=DEMO_TITLE, facilitators=user).first()
        if rencontre is None:
            rencontre = services.rencontre_create(
                title=DEMO_TITLE,
                date=timezone.localdate() + dt.timedelta(days=0),
                place="Salle des fêtes, Cluses",
                territory_name="Vallée de l'Arve (territoire fictif)",
                facilitator=user,
            )
        info = {
            "code": rencontre.code,
            "join_url": base + reverse("workshops:join", args=[rencontre.code]),
            "control_url": base + reverse("workshops:control", args=[rencontre.code]),
            "screen_url": base + reverse("workshops:screen", args=[rencontre.code]),
            "username": DEMO_USERNAME,
            "password": password,
        }
        if options["json"]:
            self.stdout.write(json.dumps(info))
            return
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"  Rencontre de démonstration : {rencontre.title}",
                    f"  Animateur      : {base}{settings.LOGIN_URL and reverse('login')}",
                    f"    identifiant  : {DEMO_USERNAME}",
                    f"    mot de passe : {password}"
                    if password
                    else "    mot de passe : inchangé (--reset-password remet celui de la démo)",
                    f"  Panneau        : {info['control_url']}",
                    f"  Écran          : {info['screen_url']}",
                    f"  Participants   : {info['join_url']}  (code {rencontre.code})",
                    "",
                ]
            )
        )
