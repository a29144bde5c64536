"""The API Recherche d'entreprises path, on recorded answers only (never the network)."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from territories.models import Establishment, ImportJob, Territory
from territories.recherche import (
    Answer,
    ApiUnavailable,
    Client,
    api_import,
    query_communes,
    retry_after,
)
from tests.factories import UserFactory
from tests.territories import recherche_replay
from tests.territories.recherche_replay import empty_page, recorded, replay

pytestmark = pytest.mark.django_db

REPLAY = "tests.territories.recherche_replay.replay"


class FakeClock:
    """A clock that only moves when somebody sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class Scripted:
    """Answers in the given order (then the recorded pages), noting when each was asked."""

    def __init__(self, clock: FakeClock, answers: list[Answer]) -> None:
        self.clock, self.answers = clock, list(answers)
        self.times: list[float] = []
        self.urls: list[str] = []

    def __call__(self, url: str) -> Answer:
        self.times.append(round(self.clock(), 6))
        self.urls.append(url)
        return self.answers.pop(0) if self.answers else replay(url)


def ok(body: dict) -> Answer:
    return Answer(200, {}, json.dumps(body).encode())


def client_with(tmp_path, clock: FakeClock, transport, **kwargs) -> Client:
    return Client(
        transport=transport,
        base_url="https://recherche-entreprises.api.gouv.fr/search",
        cache_dir=tmp_path / "cache",
        cache_days=7,
        rate=7,
        clock=clock,
        sleep=clock.sleep,
        **kwargs,
    )


def test_pages_follow_one_another_within_the_published_rate(tmp_path):
    clock = FakeClock()
    transport = Scripted(clock, [])
    client = client_with(tmp_path, clock, transport)
    pages = [
        p["page"] for p in client.search(code_commune="74081", section_activite_principale="C")
    ]
    pages += [
        p["page"] for p in client.search(code_commune="74011", section_activite_principale="C")
    ]
    assert pages == [1, 2, 1]  # total_pages 2, then an empty search stops at its first page
    # 7 requests per second at most: never two closer than 1/7 s.
    assert transport.times == pytest.approx([0.0, 1 / 7, 2 / 7])
    assert "per_page=25" in transport.urls[0]
    assert "page=2" in transport.urls[1]
    assert (client.requests, client.cached) == (3, 0)
    # Asked again: every page comes from the disk cache, nothing is sent.
    again = client_with(tmp_path, clock, transport)
    assert [
        p["page"] for p in again.search(code_commune="74081", section_activite_principale="C")
    ] == [1, 2]
    assert (again.requests, again.cached, len(transport.times)) == (0, 2, 3)


def test_a_429_waits_for_its_retry_after(tmp_path):
    clock = FakeClock()
    transport = Scripted(clock, [Answer(429, {"Retry-After": "3"}, b"")])
    client = client_with(tmp_path, clock, transport)
    assert (
        client.page({"code_commune": "74081", "section_activite_principale": "C", "page": 1})[
            "total_pages"
        ]
        == 2
    )
    assert transport.times == pytest.approx([0.0, 3.0])
    assert retry_after(None) == 1.0
    assert retry_after("Fri, 27 Nov 2026 04:00:05 GMT", now=lambda: 1_795_752_000.0) == 5.0


def test_a_5xx_is_asked_again_with_backoff_then_given_up(tmp_path):
    clock = FakeClock()
    transport = Scripted(clock, [Answer(502, {}, b"Bad Gateway")])
    client = client_with(tmp_path, clock, transport)
    assert (
        client.page({"code_commune": "74081", "section_activite_principale": "C", "page": 1})[
            "page"
        ]
        == 1
    )
    assert clock.sleeps == [1.0]  # one retry after a second
    clock = FakeClock()
    down = Scripted(clock, [Answer(503, {}, b"")] * 5 + [ok(empty_page(1))])
    client = client_with(tmp_path / "other", clock, down)
    with pytest.raises(ApiUnavailable, match="après 5 essais"):
        client.page({"code_commune": "74011", "section_activite_principale": "C", "page": 1})
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 2.0, 4.0, 8.0]
    assert not list((tmp_path / "other" / "cache").glob("*.json"))  # failures are not cached


def test_an_answer_that_is_not_the_expected_json_is_retried(tmp_path):
    clock = FakeClock()
    transport = Scripted(clock, [Answer(200, {}, b"<html>maintenance</html>")])
    client = client_with(tmp_path, clock, transport)
    data = client.page({"code_commune": "74081", "section_activite_principale": "C", "page": 2})
    assert data == recorded("74081", "C", 2)
    assert len(transport.times) == 2


