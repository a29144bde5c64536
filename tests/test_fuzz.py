"""A property-based fuzz of every participant, facilitator and organiser form and endpoint.

For each POST endpoint (and the code form), sent by its rightful role, hypothesis builds form
data from the form's own fields: valid values, text with any unicode and null characters,
huge texts, numbers out of range, malformed dates, ids of the other rencontre's objects and
ids that do not exist, missing fields, repeated fields and extra fields. Whatever it sends:

- the server never answers 500 (the test client re-raises any uncaught exception);
- every row the request wrote passes its model's `full_clean()` (field lengths, choices,
  bounds, constraints) and holds no NUL character (PostgreSQL refuses them).

Each example runs in a savepoint rolled back afterwards, on the world of the authorisation
matrix (two rencontres, an activity of every kind, what the kinds' examples make). Endpoints
are found from the authorisation table: a new POST endpoint must be added here (or to
`NOT_FUZZED`, with why).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from plenary.forms import SlideChoiceForm, SlideNotesForm
from plenary.models import Word
from territories.forms import ApiImportForm, FiliereOverridesForm
from territories.models import Filiere
from tests.test_authorisation import (
    KIND_URLS,
    TABLE,
    TABLES,
    World,
    build_world,
    client_for,
    object_of,
)
from workshops import kinds
from workshops.forms import (
    ActivityChoiceForm,
    ActivityForm,
    AgendaTemplateForm,
    CodeForm,
    ContactForm,
    DebriefSettingsForm,
    ExpectedForm,
    ExportChoiceForm,
    JoinForm,
    LogoChoiceForm,
    NewActivityInStepForm,
    NewRencontreForm,
    ParticipantChoiceForm,
    StepChoiceForm,
    StepEditForm,
    StepForm,
    TimerExtendForm,
    TimerStartForm,
)
from workshops.models import Activity, Rencontre

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))  # more to hunt: FUZZ_EXAMPLES=500
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example files in the working tree
    derandomize=os.environ.get("CI", "").lower() in {"1", "true", "yes"},
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# POST endpoints the fuzz leaves out, and why.
NOT_FUZZED = {
    "/": "a redirect, it reads nothing",
    "login": "Django's own login form (its throttling is tested on its own)",
    "logout": "Django's own view, it reads nothing",
    "set_language": "Django's own view: a language it does not offer and a foreign `next` are "
    "ignored (tests/test_i18n.py)",
    "admin:index": "Django's admin",
    "territories:import": "uploads are bounded and tested by the import tests",
    "territories:import_retry": "reads no input: the job is named by the URL",
    "workshops:agenda_template_delete": "reads no input: the template is named by the URL (tests/workshops/test_agenda_templates.py)",
    "workshops:rencontre_end": "reads no input: one button (tests/test_personal_data.py)",
    "workshops:personal_delete": "reads no input: the token in the URL is the credential",
    "workshops:restitution_prepare": "reads no input: queues the PDF (tests/workshops/test_debrief_jobs.py)",
    "workshops:restitution_messages_reset": "reads no input: one button",
    "workshops:restitution_logo_add": "a file upload: tests/workshops/test_debrief_settings.py "
    "sends it broken, huge, of the wrong type and under a false name",
    "plenary:slide_upload": "reads files only (no form field): sizes, types, fake extensions "
    "and page counts are tested by tests/plenary/test_slides.py",
}

# ---------------------------------------------------------------- values

# Any character a browser can send (no lone surrogates), nulls and controls included.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
PRINTABLE = st.characters(exclude_categories=("Cs", "Cc"))
NASTY_TEXT = st.text(ANY_CHAR, max_size=40) | st.sampled_from(
    ["\x00", " ", "\u200b", "ß" * 40, "ﬁ" * 40, "İ" * 40, "\u0301" * 30, "<script>", "=1+1"]
)
HUGE_TEXT = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["a", "é", "\x00", "ß", "😀", "\n"]),
    st.integers(300, 70_000),
)
NUMBERS = st.integers(-(10**20), 10**20).map(str) | st.sampled_from(
    [
        "-1",
        "0",
        "2147483648",
        "9223372036854775808",
        "1e309",
        "NaN",
        "inf",
        "1.5",
        " 7 ",
        "٣",
        "²",
        "¹²",
        "①",
        "-0",
        "99999999999999999999",
    ]
)
DATES = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat) | st.sampled_from(
    ["2027-02-30", "2027-13-01", "31/12/2027", "0000-00-00", "demain"]
)


def valid_values(form_field: forms.Field, samples: list | None = None) -> st.SearchStrategy:
    """Values this field accepts (so that some examples go through and write rows); `samples`
    are known good values (from the kinds' examples)."""
    if samples:
        return st.sampled_from(samples) | valid_values(form_field)
    if isinstance(form_field, forms.ModelChoiceField):
        key = form_field.to_field_name or "pk"
        values = list(form_field.queryset.values_list(key, flat=True)[:20])
        return st.sampled_from(values) if values else st.just("")
    if isinstance(form_field, forms.ChoiceField):
        values = [str(v) for v, _label in form_field.choices if v != ""] or [""]
        if isinstance(form_field, forms.MultipleChoiceField):
            return st.lists(st.sampled_from(values), max_size=len(values) + 1)
        return st.sampled_from(values)
    if isinstance(form_field, forms.IntegerField):
        low = form_field.min_value if form_field.min_value is not None else -1000
        high = form_field.max_value if form_field.max_value is not None else 10**6
        return st.integers(low - 2, high + 2).map(str)
    if isinstance(form_field, forms.DateField):
        today = dt.date.today()
        return st.dates(today - dt.timedelta(days=400), today + dt.timedelta(days=4000)).map(
            dt.date.isoformat
        )
    if isinstance(form_field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "0"])
    max_length = getattr(form_field, "max_length", None) or 120
    low = 1 if form_field.required else 0
    text = st.text(PRINTABLE, min_size=low, max_size=max_length) | st.text(
        ANY_CHAR, max_size=max_length + 3
    )
    if isinstance(form_field.widget, forms.Textarea):
        return text | st.lists(st.text(ANY_CHAR, max_size=60), max_size=14).map("\n".join)
    return text


