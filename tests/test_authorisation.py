"""The authorisation matrix: every URL of the site and every socket route, tried by every role.

The URL patterns are read from the resolver (included URLconfs too; of Django's admin, only
its index) and the socket routes from `workshops.routing`. Each must have its rows in
`TABLE` / `SOCKETS` below: a new URL or route without an entry fails here, and whoever adds it
writes down who may use it.

Two rencontres, A and B, each with its facilitator, a participant, an activity of every
registered kind and what each kind's example commands make. A kind's commands
(`kind_command`, `phone_command`, `personal_command`) are tried for every registered kind and
every command name, with the ids of A's objects and of B's, in the URL and in the form.
Every refused request (login, 403, 404, 405, 409...) and every request naming another
rencontre's objects must leave the database unchanged.

Each cell runs in a savepoint rolled back afterwards, with a fresh client from its own
address and emptied caches, so the cells cannot influence each other and login or join
throttles never count them together.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from plenary.models import Slide
from plenary.services import slide_add_image
from plenary.slides import check_image
from priorities.forms import next_working_day
from rencontres.asgi import application
from territories.models import ImportJob, Territory
from tests.factories import UserFactory, make_rencontre
from workshops import access, agenda_templates, kinds, services
from workshops.models import (
    Activity,
    AgendaTemplate,
    DebriefJob,
    DebriefLogo,
    Participant,
    Rencontre,
)
from workshops.routing import websocket_urlpatterns

ROLES = (
    "anonymous",
    "participant_a",
    "participant_b",
    "facilitator_a",
    "facilitator_b",
    "facilitator_none",
    "staff",
    "territory_owner",
)
LOGGED_IN = ("facilitator_a", "facilitator_b", "facilitator_none", "staff", "territory_owner")

# What a response is, in the words of the table:
#   200, 400, 403, 404, 405, 409 ... the status code (not a redirect);
#   302, 303 ......................... a redirect elsewhere than to a login page;
#   login ............................ a redirect to the login page (?next= back);
#   admin ............................ a redirect to the admin's login page;
#   hx-login / hx-join ............... an htmx redirect (HX-Redirect) to the login page / to
#                                      the rencontre's join form.
REFUSALS = {"login", "admin", "hx-login", "hx-join", "400", "403", "404", "405", "409"}
LOGIN_PATH = "/comptes/connexion/"

# One row per URL (its name, or its route when unnamed), target and method.
# Targets: "-" (no parameter); "A" (rencontre A and its objects; a participant's token is
# participant_a's; the territory and the import job are the territory owner's);
# "A/B-activity" (A's code with an activity of B in the URL); "A/B-ids" (A in the URL, ids of
# B's objects in the form); "B" (rencontre B and its objects). HX-POST is a POST sent by htmx.
# The kind commands' rows hold for every registered kind and every command name; "A/B-ids"
# is tried for the commands whose form names an object of a rencontre.
# The participant's token is the credential of the personal page: anyone holding it may use it.
# Staff are not facilitators of a rencontre they do not run; they edit every territory.
TABLE_TEXT = """
# url                        target       method  anon     part-A   part-B   fac-A    fac-B    fac-0    staff    owner
/                            -            GET     302      302      302      302      302      302      302      302
/                            -            POST    302      302      302      302      302      302      302      302

admin:index                  -            GET     admin    admin    admin    admin    admin    admin    200      admin
admin:index                  -            POST    admin    admin    admin    admin    admin    admin    200      admin

login                        -            GET     200      200      200      302      302      302      302      302
login                        -            POST    200      200      200      302      302      302      302      302

logout                       -            GET     405      405      405      405      405      405      405      405
logout                       -            POST    302      302      302      302      302      302      302      302

# The language switch: a cookie for anyone, then back to the page (Django's own view).
set_language                 -            GET     302      302      302      302      302      302      302      302
set_language                 -            POST    302      302      302      302      302      302      302      302

# A talk's slides: the wall's read-only link (`?cle=`) opens the images only.
plenary:slide_down           A            GET     405      405      405      405      405      405      405      405
plenary:slide_down           A            POST    login    login    login    302      403      403      403      403

plenary:slide_down           A/B-activity GET     405      405      405      405      405      405      405      405
plenary:slide_down           A/B-activity POST    login    login    login    404      403      403      403      403

plenary:slide_down           A/B-ids      GET     405      405      405      405      405      405      405      405
plenary:slide_down           A/B-ids      POST    login    login    login    302      403      403      403      403

plenary:slide_down           B            GET     405      405      405      405      405      405      405      405
plenary:slide_down           B            POST    login    login    login    403      302      403      403      403

plenary:slide_image          A            GET     404      404      404      200      403      403      403      403
plenary:slide_image          A            POST    405      405      405      405      405      405      405      405

plenary:slide_image          A/secret     GET     200      200      200      200      200      200      200      200
plenary:slide_image          A/secret     POST    405      405      405      405      405      405      405      405

plenary:slide_image          A/B-secret   GET     404      404      404      200      403      403      403      403
plenary:slide_image          A/B-secret   POST    405      405      405      405      405      405      405      405

plenary:slide_image          A/B-slide    GET     404      404      404      404      403      403      403      403
plenary:slide_image          A/B-slide    POST    405      405      405      405      405      405      405      405

plenary:slide_image          A/B-slide+key GET     404      404      404      404      404      404      404      404
plenary:slide_image          A/B-slide+key POST    405      405      405      405      405      405      405      405

plenary:slide_notes          A            GET     405      405      405      405      405      405      405      405
plenary:slide_notes          A            POST    login    login    login    302      403      403      403      403

plenary:slide_notes          A/B-activity GET     405      405      405      405      405      405      405      405
plenary:slide_notes          A/B-activity POST    login    login    login    404      403      403      403      403

plenary:slide_notes          A/B-ids      GET     405      405      405      405      405      405      405      405
plenary:slide_notes          A/B-ids      POST    login    login    login    302      403      403      403      403

