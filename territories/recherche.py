"""Establishments from the public API Recherche d'entreprises (DINUM,
https://recherche-entreprises.api.gouv.fr), commune by commune and NAF section by section.

No key is needed; the API's documentation states that it accepts at most 7 requests per second
and answers 429 beyond. Requests therefore go through a token bucket refilled at
`RECHERCHE_ENTREPRISES_PER_SECOND` (7 by default, bucket of one: never two requests closer
than 1/7 s), a 429 waits for its `Retry-After`, a 5xx or a network failure is asked again
after 1, 2, 4 and 8 seconds. Each page answered is cached on disk (`RECHERCHE_ENTREPRISES_CACHE_DIR`,
`RECHERCHE_ENTREPRISES_CACHE_DAYS`), so an import run again costs no request.

Nothing reaches the network unless `RECHERCHE_ENTREPRISES_NETWORK` is true (off by default;
the tests replay recorded answers through `RECHERCHE_ENTREPRISES_TRANSPORT`). The records are
staged and applied exactly as the file imports' (`sirene.stage_batch`, `sirene.sirene_apply`):
all or nothing, in short transactions. A record that does not read as an establishment is
counted and reported (the first ones with why), never fatal.

The API serves only diffusible establishments; a search by commune returns legal units with,
in `matching_etablissements`, their establishments in that commune (at most
`limite_matching_etablissements`, 100); the API stops at 10,000 results per search.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from territories import cog
from territories.models import StagedEstablishment, Territory
from territories.sirene import (
    BATCH,
    HEADCOUNT_BANDS,
    ImportReport,
    Progress,
    Skip,
    coordinates,
    section_of,
    sirene_apply,
    stage_batch,
)

PER_PAGE = 25  # the API's maximum
MATCHING_LIMIT = 100  # establishments of one legal unit per answer (the API's maximum)
MAX_PAGES = 400  # 10,000 results: the API answers no further
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)  # after a 5xx or a network failure
MAX_RATE_LIMITED = 5  # 429s in a row on one page before giving up
USER_AGENT = "Rencontres (import des établissements d'un territoire)"
# Paris, Lyon and Marseille: establishments are filed under their arrondissement.
PLM = {"75056", "69123", "13055"}


class ApiUnavailable(RuntimeError):
    """The API could not be read (network off, refused, down); the message is French."""


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when the network failed
    headers: dict[str, str]
    body: bytes


Transport = Callable[[str], Answer]


def urllib_transport(url: str) -> Answer:
    """One GET through the standard library (no dependency), 30 s at most."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read() or b"")
    except (urllib.error.URLError, TimeoutError, OSError):
        return Answer(0, {}, b"")


def network_allowed() -> bool:
    return bool(getattr(settings, "RECHERCHE_ENTREPRISES_NETWORK", False))


def configured_transport() -> Transport:
    """The transport named by RECHERCHE_ENTREPRISES_TRANSPORT (a dotted path; the tests name
    a replay of recorded answers), else urllib. Raises ApiUnavailable when network access is
    not allowed by the settings."""
    if not network_allowed():
        raise ApiUnavailable(
            _(
                "L'accès à l'API Recherche d'entreprises n'est pas activé sur ce serveur "
                "(réglage RECHERCHE_ENTREPRISES_NETWORK)."
            )
        )
    path = getattr(settings, "RECHERCHE_ENTREPRISES_TRANSPORT", "")
    return import_string(path) if path else urllib_transport