def field_values(
    form_field: forms.Field, wrong_ids: list, samples: list | None = None
) -> st.SearchStrategy:
    valid = valid_values(form_field, samples)
    one = st.one_of(valid, valid, NASTY_TEXT, HUGE_TEXT, NUMBERS, DATES, st.sampled_from(wrong_ids))
    return one | st.lists(one, min_size=2, max_size=3)  # a field sent twice or more


EXTRA_KEYS = st.sampled_from(
    ["word3", "word9", "place6", "rank", "participant", "activity", "id", "pk", "rencontre"]
) | st.text(ANY_CHAR, min_size=1, max_size=12)


def form_data(
    fields: dict[str, forms.Field], wrong_ids: list, samples: dict[str, list]
) -> st.SearchStrategy:
    """A third valid forms, a third valid forms with one or two fields spoiled or missing,
    a third wild (each field missing, valid or not); sometimes with extra fields."""
    valid = st.fixed_dictionaries(
        {name: valid_values(f, samples.get(name)) for name, f in fields.items()}
    )
    names = sorted(fields)

    def spoiler(keys: list[str]) -> st.SearchStrategy:
        return st.fixed_dictionaries(
            {
                key: st.none() | field_values(fields[key], wrong_ids, samples.get(key))
                for key in keys
            }
        )

    def spoil(pair: tuple[dict, dict]) -> dict:
        data, changes = dict(pair[0]), pair[1]
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)  # a missing field
            else:
                data[key] = value
        return data

    changes = (
        st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True).flatmap(spoiler)
        if names
        else st.just({})
    )
    wild = st.fixed_dictionaries(
        {},
        optional={
            name: field_values(f, wrong_ids, samples.get(name)) for name, f in fields.items()
        },
    )
    known = valid | st.tuples(valid, changes).map(spoil) | wild
    extra = st.dictionaries(EXTRA_KEYS, NASTY_TEXT | NUMBERS, max_size=2)
    return st.tuples(extra, known).map(lambda pair: {**pair[0], **pair[1]})


def wrong_ids(world: World) -> list:
    """Ids of rencontre B's objects of every kind, and ids that exist nowhere."""
    ids: list = [0, -1, 999_999_999, 2**63, "1 OR 1=1"]
    for label in ("workshops", "plenary", "priorities", "territories"):
        for model in apps.get_app_config(label).get_models():
            obj = object_of(model, world.b)
            if obj is not None:
                ids.append(obj.pk)
    return ids


# ---------------------------------------------------------------- endpoints