plenary:slide_notes          B            GET     405      405      405      405      405      405      405      405
plenary:slide_notes          B            POST    login    login    login    403      302      403      403      403

plenary:slide_remove         A            GET     405      405      405      405      405      405      405      405
plenary:slide_remove         A            POST    login    login    login    302      403      403      403      403

plenary:slide_remove         A/B-activity GET     405      405      405      405      405      405      405      405
plenary:slide_remove         A/B-activity POST    login    login    login    404      403      403      403      403

plenary:slide_remove         A/B-ids      GET     405      405      405      405      405      405      405      405
plenary:slide_remove         A/B-ids      POST    login    login    login    302      403      403      403      403

plenary:slide_remove         B            GET     405      405      405      405      405      405      405      405
plenary:slide_remove         B            POST    login    login    login    403      302      403      403      403

plenary:slide_up             A            GET     405      405      405      405      405      405      405      405
plenary:slide_up             A            POST    login    login    login    302      403      403      403      403

plenary:slide_up             A/B-activity GET     405      405      405      405      405      405      405      405
plenary:slide_up             A/B-activity POST    login    login    login    404      403      403      403      403

plenary:slide_up             A/B-ids      GET     405      405      405      405      405      405      405      405
plenary:slide_up             A/B-ids      POST    login    login    login    302      403      403      403      403

plenary:slide_up             B            GET     405      405      405      405      405      405      405      405
plenary:slide_up             B            POST    login    login    login    403      302      403      403      403

plenary:slide_upload         A            GET     405      405      405      405      405      405      405      405
plenary:slide_upload         A            POST    login    login    login    302      403      403      403      403

plenary:slide_upload         A/B-activity GET     405      405      405      405      405      405      405      405
plenary:slide_upload         A/B-activity POST    login    login    login    404      403      403      403      403

plenary:slide_upload         B            GET     405      405      405      405      405      405      405      405
plenary:slide_upload         B            POST    login    login    login    403      302      403      403      403

plenary:slides               A            GET     login    login    login    200      403      403      403      403
plenary:slides               A            POST    405      405      405      405      405      405      405      405

plenary:slides               A/B-activity GET     login    login    login    404      403      403      403      403
plenary:slides               A/B-activity POST    405      405      405      405      405      405      405      405

plenary:slides               B            GET     login    login    login    403      200      403      403      403
plenary:slides               B            POST    405      405      405      405      405      405      405      405

territories:event_form       A            GET     login    login    login    403      403      403      200      200
territories:event_form       A            POST    login    login    login    403      403      403      400      400

territories:filiere_table    A            GET     login    login    login    403      403      403      200      200
territories:filiere_table    A            POST    login    login    login    403      403      403      302      302

territories:import           -            GET     login    login    login    200      200      200      200      200
territories:import           -            POST    login    login    login    200      200      200      200      200

territories:import_api       -            GET     login    login    login    405      405      405      405      405
territories:import_api       -            POST    login    login    login    404      404      404      404      404

territories:import_job       A            GET     login    login    login    404      404      404      404      200
territories:import_job       A            POST    login    login    login    405      405      405      405      405

territories:import_retry     A            GET     login    login    login    405      405      405      405      405
territories:import_retry     A            POST    login    login    login    404      404      404      404      302

territories:list             -            GET     login    login    login    200      200      200      200      200
territories:list             -            POST    login    login    login    405      405      405      405      405

workshops:activity_create    A            GET     405      405      405      405      405      405      405      405
workshops:activity_create    A            POST    login    login    login    302      403      403      403      403
workshops:activity_create    A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_create    A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:activity_delete    A            GET     405      405      405      405      405      405      405      405
workshops:activity_delete    A            POST    login    login    login    302      403      403      403      403
workshops:activity_delete    A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_delete    A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:activity_down      A            GET     405      405      405      405      405      405      405      405
workshops:activity_down      A            POST    login    login    login    302      403      403      403      403
workshops:activity_down      A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_down      A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:activity_edit      A            GET     login    login    login    200      403      403      403      403
workshops:activity_edit      A            POST    login    login    login    200      403      403      403      403
workshops:activity_edit      A/B-activity GET     login    login    login    404      403      403      403      403
workshops:activity_edit      A/B-activity POST    login    login    login    404      403      403      403      403
workshops:activity_edit      B            GET     login    login    login    403      200      403      403      403
workshops:activity_edit      B            POST    login    login    login    403      200      403      403      403

workshops:activity_goto      A            GET     405      405      405      405      405      405      405      405
workshops:activity_goto      A            POST    login    login    login    302      403      403      403      403
workshops:activity_goto      A            HX-POST hx-login hx-login hx-login 200      403      403      403      403
workshops:activity_goto      A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_goto      A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:activity_next      A            GET     405      405      405      405      405      405      405      405
workshops:activity_next      A            POST    login    login    login    302      403      403      403      403
workshops:activity_next      A            HX-POST hx-login hx-login hx-login 200      403      403      403      403
workshops:activity_next      A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_next      A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:activity_previous  A            GET     405      405      405      405      405      405      405      405
workshops:activity_previous  A            POST    login    login    login    302      403      403      403      403
workshops:activity_previous  A            HX-POST hx-login hx-login hx-login 200      403      403      403      403
workshops:activity_previous  A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_previous  A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:activity_up        A            GET     405      405      405      405      405      405      405      405
workshops:activity_up        A            POST    login    login    login    302      403      403      403      403
workshops:activity_up        A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:activity_up        A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:agenda_templates   -            GET     login    login    login    200      200      200      200      200
workshops:agenda_templates   -            POST    login    login    login    405      405      405      405      405

workshops:agenda_template_create A        GET     login    login    login    200      403      403      403      403
workshops:agenda_template_create A        POST    login    login    login    200      403      403      403      403

workshops:agenda_template_delete A        GET     405      405      405      405      405      405      405      405
workshops:agenda_template_delete A        POST    login    login    login    302      404      404      404      404
workshops:agenda_template_delete B        GET     405      405      405      405      405      405      405      405
workshops:agenda_template_delete B        POST    login    login    login    404      302      404      404      404