def test_the_import_keeps_the_territory_s_industry_and_reports_malformed_records(tmp_path):
    territory = Territory.objects.create(
        name="Cluses", slug="cluses", kind="custom", communes=["74081", "74011"]
    )
    clock = FakeClock()
    client = client_with(tmp_path, clock, Scripted(clock, []))
    report = api_import(territory=territory, sections={"C"}, client=client).as_dict()
    assert {k: report[k] for k in ("format", "read", "kept", "created", "malformed")} == {
        "format": "api",
        "read": 6,
        "kept": 4,
        "created": 4,
        "malformed": 1,
    }
    assert report["malformed_lines"] == [{"line": 4, "reason": "SIRET invalide « 3234567890 »"}]
    assert report["skipped"] == {"autre secteur": 1}
    sites = {
        e.siret: (e.name, e.naf, e.active, e.closed_on and str(e.closed_on), e.longitude)
        for e in Establishment.objects.filter(territory=territory)
    }
    assert sites == {
        "12345678900011": ("DECOLLETAGE ALPIN", "25.62B", True, None, 6.580451),
        "12345678900029": ("DECOLLETAGE ALPIN", "25.62B", False, "2024-06-30", None),
        # An individual entrepreneur's name is a person's: not kept.
        "22345678900017": ("", "25.62A", True, None, 6.580451),
        "42345678900015": ("SAVOIE EMBALLAGES CLUSES", "22.22Z", True, None, 6.580451),
    }


def test_paris_is_asked_by_arrondissement():
    assert query_communes(["74081", "75056"]) == ["74081"] + [f"751{n:02d}" for n in range(1, 21)]


# ---------------------------------------------------------------- through the page and the worker


@pytest.fixture
def organiser():
    client = HttpClient()
    user = UserFactory()
    client.force_login(user)
    return client, user


def test_the_api_import_runs_in_the_worker_from_the_page(organiser, tmp_path, settings):
    settings.RECHERCHE_ENTREPRISES_NETWORK = True
    settings.RECHERCHE_ENTREPRISES_TRANSPORT = REPLAY
    settings.RECHERCHE_ENTREPRISES_CACHE_DIR = str(tmp_path / "cache")
    settings.RECHERCHE_ENTREPRISES_PER_SECOND = 50
    recherche_replay.sent.clear()
    client, user = organiser
    page = client.get(reverse("territories:import")).content.decode()
    assert "Interroger l&#x27;API" in page or "Interroger l'API" in page
    response = client.post(
        reverse("territories:import_api"), {"api-territory": "74081", "api-sections": "c"}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("territories:import_job", args=[job.pk])
    assert (job.kind, job.status, job.path) == ("api", "done", "")
    assert (job.report["kept"], job.report["malformed"], job.report["requests"]) == (4, 1, 2)
    assert len(recherche_replay.sent) == 2
    assert list(Territory.objects.get().owners.all()) == [user]
    html = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert "1 enregistrement refusé" in html
    assert "SIRET invalide « 3234567890 »" in html
    assert 'id="preview"' in html
    assert "<td>Mines et métallurgie</td><td>2</td>" in html  # one of its 3 sites is closed
    assert "<td>Chimie et matériaux</td><td>1</td>" in html


def test_without_network_access_the_api_form_is_absent_and_its_url_unknown(organiser, settings):
    settings.RECHERCHE_ENTREPRISES_NETWORK = False
    client, _user = organiser
    page = client.get(reverse("territories:import")).content.decode()
    assert reverse("territories:import_api") not in page
    response = client.post(
        reverse("territories:import_api"), {"api-territory": "74081", "api-sections": "C"}
    )
    assert response.status_code == 404
    assert ImportJob.objects.count() == 0


def test_api_form_refuses_bad_sections(organiser, settings):
    settings.RECHERCHE_ENTREPRISES_NETWORK = True
    settings.RECHERCHE_ENTREPRISES_TRANSPORT = REPLAY
    client, _user = organiser
    response = client.post(
        reverse("territories:import_api"), {"api-territory": "74081", "api-sections": "C,Z9"}
    )
    assert response.status_code == 400
    assert "des lettres de A à U" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_heartbeat_beats_before_every_request_retries_included(tmp_path):
    clock = FakeClock()
    client = client_with(tmp_path, clock, Scripted(clock, [Answer(500, {}, b"")]))
    beats = []
    client.heartbeat = lambda: beats.append(clock())
    client.page({"code_commune": "74081", "section_activite_principale": "C", "page": 1})
    assert beats == [0.0, 1.0]  # the first request, then its retry after a second


def test_a_refused_api_import_fails_cleanly_and_can_be_started_again(organiser, tmp_path, settings):
    settings.RECHERCHE_ENTREPRISES_NETWORK = True
    settings.RECHERCHE_ENTREPRISES_TRANSPORT = "tests.territories.recherche_replay.refused"
    settings.RECHERCHE_ENTREPRISES_CACHE_DIR = str(tmp_path / "cache")
    settings.RECHERCHE_ENTREPRISES_PER_SECOND = 50
    client, _user = organiser
    client.post(reverse("territories:import_api"), {"api-territory": "74081", "api-sections": "C"})
    job = ImportJob.objects.get()
    assert (job.status, job.error) == (
        "failed",
        "L'API Recherche d'entreprises a refusé la requête (code 400).",
    )
    assert Establishment.objects.count() == 0
    page = client.get(reverse("territories:import_job", args=[job.pk])).content.decode()
    assert "Relancer l&#x27;import" in page or "Relancer l'import" in page
    settings.RECHERCHE_ENTREPRISES_TRANSPORT = REPLAY
    client.post(reverse("territories:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.report["kept"]) == ("done", 4)
    assert Establishment.objects.count() == 4