@dataclass
class Endpoint:
    key: str  # the URL's key in the authorisation table
    name: str  # what the test reports
    role: str
    url: Callable[[World], str]
    fields: Callable[[World], dict[str, forms.Field]]
    method: str = "POST"
    setup: Callable[[World], None] | None = None
    # Known good values of some fields (a kind's examples, a valid event...).
    samples: Callable[[World], dict[str, list]] = lambda world: {}


def engine(
    key: str,
    form: type[forms.Form] | None = None,
    *,
    role: str = "facilitator_a",
    url: Callable[[World], str] | None = None,
    method: str = "POST",
) -> Endpoint:
    """An engine endpoint of rencontre A, with the fields of its form (bound to A)."""

    def fields(world: World) -> dict[str, forms.Field]:
        if form is None:
            return {}
        rencontre_forms = (
            ActivityChoiceForm,
            StepChoiceForm,
            ParticipantChoiceForm,
            DebriefSettingsForm,
            LogoChoiceForm,
        )
        if issubclass(form, rencontre_forms):
            return form(rencontre=world.a).fields
        return form().fields

    return Endpoint(
        key, key, role, url or (lambda world: reverse(key, args=[world.a.code])), fields, method
    )


ENGINE_ENDPOINTS = [
    engine("workshops:join", JoinForm, role="anonymous"),
    engine(
        "workshops:join_code",
        CodeForm,
        role="anonymous",
        method="GET",
        url=lambda world: reverse("workshops:join_code"),
    ),
    Endpoint(
        "workshops:rencontre_new",
        "workshops:rencontre_new",
        "facilitator_a",
        lambda world: reverse("workshops:rencontre_new"),
        # The starting points are the facilitator's: shipped and own templates, own rencontres.
        lambda world: NewRencontreForm(user=world.users["facilitator_a"]).fields,
    ),
    Endpoint(
        "workshops:agenda_template_create",
        "workshops:agenda_template_create",
        "facilitator_a",
        lambda world: reverse("workshops:agenda_template_create", args=[world.a.code]),
        lambda world: AgendaTemplateForm().fields,
        setup=lambda world: complete_territory_activities(world),
    ),
    engine("workshops:activity_next", ExpectedForm),
    engine("workshops:activity_previous", ExpectedForm),
    engine("workshops:activity_goto", ActivityChoiceForm),
    engine("workshops:answers_open"),
    engine("workshops:answers_close"),
    engine("workshops:qr_show"),
    engine("workshops:qr_hide"),
    engine("workshops:results_show"),
    engine("workshops:results_hide"),
    engine("workshops:split_on"),
    engine("workshops:split_off"),
    engine("workshops:timer_start", TimerStartForm),
    engine("workshops:timer_pause"),
    engine("workshops:timer_extend", TimerExtendForm),
    engine("workshops:timer_reset"),
    engine("workshops:step_create", StepForm),
    engine("workshops:step_update", StepEditForm),
    engine("workshops:step_up", StepChoiceForm),
    engine("workshops:step_down", StepChoiceForm),
    engine("workshops:step_delete", StepChoiceForm),
    engine("workshops:activity_create", NewActivityInStepForm),
    engine("workshops:activity_up", ActivityChoiceForm),
    engine("workshops:activity_down", ActivityChoiceForm),
    engine("workshops:activity_delete", ActivityChoiceForm),
    engine("workshops:participant_absent", ParticipantChoiceForm),
    engine("workshops:participant_present", ParticipantChoiceForm),
    engine("workshops:participant_remove", ParticipantChoiceForm),
    engine("workshops:screen_blank"),
    engine("workshops:screen_unblank"),
    engine("workshops:screen_link_create"),
    engine("workshops:screen_link_revoke"),
    engine("workshops:restitution_settings", DebriefSettingsForm),
    engine("workshops:restitution_logo_remove", LogoChoiceForm),
    Endpoint(
        "workshops:export_prepare",
        "workshops:export_prepare",
        "facilitator_a",
        lambda world: reverse("workshops:export_prepare", args=[world.a.code]),
        lambda world: ExportChoiceForm().fields,
        samples=lambda world: {"quoi": ["json", "participants", "reponses", "actions"]},
    ),
    Endpoint(
        "workshops:personal_contact",
        "workshops:personal_contact",
        "anonymous",  # the token in the URL is the credential
        lambda world: reverse(
            "workshops:personal_contact", args=[world.participants["participant_a"].token]
        ),
        lambda world: ContactForm().fields,
        samples=lambda world: {
            "email": ["lea@example.org"],
            "email_consent": ["on"],
            "contact": ["06 12 34 56 78", "lea@example.org"],
            "contact_consent": ["on"],
        },
    ),
    Endpoint(
        "territories:filiere_table",
        "territories:filiere_table",
        "territory_owner",
        lambda world: reverse("territories:filiere_table", args=[world.territory.slug]),
        lambda world: FiliereOverridesForm().fields,
        samples=lambda world: {
            "lines": [f"25.62 = {name}" for name in Filiere.objects.values_list("name", flat=True)]
        },
    ),
    Endpoint(
        "territories:event_form",
        "territories:event_form",
        "territory_owner",
        lambda world: reverse("territories:event_form", args=[world.territory.slug]),
        # The view reads these posted fields itself (the CSV import's rules).
        lambda world: {
            name: forms.CharField(required=False, max_length=200)
            for name in ("type", "date", "entreprise", "siret", "emplois", "source", "note")
        },
        samples=lambda world: {
            "type": ["ouverture", "extension", "réduction", "fermeture", "Fermeture"],
            "date": [dt.date.today().isoformat(), "12/03/2027"],
            "entreprise": ["Atelier Dubois"],
            "siret": ["", "12345678901234"],
            "emplois": ["", "12", "-3"],
        },
    ),
]