workshops:agenda_edit        A            GET     login    login    login    200      403      403      403      403
workshops:agenda_edit        A            POST    405      405      405      405      405      405      405      405

workshops:answers_close      A            GET     405      405      405      405      405      405      405      405
workshops:answers_close      A            POST    login    login    login    302      403      403      403      403
workshops:answers_close      A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:answers_open       A            GET     405      405      405      405      405      405      405      405
workshops:answers_open       A            POST    login    login    login    302      403      403      403      403
workshops:answers_open       A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:control            A            GET     login    login    login    200      403      403      403      403
workshops:control            A            POST    405      405      405      405      405      405      405      405

workshops:export_csv         A            GET     login    login    login    200      403      403      403      403
workshops:export_csv         A            POST    405      405      405      405      405      405      405      405

workshops:export_json        A            GET     login    login    login    200      403      403      403      403
workshops:export_json        A            POST    405      405      405      405      405      405      405      405

workshops:export_prepare     A            GET     405      405      405      405      405      405      405      405
workshops:export_prepare     A            POST    login    login    login    302      403      403      403      403
workshops:export_prepare     A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:export_job         A            GET     login    login    login    200      403      403      403      403
workshops:export_job         A            POST    405      405      405      405      405      405      405      405
workshops:export_job         A/B-job      GET     login    login    login    404      403      403      403      403
workshops:export_job         A/B-job      POST    405      405      405      405      405      405      405      405
workshops:export_job         A/pdf-job    GET     login    login    login    404      403      403      403      403
workshops:export_job         A/pdf-job    POST    405      405      405      405      405      405      405      405

workshops:healthz            -            GET     200      200      200      200      200      200      200      200
workshops:healthz            -            POST    405      405      405      405      405      405      405      405

workshops:home               -            GET     login    login    login    200      200      200      200      200
workshops:home               -            POST    login    login    login    405      405      405      405      405

workshops:join               A            GET     200      200      200      200      200      200      200      200
workshops:join               A            POST    400      200      400      400      400      400      400      400

workshops:join_code          -            GET     200      200      200      200      200      200      200      200
workshops:join_code          -            POST    405      405      405      405      405      405      405      405

workshops:kind_command       A            GET     405      405      405      405      405      405      405      405
workshops:kind_command       A            POST    login    login    login    302      403      403      403      403
workshops:kind_command       A            HX-POST hx-login hx-login hx-login 200      403      403      403      403
workshops:kind_command       A/B-activity GET     405      405      405      405      405      405      405      405
workshops:kind_command       A/B-activity POST    login    login    login    404      403      403      403      403
workshops:kind_command       A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:kind_command       A/B-ids      POST    login    login    login    302      403      403      403      403
workshops:kind_command       B            GET     405      405      405      405      405      405      405      405
workshops:kind_command       B            POST    login    login    login    403      302      403      403      403
workshops:kind_command       B            HX-POST hx-login hx-login hx-login 403      200      403      403      403

workshops:personal           A            GET     200      200      200      200      200      200      200      200
workshops:personal           A            POST    405      405      405      405      405      405      405      405

workshops:personal_contact   A            GET     405      405      405      405      405      405      405      405
workshops:personal_contact   A            POST    302      302      302      302      302      302      302      302

workshops:personal_sheet     A            GET     200      200      200      200      200      200      200      200
workshops:personal_sheet     A            POST    405      405      405      405      405      405      405      405

workshops:personal_delete    A            GET     200      200      200      200      200      200      200      200
workshops:personal_delete    A            POST    200      200      200      200      200      200      200      200

workshops:personal_export    A            GET     200      200      200      200      200      200      200      200
workshops:personal_export    A            POST    405      405      405      405      405      405      405      405

workshops:personal_command   A            GET     405      405      405      405      405      405      405      405
workshops:personal_command   A            POST    302      302      302      302      302      302      302      302
workshops:personal_command   A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:personal_command   A/B-ids      POST    302      302      302      302      302      302      302      302
workshops:personal_command   B            GET     405      405      405      405      405      405      405      405
workshops:personal_command   B            POST    302      302      302      302      302      302      302      302

workshops:phone_command      A            GET     405      405      405      405      405      405      405      405
workshops:phone_command      A            POST    hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_command      A            HX-POST hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_command      A/B-activity GET     405      405      405      405      405      405      405      405
workshops:phone_command      A/B-activity POST    hx-join  404      hx-join  hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_command      A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:phone_command      A/B-ids      POST    hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_command      B            GET     405      405      405      405      405      405      405      405
workshops:phone_command      B            POST    hx-join  hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_command      B            HX-POST hx-join  hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join

workshops:phone_part         A            GET     hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_part         A            POST    405      405      405      405      405      405      405      405
workshops:phone_part         A/B-activity GET     hx-join  404      hx-join  hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_part         A/B-activity POST    405      405      405      405      405      405      405      405
workshops:phone_part         B            GET     hx-join  hx-join  200      hx-join  hx-join  hx-join  hx-join  hx-join
workshops:phone_part         B            POST    405      405      405      405      405      405      405      405

workshops:control_state      A            GET     login    login    login    200      403      403      403      403
workshops:control_state      A            POST    405      405      405      405      405      405      405      405

workshops:phone_state        A            GET     403      200      403      403      403      403      403      403
workshops:phone_state        A            POST    405      405      405      405      405      405      405      405

workshops:screen_state       A            GET     login    login    login    200      403      403      403      403
workshops:screen_state       A            POST    405      405      405      405      405      405      405      405

workshops:restitution_settings A          GET     login    login    login    200      403      403      403      403
workshops:restitution_settings A          POST    login    login    login    302      403      403      403      403

workshops:restitution_messages_reset A    GET     405      405      405      405      405      405      405      405
workshops:restitution_messages_reset A    POST    login    login    login    302      403      403      403      403

