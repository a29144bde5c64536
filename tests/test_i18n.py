"""The English interface: a complete catalogue, each reader's language on their own page and
socket, pushes rendered once per language present, the wall and the PDF in the rencontre's
language, e-mails and sheets in their owner's."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from rencontres.asgi import application
from tests.factories import UserFactory, make_rencontre
from workshops import live, services, tasks
from workshops.models import Activity, AgendaTemplate, Participant, Rencontre

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What `makemessages` leaves out, as the catalogue's header says.
NOT_SCANNED = (".venv", ".git", "bench", "tests", "docs", "staticfiles", "media", "node_modules")


def _entries(po: str) -> list[dict]:
    """The catalogue's entries: msgctxt, msgid, msgid_plural, msgstr[...] and flags."""
    entries, current, key = [], None, None
    for line in [*po.splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = {"flags": "", "strings": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current["strings"][key] += line[1:-1]
        else:
            key, _space, rest = line.partition(" ")
            current["strings"][key] = rest[1:-1]
    return [e for e in entries if e["strings"].get("msgid")]


def _untranslated(po: str) -> list[str]:
    missing = []
    for entry in _entries(po):
        strings = entry["strings"]
        targets = [v for k, v in strings.items() if k.startswith("msgstr")]
        if "fuzzy" in entry["flags"] or not targets or not all(targets):
            missing.append(strings["msgid"])
    return missing


def test_makemessages_finds_no_string_without_its_english(tmp_path):
    """Every string of the interface, the kinds and the PDF has its English, as `makemessages`
    would find them today (run on a copy of the source: the tree is left as it is)."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(*NOT_SCANNED, "*.sqlite3", "__pycache__", "*.mo"),
    )
    command = [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"]
    for pattern in NOT_SCANNED:
        command += ["-i", f"{pattern}/*"]
    done = subprocess.run(
        command,
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "used without plural and with plural" not in done.stderr, done.stderr
    found = (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    assert len(_entries(found)) > 1000
    assert _untranslated(found) == []


def test_the_catalogue_keeps_its_placeholders_and_its_compiled_file_is_current(tmp_path):
    compiled = tmp_path / "django.mo"
    done = subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr  # python-format: the same %(name)s on both sides
    assert compiled.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes()


def test_the_parser_sees_an_untranslated_and_a_fuzzy_entry():
    po = (
        'msgid ""\nmsgstr "Language: en\\n"\n\n'
        'msgid "Bonjour"\nmsgstr "Hello"\n\n'
        'msgid "Oui"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Non"\nmsgstr "No"\n\n'
        'msgid "%(n)d mot"\nmsgid_plural "%(n)d mots"\nmsgstr[0] "%(n)d word"\nmsgstr[1] ""\n'
    )
    assert _untranslated(po) == ["Oui", "Non", "%(n)d mot"]


# ---------------------------------------------------------------- pages


@pytest.fixture
def room(db):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user, title="Rencontres de la Vallée")
    return rencontre, user


def _join(rencontre, accept_language: str) -> Client:
    phone = Client(HTTP_ACCEPT_LANGUAGE=accept_language)
    response = phone.post(
        f"/j/{rencontre.code}",
        {"name": "Léa", "organisation": "Région", "actor_type": "collectivite"},
    )
    assert response.status_code == 303
    return phone


def test_a_phone_speaks_its_browser_language_and_switches_on_the_page(room):
    rencontre, _user = room
    phone = _join(rencontre, "en-GB,en;q=0.9")
    participant = Participant.objects.get(rencontre=rencontre)
    assert participant.language == "en"
    page = phone.get(f"/j/{rencontre.code}").content.decode()
    assert '<html lang="en">' in page
    assert 'value="fr" lang="fr">Français</button>' in page  # the switch offers the other one
    # The switch: a cookie, then back to the page, now in French.
    response = phone.post(
        reverse("set_language"), {"language": "fr", "next": f"/j/{rencontre.code}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/j/{rencontre.code}"
    page = phone.get(f"/j/{rencontre.code}").content.decode()
    assert '<html lang="fr">' in page
    assert 'value="en" lang="en">English</button>' in page


def test_a_french_browser_and_an_unknown_language_get_french(room):
    rencontre, _user = room
    for accept in ("fr-FR,fr;q=0.9", "de-DE", ""):
        page = Client(HTTP_ACCEPT_LANGUAGE=accept).get(f"/j/{rencontre.code}").content.decode()
        assert '<html lang="fr">' in page, accept
        assert "Rejoindre" in page


def test_the_switch_ignores_a_language_not_offered_and_a_foreign_next(room):
    rencontre, _user = room
    phone = Client()
    response = phone.post(reverse("set_language"), {"language": "de", "next": "/j/"})
    assert response.status_code == 302
    page = phone.get(f"/j/{rencontre.code}").content.decode()
    assert '<html lang="fr">' in page  # German is not offered: French, the default
    response = phone.post(
        reverse("set_language"), {"language": "en", "next": "https://ailleurs.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert '<html lang="en">' in phone.get(f"/j/{rencontre.code}").content.decode()


def test_the_wall_speaks_the_rencontre_language_whoever_opens_it(room):
    rencontre, user = room
    facilitator = Client(HTTP_ACCEPT_LANGUAGE="en")
    facilitator.force_login(user)
    panel = facilitator.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    assert '<html lang="en">' in panel  # the panel: its reader's
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert '<html lang="fr">' in wall
    rencontre.language = "en"
    rencontre.save(update_fields=["language"])
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    french.force_login(user)
    wall = french.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert '<html lang="en">' in wall


def test_a_new_rencontre_in_english_gets_the_english_half_day(db):
    user = UserFactory()
    facilitator = Client(HTTP_ACCEPT_LANGUAGE="en")
    facilitator.force_login(user)
    page = facilitator.get(reverse("workshops:rencontre_new")).content.decode()
    assert '<option value="" selected>' in page  # the language of the starting point
    assert '<option value="fr">Français</option>' in page
    response = facilitator.post(
        reverse("workshops:rencontre_new"), {"title": "Valley meeting", "date": "2027-03-12"}
    )
    assert response.status_code == 302
    rencontre = Rencontre.objects.get(title="Valley meeting")
    assert rencontre.language == "en"
    titles = list(rencontre.steps.order_by("position").values_list("title", flat=True))
    english = AgendaTemplate.objects.get(owner=None, slug="reindustrialisation-en")
    assert titles == [step["title"] for step in english.agenda]


def test_a_rencontre_takes_its_template_language_unless_one_is_chosen(db):
    user = UserFactory()
    facilitator = Client()  # a French page
    facilitator.force_login(user)
    english = AgendaTemplate.objects.get(owner=None, slug="centre-de-donnees-en")
    url = reverse("workshops:rencontre_new")
    base = {"date": "2027-03-12", "source": f"modele-{english.pk}"}
    facilitator.post(url, {**base, "title": "Data centre"})
    facilitator.post(url, {**base, "title": "Centre de données", "language": "fr"})
    facilitator.post(url, {**base, "title": "Autre", "language": "de"})  # not offered
    made = dict(Rencontre.objects.values_list("title", "language"))
    assert made == {"Data centre": "en", "Centre de données": "fr"}
    # A copy keeps its source's language.
    source = Rencontre.objects.get(title="Data centre")
    facilitator.post(
        url, {"date": "2027-04-01", "title": "Copy", "source": f"rencontre-{source.code}"}
    )
    assert Rencontre.objects.get(title="Copy").language == "en"


def test_the_pdf_is_in_the_rencontre_language(room):
    rencontre, user = room
    rencontre.language = "en"
    rencontre.save(update_fields=["language"])
    french_reader = Client(HTTP_ACCEPT_LANGUAGE="fr")
    french_reader.force_login(user)
    response = french_reader.get(reverse("workshops:restitution_pdf", args=[rencontre.code]))
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    with translation.override("en"):
        kicker = translation.gettext("Restitution de la rencontre économique")
    assert kicker != "Restitution de la rencontre économique"
    assert kicker.split()[0] in text
    assert "Restitution de la rencontre" not in text


# ---------------------------------------------------------------- sockets

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


def _cookie(client: Client) -> tuple[bytes, bytes]:
    return (b"cookie", "; ".join(f"{k}={v.value}" for k, v in client.cookies.items()).encode())


async def _connect(path: str, *headers) -> tuple[WebsocketCommunicator, str]:
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, *headers])
    connected, _ = await communicator.connect()
    assert connected
    return communicator, await communicator.receive_from(timeout=3)


@pytest.mark.live
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_move_is_rendered_once_per_language_present(monkeypatch):
    """Six phones, three in English and three in French: a move costs two renders of the
    phones' state, and each phone gets its own language."""
    rendered: list[tuple[str, str | None]] = []
    render = live.render_state_for_role

    def counting(*, rencontre_id: int, role: str, language: str | None = None) -> str:
        rendered.append((role, language))
        return render(rencontre_id=rencontre_id, role=role, language=language)

    monkeypatch.setattr(live, "render_state_for_role", counting)

    @database_sync_to_async
    def setup():
        user = UserFactory()
        rencontre = make_rencontre(facilitator=user)
        phones = [_join(rencontre, "en") for _ in range(3)] + [
            _join(rencontre, "fr-FR") for _ in range(3)
        ]
        return rencontre, phones

    rencontre, phones = await setup()
    sockets = []
    for phone in phones:
        ws, _first = await _connect(
            f"/ws/p/{rencontre.code}/",
            _cookie(phone),
            (b"accept-language", phone.defaults["HTTP_ACCEPT_LANGUAGE"].encode()),
        )
        sockets.append(ws)
    second = await database_sync_to_async(
        lambda: Activity.objects.filter(step__rencontre=rencontre)[1]
    )()
    moved = await database_sync_to_async(services.activity_step)(
        rencontre=rencontre, expected_id=rencontre.current_activity_id, offset=1
    )
    assert moved
    received = [await ws.receive_from(timeout=3) for ws in sockets]
    assert sorted(r for r in rendered if r[0] == "phone") == [("phone", "en"), ("phone", "fr")]
    for html in received:
        assert f'data-activity="{second.pk}"' in html
    with translation.override("en"):
        english_words = translation.gettext("Connexion perdue — reconnexion en cours…")
    english, french = received[:3], received[3:]
    assert len(set(english)) == 1  # one render per language, sent as it is
    assert len(set(french)) == 1
    assert english[0] != french[0]
    assert english_words  # the catalogue is loaded
    languages = await database_sync_to_async(
        lambda: sorted(
            Participant.objects.filter(rencontre=rencontre).values_list("language", flat=True)
        )
    )()
    assert languages == ["en", "en", "en", "fr", "fr", "fr"]
    for ws in sockets:
        await ws.disconnect()


def test_with_a_shared_layer_the_languages_marked_present_are_rendered(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"]},
        }
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "i18n"}
    }
    from django.core.cache import cache

    cache.clear()
    assert live.listening_groups(41, "phone") == []
    live.mark_language(41, "phone", "en")
    assert live.listening_groups(41, "phone") == [("en", "rencontre.41.phone.en")]
    live.mark_language(41, "phone", "xx")  # unknown: the default language
    assert [code for code, _group in live.listening_groups(41, "phone")] == ["fr", "en"]
    assert live.listening_groups(41, "screen") == [(None, "rencontre.41.screen")]
    assert live.listening_groups(42, "control") == []


def test_a_sheet_speaks_its_owner_language_not_the_rencontre(room):
    rencontre, _user = room
    _join(rencontre, "en")
    _join(rencontre, "fr")
    english, french = Participant.objects.filter(rencontre=rencontre).order_by("pk")
    with translation.override("en"):
        title = translation.gettext("Ma fiche de la rencontre économique")
    assert title != "Ma fiche de la rencontre économique"
    for participant, expected in ((english, title), (french, "Ma fiche de la")):
        path = tasks.sheet_file_task.call(participant.pk, "http://testserver")
        text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
        words = " ".join(text.split()).casefold()  # the title is set in capitals
        assert " ".join(expected.split()[:3]).casefold() in words, participant.language