def complete_territory_activities(world: World) -> None:
    """The activities that need a territory get A's territory, so that A's agenda passes the
    template checks and a valid post is saved."""
    Activity.objects.filter(step__rencontre=world.a, kind__in=("territory", "filiere_map")).update(
        config={"territory": world.territory.slug, "since": None}
    )


def slide_command(key: str, form: type[forms.Form]) -> Endpoint:
    """A command of rencontre A's talk's slides page, with its form's fields."""

    def url(world: World) -> str:
        return reverse(key, args=[world.a.code, world.activities[("A", "talk")].pk])

    def fields(world: World) -> dict[str, forms.Field]:
        return form(activity=world.activities[("A", "talk")]).fields

    return Endpoint(key, key, "facilitator_a", url, fields)


SLIDE_ENDPOINTS = [
    slide_command("plenary:slide_up", SlideChoiceForm),
    slide_command("plenary:slide_down", SlideChoiceForm),
    slide_command("plenary:slide_remove", SlideChoiceForm),
    slide_command("plenary:slide_notes", SlideNotesForm),
]
ENGINE_ENDPOINTS += SLIDE_ENDPOINTS


def activity_edit(kind) -> Endpoint:
    def url(world: World) -> str:
        activity = world.activities[("A", kind.key)]
        return reverse("workshops:activity_edit", args=[world.a.code, activity.pk])

    def fields(world: World) -> dict[str, forms.Field]:
        config = kind.config_form
        activity = world.activities[("A", kind.key)]
        return {**ActivityForm().fields, **(config(activity=activity).fields if config else {})}

    def samples(world: World) -> dict[str, list]:
        activity = world.activities[("A", kind.key)]
        current = {"title": activity.title, "planned_minutes": activity.planned_minutes}
        if kind.config_form:
            current |= kind.config_form.initial_from(activity.config)
        return {name: [str(value)] for name, value in current.items() if value is not None}

    return Endpoint(
        "workshops:activity_edit",
        f"activity_edit[{kind.key}]",
        "facilitator_a",
        url,
        fields,
        samples=samples,
    )


def kind_endpoint(key: str, kind, command) -> Endpoint:
    role = KIND_URLS[key]

    def url(world: World) -> str:
        activity = world.activities[("A", kind.key)]
        if role == "personal":
            token = world.participants["participant_a"].token
            return reverse(key, args=[token, kind.key, command.name])
        return reverse(key, args=[world.a.code, activity.pk, command.name])

    def fields(world: World) -> dict[str, forms.Field]:
        activity = world.activities[("A", kind.key)]
        participant = world.participants["participant_a"]
        return command.form(activity=activity, participant=participant).fields

    def current(world: World) -> None:  # phones answer the current, open activity only
        Rencontre.objects.filter(pk=world.a.pk).update(
            current_activity=world.activities[("A", kind.key)]
        )

    def samples(world: World) -> dict[str, list]:
        activity = world.activities[("A", kind.key)]
        found: dict[str, list] = {}
        for example in kind.examples(activity):
            if example.role == role and example.command == command.name:
                for name, value in example.data.items():
                    found.setdefault(name, []).append(str(value))
        return found

    who = {"control": "facilitator_a", "phone": "participant_a", "personal": "anonymous"}[role]
    return Endpoint(
        key,
        f"{role}:{kind.key}:{command.name}",
        who,
        url,
        fields,
        setup=current if role == "phone" else None,
        samples=samples,
    )