workshops:restitution_logo_add A          GET     405      405      405      405      405      405      405      405
workshops:restitution_logo_add A          POST    login    login    login    400      403      403      403      403

workshops:restitution_logo_remove A       GET     405      405      405      405      405      405      405      405
workshops:restitution_logo_remove A       POST    login    login    login    302      403      403      403      403
workshops:restitution_logo_remove A/B-ids GET     405      405      405      405      405      405      405      405
workshops:restitution_logo_remove A/B-ids POST    login    login    login    302      403      403      403      403

workshops:restitution_logo   A            GET     login    login    login    200      403      403      403      403
workshops:restitution_logo   A            POST    405      405      405      405      405      405      405      405
workshops:restitution_logo   A/B-logo     GET     login    login    login    404      403      403      403      403
workshops:restitution_logo   A/B-logo     POST    405      405      405      405      405      405      405      405

workshops:restitution_job    A            GET     login    login    login    200      403      403      403      403
workshops:restitution_job    A            POST    405      405      405      405      405      405      405      405
workshops:restitution_job    A/B-job      GET     login    login    login    404      403      403      403      403
workshops:restitution_job    A/B-job      POST    405      405      405      405      405      405      405      405

workshops:restitution_prepare A           GET     405      405      405      405      405      405      405      405
workshops:restitution_prepare A           POST    login    login    login    302      403      403      403      403

workshops:participant_absent A           GET     405      405      405      405      405      405      405      405
workshops:participant_absent A           POST    login    login    login    302      403      403      403      403
workshops:participant_absent A/B-ids     POST    login    login    login    302      403      403      403      403

workshops:participant_present A          GET     405      405      405      405      405      405      405      405
workshops:participant_present A          POST    login    login    login    302      403      403      403      403
workshops:participant_present A/B-ids    POST    login    login    login    302      403      403      403      403

workshops:participant_remove A           GET     405      405      405      405      405      405      405      405
workshops:participant_remove A           POST    login    login    login    302      403      403      403      403
workshops:participant_remove A/B-ids     POST    login    login    login    302      403      403      403      403

workshops:screen_blank       A            GET     405      405      405      405      405      405      405      405
workshops:screen_blank       A            POST    login    login    login    302      403      403      403      403

workshops:screen_unblank     A            GET     405      405      405      405      405      405      405      405
workshops:screen_unblank     A            POST    login    login    login    302      403      403      403      403

workshops:screen_link        A            GET     200      200      200      200      200      200      200      200
workshops:screen_link        A            POST    405      405      405      405      405      405      405      405
workshops:screen_link        A/B-secret   GET     404      404      404      404      404      404      404      404
workshops:screen_link        A/B-secret   POST    405      405      405      405      405      405      405      405
workshops:screen_link        A/wrong-secret GET   404      404      404      404      404      404      404      404
workshops:screen_link        A/wrong-secret POST  405      405      405      405      405      405      405      405

workshops:screen_link_create A            GET     405      405      405      405      405      405      405      405
workshops:screen_link_create A            POST    login    login    login    302      403      403      403      403

workshops:screen_link_revoke A            GET     405      405      405      405      405      405      405      405
workshops:screen_link_revoke A            POST    login    login    login    302      403      403      403      403

workshops:rencontre_end      A            GET     405      405      405      405      405      405      405      405
workshops:rencontre_end      A            POST    login    login    login    302      403      403      403      403

workshops:qr_hide            A            GET     405      405      405      405      405      405      405      405
workshops:qr_hide            A            POST    login    login    login    302      403      403      403      403
workshops:qr_hide            A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:qr_show            A            GET     405      405      405      405      405      405      405      405
workshops:qr_show            A            POST    login    login    login    302      403      403      403      403
workshops:qr_show            A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:rencontre_new      -            GET     login    login    login    200      200      200      200      200
workshops:rencontre_new      -            POST    login    login    login    200      200      200      200      200

workshops:restitution_pdf    A            GET     login    login    login    200      403      403      403      403
workshops:restitution_pdf    A            POST    405      405      405      405      405      405      405      405

workshops:results_hide       A            GET     405      405      405      405      405      405      405      405
workshops:results_hide       A            POST    login    login    login    302      403      403      403      403
workshops:results_hide       A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:results_show       A            GET     405      405      405      405      405      405      405      405
workshops:results_show       A            POST    login    login    login    302      403      403      403      403
workshops:results_show       A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:screen             A            GET     login    login    login    200      403      403      403      403
workshops:screen             A            POST    405      405      405      405      405      405      405      405

workshops:split_off          A            GET     405      405      405      405      405      405      405      405
workshops:split_off          A            POST    login    login    login    302      403      403      403      403
workshops:split_off          A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:split_on           A            GET     405      405      405      405      405      405      405      405
workshops:split_on           A            POST    login    login    login    302      403      403      403      403
workshops:split_on           A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:step_create        A            GET     405      405      405      405      405      405      405      405
workshops:step_create        A            POST    login    login    login    302      403      403      403      403

workshops:step_delete        A            GET     405      405      405      405      405      405      405      405
workshops:step_delete        A            POST    login    login    login    302      403      403      403      403
workshops:step_delete        A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:step_delete        A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:step_down          A            GET     405      405      405      405      405      405      405      405
workshops:step_down          A            POST    login    login    login    302      403      403      403      403
workshops:step_down          A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:step_down          A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:step_up            A            GET     405      405      405      405      405      405      405      405
workshops:step_up            A            POST    login    login    login    302      403      403      403      403
workshops:step_up            A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:step_up            A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:step_update        A            GET     405      405      405      405      405      405      405      405
workshops:step_update        A            POST    login    login    login    302      403      403      403      403
workshops:step_update        A/B-ids      GET     405      405      405      405      405      405      405      405
workshops:step_update        A/B-ids      POST    login    login    login    302      403      403      403      403