class TokenBucket:
    """At most `rate` takes per second, `capacity` at once; `clock` and `sleep` are
    injectable (the tests use a fake clock)."""

    def __init__(
        self,
        *,
        rate: float,
        capacity: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate, self.capacity = rate, capacity
        self.clock, self.sleep = clock, sleep
        self.tokens = capacity
        self.last = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def take(self) -> None:
        self._refill()
        if self.tokens < 1.0:
            self.sleep((1.0 - self.tokens) / self.rate)
            self._refill()
        self.tokens -= 1.0

    def hold(self, seconds: float) -> None:
        """Wait `seconds` (a 429's Retry-After); then one request may go, and the next ones at
        the bucket's rate (what accumulated before the refusal is dropped)."""
        self.sleep(seconds)
        self.last = self.clock()
        self.tokens = min(self.capacity, 1.0)


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); 1 s when absent
    or unreadable, 60 s at most."""
    if not value:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return min(60.0, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return min(60.0, max(0.0, when.timestamp() - now()))


class Client:
    """Pages of /search, from the disk cache or the API, within the published rate."""

    def __init__(
        self,
        *,
        transport: Transport,
        base_url: str | None = None,
        cache_dir: Path | None = None,
        cache_days: int | None = None,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = transport
        self.base_url = base_url or settings.RECHERCHE_ENTREPRISES_URL
        self.cache_dir = Path(cache_dir or settings.RECHERCHE_ENTREPRISES_CACHE_DIR)
        days = settings.RECHERCHE_ENTREPRISES_CACHE_DAYS if cache_days is None else cache_days
        self.cache_age = dt.timedelta(days=days).total_seconds()
        self.bucket = TokenBucket(
            rate=rate or settings.RECHERCHE_ENTREPRISES_PER_SECOND, clock=clock, sleep=sleep
        )
        self.sleep = sleep
        # Called before every request (retries included): the import job's heartbeat, so a
        # long wait for the API never looks like a stopped worker.
        self.heartbeat: Callable[[], None] | None = None
        self.requests = 0  # sent to the network
        self.cached = 0  # answered from the cache

    def url(self, params: dict[str, Any]) -> str:
        return f"{self.base_url}?{urllib.parse.urlencode(sorted(params.items()))}"

    def _cache_path(self, url: str) -> Path:
        return self.cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"

    def page(self, params: dict[str, Any]) -> dict:
        """One page's JSON. Raises ApiUnavailable when the API keeps failing."""
        url = self.url(params)
        cached = self._cache_path(url)
        if cached.exists() and time.time() - cached.stat().st_mtime < self.cache_age:
            try:
                data = json.loads(cached.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
            if isinstance(data, dict):
                self.cached += 1
                return data
        data = self._fetch(url)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        partial.replace(cached)  # whole or absent, never half written
        return data

    def _fetch(self, url: str) -> dict:
        failures = limited = 0
        while True:
            if self.heartbeat is not None:
                self.heartbeat()
            self.bucket.take()
            answer = self.transport(url)
            self.requests += 1
            if answer.status == 429:
                limited += 1
                if limited > MAX_RATE_LIMITED:
                    raise ApiUnavailable(
                        _("L'API Recherche d'entreprises refuse nos requêtes (trop de requêtes).")
                    )
                self.bucket.hold(retry_after(answer.headers.get("Retry-After")))
                continue
            if answer.status == 200:
                try:
                    data = json.loads(answer.body)
                except ValueError:
                    data = None
                if isinstance(data, dict) and isinstance(data.get("results"), list):
                    return data
            elif 400 <= answer.status < 500:
                raise ApiUnavailable(
                    _("L'API Recherche d'entreprises a refusé la requête (code %(c)d).")
                    % {"c": answer.status}
                )
            # A 5xx, a network failure, or a 200 that is not the expected JSON.
            if failures >= len(RETRY_DELAYS):
                raise ApiUnavailable(
                    _(
                        "L'API Recherche d'entreprises ne répond pas correctement (code %(c)d) "
                        "après %(n)d essais : rien n'a été importé, relancez plus tard."
                    )
                    % {"c": answer.status, "n": failures + 1}
                )
            self.sleep(RETRY_DELAYS[failures])
            failures += 1

    def search(self, **params: Any) -> Iterator[dict]:
        """Every page of one search, in order (at most MAX_PAGES)."""
        page = 1
        while page <= MAX_PAGES:
            data = self.page(
                {
                    **params,
                    "page": page,
                    "per_page": PER_PAGE,
                    "limite_matching_etablissements": MATCHING_LIMIT,
                }
            )
            yield data
            total = data.get("total_pages")
            if not data["results"] or not isinstance(total, int) or page >= total:
                return
            page += 1


def query_communes(communes: list[str]) -> list[str]:
    """The codes to ask the API for: the territory's communes, Paris, Lyon and Marseille by
    arrondissement (their establishments are filed under it)."""
    data = cog.load()
    codes = []
    for commune in communes:
        if commune in PLM:
            codes.extend(sorted(c for c, parent in data.parent.items() if parent == commune))
        else:
            codes.append(commune)
    return codes


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def record_values(
    unit: dict, establishment: Any, resolve: Callable[[str], str | None]
) -> tuple[str, dict] | str:
    """(SIRET, the staged values) of one establishment of the answer, or why it is malformed
    (French). The name is the establishment's sign or trade name, else the legal unit's
    name unless it is an individual entrepreneur (a person's name)."""
    if not isinstance(establishment, dict):
        return _("enregistrement illisible")
    siret = establishment.get("siret")
    if not isinstance(siret, str) or len(siret) != 14 or not siret.isdigit():
        return _("SIRET invalide « %(s)s »") % {"s": str(siret)[:20]}
    commune_code = establishment.get("commune")
    if not isinstance(commune_code, str) or resolve(commune_code) is None:
        return _("%(siret)s : commune inconnue « %(c)s »") % {
            "siret": siret,
            "c": str(commune_code)[:10],
        }
    naf = establishment.get("activite_principale")
    if not isinstance(naf, str) or not naf:
        return _("%(siret)s : activité principale absente") % {"siret": siret}
    state = establishment.get("etat_administratif")
    if state not in ("A", "F"):
        return _("%(siret)s : état administratif « %(e)s » inconnu") % {
            "siret": siret,
            "e": str(state)[:5],
        }
    signs = establishment.get("liste_enseignes")
    name = (
        (_text(signs[0]) if isinstance(signs, list) and signs else "")
        or _text(establishment.get("nom_commercial"))
        or (
            ""
            if (unit.get("complements") or {}).get("est_entrepreneur_individuel")
            else _text(unit.get("nom_raison_sociale"))
        )
    )
    band = establishment.get("tranche_effectif_salarie")
    band = band if isinstance(band, str) and band in HEADCOUNT_BANDS else ""
    year = establishment.get("annee_tranche_effectif_salarie")
    year = str(year) if year is not None else ""
    active = state == "A"
    longitude, latitude = coordinates(establishment.get("longitude"), establishment.get("latitude"))
    return siret, {
        "siren": siret[:9],
        "name": name[:200],
        "naf": naf[:6],
        "commune": resolve(commune_code),
        "created_on": _iso_date(establishment.get("date_creation")),
        "closed_on": None if active else _iso_date(establishment.get("date_fermeture")),
        "active": active,
        "headcount_band": band,
        "headcount_year": int(year) if year.isdigit() and len(year) == 4 else None,
        "diffusible": establishment.get("statut_diffusion_etablissement", "O") == "O",
        "longitude": longitude,
        "latitude": latitude,
    }


def api_import(
    *,
    territory: Territory,
    sections: set[str] | frozenset[str],
    client: Client,
    progress: Callable[[int], None] | None = None,
    run: str = "",
    still_wanted: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import the territory's establishments of `sections` from the API, commune by commune.
    Raises ApiUnavailable (nothing applied) when the API keeps failing. Side effects: creates
    and updates Establishment rows, all or nothing (staged under `run`, then applied)."""
    run = run or f"api-{uuid.uuid4().hex[:16]}"
    communes = set(territory.communes)
    resolve = cog.load().resolve
    report = ImportReport(format="api")
    ticker = Progress(progress)
    client.heartbeat = lambda: ticker.beat(report.read)
    StagedEstablishment.objects.filter(run=run).delete()
    try:
        batch: dict[str, dict] = {}
        seen: set[str] = set()
        for code in query_communes(territory.communes):
            for section in sorted(sections):
                for data in client.search(code_commune=code, section_activite_principale=section):
                    for unit in data["results"]:
                        if not isinstance(unit, dict):
                            report.read += 1
                            report.bad(report.read, _("enregistrement illisible"))
                            continue
                        found = unit.get("matching_etablissements")
                        for establishment in found if isinstance(found, list) else []:
                            report.read += 1
                            values = record_values(unit, establishment, resolve)
                            if isinstance(values, str):
                                report.bad(report.read, values)
                                continue
                            siret, row = values
                            if row["commune"] not in communes:
                                report.skipped[Skip.OUTSIDE] += 1
                                continue
                            if section_of(row["naf"], "NAFv2") not in sections:
                                report.skipped[Skip.OTHER_SECTION] += 1
                                continue
                            if siret not in seen:
                                seen.add(siret)
                                report.kept += 1
                            batch[siret] = row
                            if len(batch) >= BATCH:
                                stage_batch(
                                    territory=territory, run=run, stock_date=None, batch=batch
                                )
                                batch = {}
        stage_batch(territory=territory, run=run, stock_date=None, batch=batch)
        ticker.done(report.read)
        sirene_apply(
            territory=territory,
            run=run,
            stock_date=None,
            report=report,
            still_wanted=still_wanted,
        )
    finally:
        StagedEstablishment.objects.filter(run=run).delete()
    return report