# Filling a territory from the API Recherche d'entreprises: fuzzed with network access allowed
# and the recorded answers replayed (tests/territories/recherche_replay.py), never the network.
API_ENDPOINT = Endpoint(
    "territories:import_api",
    "territories:import_api",
    "territory_owner",
    lambda world: reverse("territories:import_api"),
    lambda world: {f"api-{name}": f for name, f in ApiImportForm().fields.items()},
    samples=lambda world: {
        "api-territory": [world.territory.slug, "74081"],
        "api-sections": ["C", "c, d"],
    },
)

KIND_ENDPOINTS = [
    kind_endpoint(key, kind, command)
    for key, role in sorted(KIND_URLS.items())
    for kind in kinds.registered()
    for command in getattr(kind, f"{role}_commands")
]
EDIT_ENDPOINTS = [activity_edit(kind) for kind in kinds.registered()]
ENDPOINTS = ENGINE_ENDPOINTS + EDIT_ENDPOINTS + KIND_ENDPOINTS


# ---------------------------------------------------------------- checking rows


MODELS = {
    model._meta.db_table: model
    for label in ("workshops", "plenary", "priorities", "territories")
    for model in apps.get_app_config(label).get_models(include_auto_created=True)
}


def rows_by_table() -> dict[str, dict[Any, tuple]]:
    with connection.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            result[table] = {row[0]: row for row in cursor.fetchall()}
    return result


# Fields left empty on purpose although the model has no blank=True: an action outlives the
# activity it was written in (on_delete=SET_NULL when a step or activity is deleted).
EMPTY_ALLOWED = {"priorities.Action": ("activity",)}


def broken_rows(before: dict, after: dict) -> tuple[int, list[str]]:
    """How many rows were written since `before`, and those their model's rules refuse."""
    problems = []
    written = 0
    for table, rows in after.items():
        touched = [pk for pk, row in rows.items() if before[table].get(pk) != row]
        written += len(touched)
        if not touched:
            continue
        model = MODELS[table]
        allowed = EMPTY_ALLOWED.get(model._meta.label, ())
        for obj in model.objects.filter(pk__in=touched):
            try:
                obj.full_clean(exclude=[f for f in allowed if getattr(obj, f"{f}_id") is None])
            except ValidationError as error:
                problems.append(f"{model._meta.label} {obj.pk}: {error.message_dict}")
            # PostgreSQL refuses NUL characters in text and jsonb: a server error there.
            nul = [
                f.name
                for f in model._meta.concrete_fields
                if "\\u0000" in json.dumps(getattr(obj, f.attname), default=str)
            ]
            if nul:
                problems.append(f"{model._meta.label} {obj.pk}: NUL character in {nul}")
    return written, problems


# ---------------------------------------------------------------- the fuzz


def fuzz(world: World, endpoint: Endpoint) -> int:
    """Fuzz one endpoint; returns how many of its examples wrote rows."""
    url = endpoint.url(world)
    fields = endpoint.fields(world)
    ids = wrong_ids(world)
    writes = []

    @FUZZ
    @given(data=form_data(fields, ids, endpoint.samples(world)))
    def run(data: dict) -> None:
        note(f"{endpoint.name}: {endpoint.method} {url} as {endpoint.role}")
        for cache in settings.CACHES:
            caches[cache].clear()
        with transaction.atomic():
            if endpoint.setup is not None:
                endpoint.setup(world)
            before = rows_by_table()
            client = client_for(world, endpoint.role)
            response = client.get(url, data) if endpoint.method == "GET" else client.post(url, data)
            assert response.status_code < 500, (endpoint.name, response.status_code)
            written, broken = broken_rows(before, rows_by_table())
            assert not broken, (endpoint.name, broken)
            writes.append(written > 0)
            transaction.set_rollback(True)

    run()
    return sum(writes)


# Endpoints whose valid examples write rows: a fuzz that never passed their validation would
# check nothing.
MUST_WRITE = (
    "workshops:join",
    "workshops:rencontre_new",
    "workshops:agenda_template_create",
    "workshops:step_create",
    "workshops:activity_create",
    "workshops:personal_contact",
    "workshops:export_prepare",
    "activity_edit[question]",
    "phone:question:repondre",
    "phone:words:repondre",
    "phone:priority:enregistrer",
    "control:tables:former",
    "plenary:slide_notes",
    "phone:tables:conclure",
    "phone:vote:points",
)