workshops:timer_extend       A            GET     405      405      405      405      405      405      405      405
workshops:timer_extend       A            POST    login    login    login    302      403      403      403      403
workshops:timer_extend       A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:timer_pause        A            GET     405      405      405      405      405      405      405      405
workshops:timer_pause        A            POST    login    login    login    302      403      403      403      403
workshops:timer_pause        A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:timer_reset        A            GET     405      405      405      405      405      405      405      405
workshops:timer_reset        A            POST    login    login    login    302      403      403      403      403
workshops:timer_reset        A            HX-POST hx-login hx-login hx-login 200      403      403      403      403

workshops:timer_start        A            GET     405      405      405      405      405      405      405      405
workshops:timer_start        A            POST    login    login    login    302      403      403      403      403
workshops:timer_start        A            HX-POST hx-login hx-login hx-login 200      403      403      403      403
"""


def parse_table(text: str) -> dict[tuple[str, str, str], list[str]]:
    table = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, target, method, *cells = line.split()
        assert len(cells) == len(ROLES), line
        assert (key, target, method) not in table, f"twice in the table: {line}"
        table[(key, target, method)] = cells
    return table


TABLE = parse_table(TABLE_TEXT)

# Socket routes of rencontre A: "open" (accepted) or "4403" (accepted then closed as forbidden).
SOCKETS = {
    "/ws/p/<str:code>/": ["4403", "open", "4403", "4403", "4403", "4403", "4403", "4403"],
    "/ws/ecran/<str:code>/": ["4403", "4403", "4403", "open", "4403", "4403", "4403", "4403"],
    "/ws/animer/<str:code>/": ["4403", "4403", "4403", "open", "4403", "4403", "4403", "4403"],
}


# ---------------------------------------------------------------- the URLs and routes


def url_patterns() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every URL pattern of the site: its key in TABLE (name, else route) → (route, params)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route, ns)
                continue
            assert isinstance(entry, URLPattern)
            module = getattr(entry.callback, "__module__", "") or ""
            if module.startswith(("django.views.static", "django.contrib.staticfiles")):
                continue
            name = f"{namespace}{entry.name}" if entry.name else None
            if namespace.startswith("admin:") and name != "admin:index":
                continue  # Django's own admin pages: only its index is ours to check
            params = tuple(getattr(entry.pattern, "converters", {}))
            found[name or "/" + route] = ("/" + route, params)

    walk(get_resolver().url_patterns, "", "")
    return found


def socket_routes() -> list[str]:
    return ["/" + str(route.pattern) for route in websocket_urlpatterns]


KIND_URLS = {
    "workshops:kind_command": "control",
    "workshops:phone_command": "phone",
    "workshops:personal_command": "personal",
}


# ---------------------------------------------------------------- the world


@dataclass
class World:
    a: Rencontre
    b: Rencontre
    users: dict[str, Any]
    participants: dict[str, Participant]
    activities: dict[tuple[str, str], Activity]  # ("A" or "B", kind key) → activity
    territory: Territory
    job: ImportJob
    debrief_jobs: dict[str, DebriefJob]
    export_jobs: dict[str, DebriefJob]
    logos: dict[str, DebriefLogo]
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)  # role → cookies
    # Each side's facilitator's own agenda template.
    templates: dict[str, AgendaTemplate] = field(default_factory=dict)

    def rencontre(self, side: str) -> Rencontre:
        return self.a if side == "A" else self.b

    def participant(self, side: str) -> Participant:
        return self.participants[f"participant_{side.lower()}"]


def fill_with_examples(rencontre: Rencontre, activity: Activity, participants) -> None:
    """Run the kind's example commands through their forms and services, as a room would."""
    kind = kinds.get(activity.kind)
    for example in kind.examples(activity):
        cmd = kind.command(example.role, example.command)
        senders = participants if example.role == "phone" else [None]
        for participant in senders:
            form = cmd.form(example.data, activity=activity, participant=participant)
            assert form.is_valid(), (activity.kind, example, form.errors)
            who = {"participant": participant} if participant is not None else {}
            try:
                cmd.run(activity=activity, **who, **form.cleaned_data)
            except tuple(cmd.refusals):
                pass  # refused as in a room (a second volunteer for the same role)


# A one-pixel PNG: what a stored logo file holds, as far as these tests care.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ede0000000049454e44ae426082"
)


