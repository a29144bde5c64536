"""Set up a ready demo: a facilitator account and a demo rencontre on the default agenda.

    python manage.py demo           # set up and print how to connect
    python manage.py demo --json    # the same, as one JSON object for scripts
    python manage.py demo --fresh   # replace the demo rencontre by a new, empty one
    python manage.py demo --serve-env --port 8000   # shell lines for serving on the network
Running it again reuses the account and the rencontre (with its answers) unless `--fresh`
is given. An existing `animateur` keeps its password (it may guard a real database) unless
`--reset-password` is given.

`--serve-env` prints, for `make demo`, the address to listen on and the settings that let
phones on the same network join: the laptop's address on the local network (see
`lan_address`) in PUBLIC_URL (join links and QR code), ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shlex
import socket
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from workshops import services
from workshops.models import Rencontre

DEMO_USERNAME = "animateur"
DEMO_PASSWORD = "rencontres-demo"
DEMO_TITLE = "Rencontres économiques de la Vallée de l'Arve (démo)"


LOOPBACK = "127.0.0.1"
# Connecting a UDP socket sends nothing: it only asks the kernel which local address would
# be used to reach these (private, never contacted) addresses, i.e. the LAN interface's.
PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255")


def lan_address(probes: tuple[str, ...] = PROBES) -> str | None:
    """This machine's IPv4 address on the local network, found without network access; None
    when it has no interface but the loopback (or no route to a private network)."""
    for probe in probes:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
                address = s.getsockname()[0]
            except OSError:
                continue
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_unspecified or ip.is_link_local):
            return address
    return None


def serve_env(address: str | None, port: int) -> dict[str, str]:
    """The environment that serves the demo to phones of the local network at `address`
    (the laptop alone when None): where to listen, the public URL, the accepted hosts."""
    hosts = ["127.0.0.1", "localhost"]
    if address is None:
        return {
            "DEMO_HOST": LOOPBACK,
            "PUBLIC_URL": f"http://{LOOPBACK}:{port}",
            "ALLOWED_HOSTS": ",".join(hosts),
            "CSRF_TRUSTED_ORIGINS": f"http://{LOOPBACK}:{port}",
        }
    public = f"http://{address}:{port}"
    return {
        "DEMO_HOST": "0.0.0.0",
        "PUBLIC_URL": public,
        "ALLOWED_HOSTS": ",".join([*hosts, address]),
        "CSRF_TRUSTED_ORIGINS": f"{public},http://{LOOPBACK}:{port}",
    }


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
            "--fresh",
            action="store_true",
            help="delete the demo rencontre (and its answers) and start a new one",
        )
        parser.add_argument(
            "--serve-env",
            action="store_true",
            help="print shell assignments to serve the demo on the local network, then stop",
        )
        parser.add_argument(
            "--address",
            help="with --serve-env: the address phones use (default: found automatically)",
        )
        parser.add_argument(
            "--local",
            action="store_true",
            help="with --serve-env: serve this computer only (127.0.0.1)",
        )
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--base-url",
            default=os.environ.get(
                "PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
            ),
            help="public address of the server (default: http://127.0.0.1:$PORT)",
        )

    def handle(self, *args, **options) -> None:
        if options["serve_env"]:
            self.print_serve_env(options)
            return
        self.set_up(options)

    def print_serve_env(self, options) -> None:
        address = None
        if not options["local"]:
            address = options["address"] or lan_address()
            if options["address"]:
                try:
                    ipaddress.IPv4Address(address)
                except ValueError:
                    raise CommandError(
                        f"« {address} » n'est pas une adresse IPv4 (exemple : 192.168.1.20)."
                    ) from None
            if address is None:
                sys.stderr.write(
                    "Aucune adresse sur un réseau local : la démo ne sera joignable que depuis "
                    "cet ordinateur (http://127.0.0.1). Connectez-vous au wifi de la salle ou "
                    "au partage de connexion d'un téléphone, puis relancez.\n"
                )
        env = serve_env(address, options["port"])
        self.stdout.write("\n".join(f"{k}={shlex.quote(v)}" for k, v in env.items()))

    @transaction.atomic
    def set_up(self, options) -> None:
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
        if options["fresh"]:
            Rencontre.objects.filter(title=DEMO_TITLE, facilitators=user).delete()
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
