"""Recorded answers of the API Recherche d'entreprises, replayed instead of the network.

`replay(url)` answers a /search URL from `recorded/search_<code_commune>_<section>_p<page>.json`
(written in the API's published response shape), and an empty page for any other search, so
that no test ever reaches the network. `sent` lists the URLs asked, in order.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from territories.recherche import Answer

RECORDED = Path(__file__).resolve().parent / "recorded"
sent: list[str] = []


def empty_page(page: int) -> dict:
    return {"results": [], "total_results": 0, "page": page, "per_page": 25, "total_pages": 0}


def recorded(code_commune: str, section: str, page: int) -> dict:
    path = RECORDED / f"search_{code_commune}_{section}_p{page}.json"
    if not path.exists():
        return empty_page(page)
    return json.loads(path.read_text(encoding="utf-8"))


def replay(url: str) -> Answer:
    sent.append(url)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    body = recorded(
        query.get("code_commune", ""),
        query.get("section_activite_principale", ""),
        int(query.get("page", "1")),
    )
    return Answer(200, {"Content-Type": "application/json"}, json.dumps(body).encode())


def refused(url: str) -> Answer:
    """The API refusing every request (a 400), as when it changes under us."""
    sent.append(url)
    return Answer(
        400, {}, b'{"erreur": "Veuillez indiquer au moins un param\\u00e8tre de recherche."}'
    )