def tiny_slide():
    """A checked 16×9 PNG, as an upload of a talk's slide gives."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), (31, 95, 191)).save(buffer, "PNG")
    return check_image(buffer.getvalue(), declared="PNG")


def build_world() -> World:
    users = {role: UserFactory() for role in LOGGED_IN}
    users["staff"].is_staff = True
    users["staff"].save()
    world_participants: dict[str, Participant] = {}
    activities: dict[tuple[str, str], Activity] = {}
    rencontres = {}
    for side in ("A", "B"):
        rencontre = make_rencontre(facilitator=users[f"facilitator_{side.lower()}"], title=side)
        rencontres[side] = rencontre
        people = [
            services.participant_join(
                rencontre=rencontre,
                name=f"{name} {side}",
                organisation="Mairie",
                actor_type=actor,
                listed=True,
            )
            for name, actor in (("Léa", "collectivite"), ("Karim", "entreprise"))
        ]
        world_participants[f"participant_{side.lower()}"] = people[0]
        step = rencontre.steps.order_by("position").last()
        for kind in kinds.registered():
            activity = services.activity_create(
                step=step, kind=kind.key, title=f"{kind.key} {side}"
            )
            activities[(side, kind.key)] = activity
        for kind in kinds.registered():
            fill_with_examples(rencontre, activities[(side, kind.key)], people)
        # A talk's slide (an upload makes it: a file, not form data).
        slide_add_image(activity=activities[(side, "talk")], image=tiny_slide())
    territory = Territory.objects.create(
        name="Vallée de l'Arve", slug="vallee", kind="custom", communes=["74081"]
    )
    territory.owners.add(users["territory_owner"])
    job = ImportJob.objects.create(
        territory=territory,
        kind=ImportJob.Kind.EVENTS,
        status=ImportJob.Status.DONE,
        filename="evenements.csv",
        path="imports/evenements.csv",
        created_by=users["territory_owner"],
    )
    # Each wall has its read-only link.
    for side in ("A", "B"):
        services.screen_link_create(rencontre=rencontres[side])
        rencontres[side].refresh_from_db()
    # A PDF already made for each rencontre (a file the job page offers).
    debrief_jobs = {
        side: DebriefJob.objects.create(
            rencontre=rencontres[side], status=DebriefJob.Status.DONE, filename=f"{side}.pdf"
        )
        for side in ("A", "B")
    }
    # An export already made for each rencontre (a file its job page offers).
    export_jobs = {
        side: DebriefJob.objects.create(
            rencontre=rencontres[side],
            what=DebriefJob.JSON,
            status=DebriefJob.Status.DONE,
            filename=f"{side}.json",
        )
        for side in ("A", "B")
    }
    templates = {
        side: AgendaTemplate.objects.create(
            owner=users[f"facilitator_{side.lower()}"],
            name=f"Modèle {side}",
            agenda=agenda_templates.agenda_of(rencontres[side]),
        )
        for side in ("A", "B")
    }
    # A partner's logo on each cover (a file the settings page previews).
    logos = {
        side: services.debrief_logo_add(
            rencontre=rencontres[side],
            role="partner",
            name=f"Partenaire {side}",
            content=TINY_PNG,
            extension="png",
            width=1,
            height=1,
        )
        for side in ("A", "B")
    }
    world = World(
        templates=templates,
        a=rencontres["A"],
        b=rencontres["B"],
        users=users,
        participants=world_participants,
        activities=activities,
        territory=territory,
        job=job,
        debrief_jobs=debrief_jobs,
        export_jobs=export_jobs,
        logos=logos,
    )
    for role in ROLES:
        client = Client()
        if role in LOGGED_IN:
            client.force_login(users[role])
        elif role.startswith("participant_"):
            response = HttpResponse()
            access.remember_participant(response, world_participants[role])
            client.cookies.update(response.cookies)
        world.sessions[role] = {k: m.value for k, m in client.cookies.items()}
    return world


_addresses = itertools.count(1)


def client_for(world: World, role: str) -> Client:
    """A fresh client with the role's cookies, from an address of its own."""
    n = next(_addresses)
    client = Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    for key, value in world.sessions[role].items():
        client.cookies[key] = value
    return client


# ---------------------------------------------------------------- requests and outcomes


def snapshot() -> list[list[tuple]]:
    """Every row of the project's own tables (raw SQL: this runs twice per cell)."""
    with connection.cursor() as cursor:
        rows = []
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows.append(cursor.fetchall())
    return rows


TABLES = sorted(
    model._meta.db_table
    for label in ("workshops", "plenary", "priorities", "territories")
    for model in apps.get_app_config(label).get_models(include_auto_created=True)
)


def outcome(response) -> str:
    hx = response.headers.get("HX-Redirect")
    if hx:
        if hx.startswith(LOGIN_PATH):
            return "hx-login"
        if hx.startswith("/j/"):
            return "hx-join"
        return f"hx:{hx}"
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(LOGIN_PATH + "?"):
            return "login"
        if location.startswith("/admin/login/"):
            return "admin"
    return str(response.status_code)


def send(client: Client, method: str, url: str, data: dict) -> HttpResponse:
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    assert method == "HX-POST"
    return client.post(
        url, data, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"}
    )


@dataclass
class Target:
    url: str
    data: dict = field(default_factory=dict)
    unchanged: bool = False  # even the rightful role must change nothing
    setup: Any = None  # run in each cell's savepoint before the request


def run_row(world: World, target: Target, method: str) -> tuple[list[str], list[str]]:
    """Each role's outcome, and the roles whose request changed what it must not."""
    observed, changed = [], []
    for role in ROLES:
        for cache in settings.CACHES:
            caches[cache].clear()
        with transaction.atomic():
            if target.setup is not None:
                target.setup()
            before = snapshot()
            response = send(client_for(world, role), method, target.url, target.data)
            observed.append(outcome(response))
            if (observed[-1] in REFUSALS or target.unchanged) and snapshot() != before:
                changed.append(role)
            transaction.set_rollback(True)
    return observed, changed


def check(world: World, key: str, label: str, target: Target, problems: list[str]) -> set:
    """Run the rows of one target; returns the rows it ran."""
    methods = [m for m in ("GET", "POST", "HX-POST") if (key, label, m) in TABLE]
    for method in methods or ["GET", "POST"]:
        expected = TABLE.get((key, label, method))
        observed, changed = run_row(world, target, method)
        row = f"{key:<29}{label:<13}{method:<8}" + "".join(f"{o:<9}" for o in observed)
        if expected is None:
            problems.append(f"no entry: {row.rstrip()}")
        elif expected != observed:
            problems.append(f"{target.url}: expected {expected!r}, got {row}")
        if changed:
            problems.append(f"{target.url} {method} changed the database as {changed}")
    return {(key, label, method) for method in methods}


def unused_rows(keys, ran: set) -> list[str]:
    """Rows of the table that no target of these URLs ran (a target that no longer exists)."""
    return sorted(" ".join(row) for row in TABLE if row[0] in keys and row not in ran)


# ---------------------------------------------------------------- targets


def side_ids(world: World, side: str) -> dict[str, int]:
    """Ids the engine's forms take, of rencontre `side`'s objects."""
    rencontre = world.rencontre(side)
    activity = world.activities[(side, "talk")]
    return {
        "activity": activity.pk,
        "expected": activity.pk,
        "step": rencontre.steps.order_by("position").first().pk,
        "participant": world.participant(side).pk,
        "logo": world.logos[side].pk,
    }