def test_every_post_endpoint_is_fuzzed():
    """Every endpoint whose rightful role may post (from the authorisation table) is fuzzed
    here or listed in NOT_FUZZED with why."""
    accepting = set()
    for (key, _target, method), cells in TABLE.items():
        if method == "POST" and any(cell not in {"405", "login", "admin"} for cell in cells):
            accepting.add(key)
    fuzzed = {endpoint.key for endpoint in [*ENDPOINTS, API_ENDPOINT]}
    assert sorted(accepting - fuzzed - set(NOT_FUZZED)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "group",
    [
        pytest.param(ENGINE_ENDPOINTS, id="engine"),
        pytest.param(EDIT_ENDPOINTS, id="activity_edit"),
        pytest.param(KIND_ENDPOINTS, id="kind_commands"),
    ],
)
def test_fuzz(group):
    world = build_world()
    wrote = {endpoint.name: fuzz(world, endpoint) for endpoint in group}
    # The fuzz also sends valid forms: these endpoints must have written rows (checked above).
    assert [name for name in MUST_WRITE if wrote.get(name) == 0] == []


@pytest.mark.django_db
def test_fuzz_api_import(settings, tmp_path):
    settings.RECHERCHE_ENTREPRISES_NETWORK = True
    settings.RECHERCHE_ENTREPRISES_TRANSPORT = "tests.territories.recherche_replay.replay"
    settings.RECHERCHE_ENTREPRISES_CACHE_DIR = str(tmp_path / "cache")
    settings.RECHERCHE_ENTREPRISES_PER_SECOND = 1000
    assert fuzz(build_world(), API_ENDPOINT) > 0  # valid forms queue (and run) an import


@pytest.mark.django_db
def test_a_word_that_grows_when_normalised_is_stored_with_a_bounded_key():
    """Found by the fuzz: "ß" normalises to "ss", so a word of 31 "ß" has a 62-character key
    (the column holds 60); the key is bounded (its start and a hash) and the word stored."""
    world = build_world()
    activity = world.activities[("A", "words")]
    participant = world.participants["participant_a"]
    Rencontre.objects.filter(pk=world.a.pk).update(current_activity=activity)
    activity.config["max_length"] = 60
    activity.save()
    cmd = kinds.get("words").command("phone", "repondre")
    form = cmd.form({"word0": "ß" * 31}, activity=activity, participant=participant)
    assert form.is_valid(), form.errors
    cmd.run(activity=activity, participant=participant, **form.cleaned_data)
    word = Word.objects.get(activity=activity, answer__participant=participant)
    assert (word.text, len(word.key)) == ("ß" * 31, 60)


@pytest.mark.django_db
@pytest.mark.parametrize("jobs", ["²", "①", "--5", "99999999999999999999"])
def test_an_unreadable_or_absurd_job_count_is_refused_with_a_message(jobs):
    """Found by probing the event form: "²" passed `isdigit()` then broke `int()`, "--5" lost
    both signs, and a count beyond the column's range broke the save; each is now a French
    message on the form."""
    world = build_world()
    client = client_for(world, "territory_owner")
    url = reverse("territories:event_form", args=[world.territory.slug])
    event = {"type": "ouverture", "date": dt.date.today().isoformat(), "entreprise": "Atelier"}
    response = client.post(url, {**event, "emplois": jobs})
    assert response.status_code == 400
    assert "emplois" in response.content.decode()
    assert not world.territory.events.exists()
    assert client.post(url, {**event, "emplois": "12"}).status_code == 302
    assert world.territory.events.get().jobs == 12


@pytest.mark.django_db
def test_nul_characters_never_reach_the_database_from_the_event_form():
    """Found by the fuzz: the event form stored NUL characters, which PostgreSQL refuses
    with a server error; the form now refuses them with a message, and stores nothing."""
    world = build_world()
    client = client_for(world, "territory_owner")
    url = reverse("territories:event_form", args=[world.territory.slug])
    event = {"type": "ouverture", "date": dt.date.today().isoformat()}
    response = client.post(url, {**event, "entreprise": "Atelier\x00", "note": "\x00vu"})
    assert response.status_code == 400
    assert not world.territory.events.exists()