def engine_targets(world: World, key: str, params: tuple[str, ...]) -> dict[str, Target]:
    """The URLs to try for one pattern (other than the kind commands)."""
    a, b = world.a, world.b
    if not params:
        url = reverse(key) if not key.startswith("/") else key
        return {"-": Target(url)}
    if params == ("code",):
        targets = {"A": Target(reverse(key, args=[a.code]), data=ENGINE_POST_DATA.get(key, {}))}
        body = ENGINE_ID_FIELDS.get(key)
        if body:
            ids = side_ids(world, "B")
            data = {**ENGINE_VALID_DATA, **{name: ids[name] for name in body}}
            targets["A/B-ids"] = Target(reverse(key, args=[a.code]), data=data, unchanged=True)
        return targets
    if params == ("code", "activity_id"):
        kind = ACTIVITY_OF[key]
        slide = {"slide": slide_of(world, "A").pk, "notes": "Notes"} if key in SLIDE_FORMS else {}
        targets = {
            "A": Target(reverse(key, args=[a.code, world.activities[("A", kind)].pk]), slide),
            "A/B-activity": Target(reverse(key, args=[a.code, world.activities[("B", kind)].pk])),
            "B": Target(reverse(key, args=[b.code, world.activities[("B", kind)].pk])),
        }
        if key in SLIDE_FORMS:  # A's talk, B's slide in the form
            data = {"slide": slide_of(world, "B").pk, "notes": "Notes"}
            url = reverse(key, args=[a.code, world.activities[("A", kind)].pk])
            targets["A/B-ids"] = Target(url, data, unchanged=True)
        return targets
    if params == ("code", "filename"):
        # A slide's image: the wall's read-only link carries the secret in `?cle=`.
        own, other = slide_of(world, "A").filename, slide_of(world, "B").filename
        return {
            "A": Target(reverse(key, args=[a.code, own])),
            "A/secret": Target(reverse(key, args=[a.code, own]) + f"?cle={a.screen_secret}"),
            "A/B-secret": Target(reverse(key, args=[a.code, own]) + f"?cle={b.screen_secret}"),
            "A/B-slide": Target(reverse(key, args=[a.code, other])),
            "A/B-slide+key": Target(reverse(key, args=[a.code, other]) + f"?cle={a.screen_secret}"),
        }
    if params == ("code", "name"):
        return {"A": Target(reverse(key, args=[a.code, "reponses"]))}
    if params == ("token",):
        return {"A": Target(reverse(key, args=[world.participants["participant_a"].token]))}
    if params == ("slug",):
        return {"A": Target(reverse(key, args=[world.territory.slug]))}
    if params == ("template_id",):
        return {side: Target(reverse(key, args=[world.templates[side].pk])) for side in ("A", "B")}
    if params == ("job_id",):
        return {"A": Target(reverse(key, args=[world.job.pk]))}
    if params == ("code", "secret"):
        return {
            "A": Target(reverse(key, args=[a.code, a.screen_secret])),
            "A/B-secret": Target(reverse(key, args=[a.code, b.screen_secret])),
            "A/wrong-secret": Target(reverse(key, args=[a.code, "x" * len(a.screen_secret)])),
        }
    if params == ("code", "logo_id"):
        return {
            "A": Target(reverse(key, args=[a.code, world.logos["A"].pk])),
            "A/B-logo": Target(reverse(key, args=[a.code, world.logos["B"].pk])),
        }
    if params == ("code", "job_id") and key == "workshops:export_job":
        return {
            "A": Target(reverse(key, args=[a.code, world.export_jobs["A"].pk])),
            "A/B-job": Target(reverse(key, args=[a.code, world.export_jobs["B"].pk])),
            "A/pdf-job": Target(reverse(key, args=[a.code, world.debrief_jobs["A"].pk])),
        }
    if params == ("code", "job_id"):
        return {
            "A": Target(reverse(key, args=[a.code, world.debrief_jobs["A"].pk])),
            "A/B-job": Target(reverse(key, args=[a.code, world.debrief_jobs["B"].pk])),
        }
    raise AssertionError(f"{key}: no targets for parameters {params}: add them here")


# Which activity kind the activity pages are tried on.
ACTIVITY_OF = {
    "workshops:phone_part": "question",
    "workshops:activity_edit": "poll",
    "plenary:slides": "talk",
    "plenary:slide_upload": "talk",
    "plenary:slide_up": "talk",
    "plenary:slide_down": "talk",
    "plenary:slide_remove": "talk",
    "plenary:slide_notes": "talk",
}
# A talk's slide commands: their form names a slide (tried with B's).
SLIDE_FORMS = (
    "plenary:slide_up",
    "plenary:slide_down",
    "plenary:slide_remove",
    "plenary:slide_notes",
)


def slide_of(world: World, side: str) -> Slide:
    return Slide.objects.get(activity=world.activities[(side, "talk")])


# Engine commands that name a step or an activity in their form: tried with B's ids.
ENGINE_ID_FIELDS = {
    "workshops:activity_next": ("expected",),
    "workshops:activity_previous": ("expected",),
    "workshops:activity_goto": ("activity",),
    "workshops:step_update": ("step",),
    "workshops:step_up": ("step",),
    "workshops:step_down": ("step",),
    "workshops:step_delete": ("step",),
    "workshops:activity_create": ("step",),
    "workshops:activity_up": ("activity",),
    "workshops:activity_down": ("activity",),
    "workshops:activity_delete": ("activity",),
    "workshops:participant_absent": ("participant",),
    "workshops:participant_present": ("participant",),
    "workshops:participant_remove": ("participant",),
    "workshops:restitution_logo_remove": ("logo",),
}
# Valid forms of the engine pages posted as a rencontre's target (the rightful role's post
# goes through its service).
ENGINE_POST_DATA = {"workshops:agenda_template_create": {"name": "Mon format"}}
ENGINE_VALID_DATA = {"title": "Nouvelle étape", "planned_minutes": "10", "kind": "talk"}


def object_of(model, rencontre: Rencontre | None):
    """An object of `model` belonging to `rencontre` (any object of a shared model)."""
    field_names = {f.name for f in model._meta.get_fields()}
    if "rencontre" in field_names:
        return model.objects.filter(rencontre=rencontre).first()
    if "activity" in field_names:
        return model.objects.filter(activity__step__rencontre=rencontre).first()
    if "participant" in field_names:
        return model.objects.filter(participant__rencontre=rencontre).first()
    return model.objects.first()


def rencontre_scoped(model) -> bool:
    return bool(
        {"rencontre", "activity", "participant"} & {f.name for f in model._meta.get_fields()}
    )


def command_data(form: forms.Form, side: str, world: World) -> tuple[dict, bool]:
    """Data for every field of a command's form: plausible values, and the ids of `side`'s
    objects in its model choices. Also says whether it names a rencontre's object."""
    data: dict[str, Any] = {}
    names_object = False
    rencontre = world.rencontre(side)
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.ModelChoiceField):
            model = form_field.queryset.model
            obj = object_of(model, rencontre)
            assert obj is not None, f"no {model.__name__} in rencontre {side}: add one to the world"
            data[name] = getattr(obj, form_field.to_field_name or "pk")
            names_object = names_object or rencontre_scoped(model)
        elif isinstance(form_field, forms.MultipleChoiceField):
            data[name] = [str(form_field.choices[0][0])]
        elif isinstance(form_field, forms.ChoiceField):
            values = [str(value) for value, _ in form_field.choices if value != ""]
            data[name] = values[0] if values else ""
        elif isinstance(form_field, forms.DateField):
            data[name] = next_working_day().isoformat()
        elif isinstance(form_field, forms.IntegerField):
            data[name] = str(form_field.min_value or 1)
        elif isinstance(form_field, forms.BooleanField):
            data[name] = "on"
        else:
            data[name] = "Texte"
    return data, names_object


def kind_targets(world: World, key: str, kind, command) -> dict[str, Target]:
    """The URLs and forms to try for one command of one kind."""
    role = KIND_URLS[key]

    def make(side: str, ids_of: str, activity_of: str | None = None) -> tuple[str, dict, bool]:
        activity = world.activities[(activity_of or side, kind.key)]
        participant = world.participant(side)
        form = command.form(activity=activity, participant=participant)
        data, names_object = command_data(form, ids_of, world)
        if role == "personal":
            url = reverse(key, args=[participant.token, kind.key, command.name])
        else:
            url = reverse(key, args=[world.rencontre(side).code, activity.pk, command.name])
        return url, data, names_object

    def current(kind_key: str):
        def setup() -> None:  # answers are taken on the current, open activity only
            for side in ("A", "B"):
                Rencontre.objects.filter(pk=world.rencontre(side).pk).update(
                    current_activity=world.activities[(side, kind_key)]
                )

        return setup

    setup = current(kind.key) if role == "phone" else None
    targets = {}
    url, data, _ = make("A", "A")
    targets["A"] = Target(url, data, setup=setup)
    url, data, names_object = make("A", "B")
    if names_object:
        targets["A/B-ids"] = Target(url, data, unchanged=True, setup=setup)
    if role != "personal":
        url, data, _ = make("A", "A", activity_of="B")
        targets["A/B-activity"] = Target(url, data, unchanged=True, setup=setup)
    url, data, _ = make("B", "B")
    targets["B"] = Target(url, data, setup=setup)
    return targets


# ---------------------------------------------------------------- tests


def test_every_url_and_route_has_its_rows():
    keys = set(url_patterns())
    in_table = {key for key, _label, _method in TABLE}
    assert sorted(keys - in_table) == [], "URLs without rows in TABLE: add them"
    assert sorted(in_table - keys) == [], "rows of URLs that no longer exist: remove them"
    assert sorted(set(socket_routes()) ^ set(SOCKETS)) == [], "socket routes and SOCKETS differ"


@pytest.mark.django_db
def test_url_matrix():
    world = build_world()
    problems: list[str] = []
    ran: set = set()
    keys = sorted(set(url_patterns()) - set(KIND_URLS))
    for key in keys:
        for label, target in engine_targets(world, key, url_patterns()[key][1]).items():
            ran |= check(world, key, label, target, problems)
    assert not problems, "\n".join(problems)
    assert unused_rows(keys, ran) == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(KIND_URLS))
def test_kind_command_matrix(key):
    world = build_world()
    role = KIND_URLS[key]
    problems: list[str] = []
    ran: set = set()
    commands = [(k, c) for k in kinds.registered() for c in getattr(k, f"{role}_commands")]
    assert commands, f"no kind has {role} commands"
    for kind, command in commands:
        for label, target in kind_targets(world, key, kind, command).items():
            ran |= check(world, key, label, target, problems)
    assert not problems, "\n".join(problems)
    assert unused_rows([key], ran) == []


# ---------------------------------------------------------------- sockets


ORIGIN = (b"origin", b"http://testserver")


async def socket_outcome(path: str, cookies: dict[str, str]) -> str:
    header = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()
    communicator = WebsocketCommunicator(
        application, path, headers=[ORIGIN, (b"host", b"testserver"), (b"cookie", header)]
    )
    connected, _ = await communicator.connect(timeout=5)
    if not connected:
        return "refused"
    message = await communicator.receive_output(timeout=5)
    if message["type"] == "websocket.close":
        return str(message.get("code"))
    await communicator.disconnect()
    return "open"


@pytest.mark.live
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_socket_matrix():
    world = await database_sync_to_async(build_world)()
    problems = []
    for route in socket_routes():
        path = route.replace("<str:code>", world.a.code)
        observed = [await socket_outcome(path, world.sessions[role]) for role in ROLES]
        if SOCKETS.get(route) != observed:
            problems.append(f'{route!r}: "{" ".join(observed)}",')
    assert not problems, "\n".join(problems)
    sockets = await database_sync_to_async(
        lambda: list(Participant.objects.values_list("sockets", flat=True))
    )()
    assert set(sockets) == {0}, "a refused or closed socket still counts as connected"
