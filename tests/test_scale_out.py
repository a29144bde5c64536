"""Several processes: two daphnes share PostgreSQL and Redis; answers posted at once on both
end in exact totals on a projector connected to one of them."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import websockets

from tests.browser.scenario import demo_json
from tests.conftest import Daphne, server_env

pytestmark = [pytest.mark.services, pytest.mark.live]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PHONES = 120


async def join(base: str, code: str, i: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
    r = await client.get(f"/j/{code}")
    await client.post(
        f"/j/{code}",
        data={
            "csrfmiddlewaretoken": CSRF.search(r.text).group(1),
            "name": f"P{i}",
            "organisation": "X",
            "actor_type": ["etat", "entreprise", "collectivite"][i % 3],
        },
        headers={"Referer": f"{base}/j/{code}"},
    )
    return client


async def burst(first: Daphne, second: Daphne, demo: dict) -> str:
    code = demo["code"]
    fac = httpx.AsyncClient(base_url=first.url, timeout=60, follow_redirects=True)
    r = await fac.get("/comptes/connexion/")
    await fac.post(
        "/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": CSRF.search(r.text).group(1),
            "username": demo["username"],
            "password": demo["password"],
        },
        headers={"Referer": first.url + "/comptes/connexion/"},
    )
    control = (await fac.get(f"/animer/{code}/")).text
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', control).group(1)
    poll = re.search(
        r'name="activity" value="(\d+)">\s*<button[^>]*>\s*<span>Quel est aujourd', control
    )
    await fac.post(
        f"/animer/{code}/aller/",
        data={"activity": poll.group(1)},
        headers={"X-CSRFToken": csrf, "Referer": first.url},
    )
    phones = await asyncio.gather(
        *(join((first if i % 2 else second).url, code, i) for i in range(PHONES))
    )
    cookies = "; ".join(f"{k}={v}" for k, v in fac.cookies.items())
    async with websockets.connect(
        first.url.replace("http", "ws") + f"/ws/ecran/{code}/",
        additional_headers={"Cookie": cookies, "Origin": first.url},
        max_size=None,
    ) as ws:
        await ws.recv()

        async def answer(i: int, phone: httpx.AsyncClient) -> int:
            url = f"/j/{code}/a/{poll.group(1)}/"
            token = CSRF.search((await phone.get(url)).text).group(1)
            r = await phone.post(
                url + "repondre/",
                data={"choice": f"c{i % 5 + 1}"},
                headers={"X-CSRFToken": token, "Referer": str(phone.base_url)},
            )
            return r.status_code

        statuses = await asyncio.gather(*(answer(i, p) for i, p in enumerate(phones)))
        assert statuses == [200] * PHONES
        last = ""
        while f'data-answers="{PHONES}"' not in last:
            last = await asyncio.wait_for(ws.recv(), timeout=15)
    for client in (*phones, fac):
        await client.aclose()
    return last


def test_burst_across_two_processes_ends_in_exact_totals(
    migrated_postgres_url, redis_url, tmp_path
):
    env = server_env(
        DATABASE_URL=migrated_postgres_url, REDIS_URL=redis_url, DATABASE_POOL_SIZE="8"
    )
    first = Daphne(env, tmp_path / "daphne-1.log")
    second = Daphne(env, tmp_path / "daphne-2.log")
    try:
        demo = demo_json(env, first.url)
        # A thread of its own: the session's browser may already run an event loop here.
        with ThreadPoolExecutor(1) as pool:
            last = pool.submit(asyncio.run, burst(first, second, demo)).result()
    finally:
        first.stop()
        second.stop()
    # 120 answers spread evenly over five choices (French: a narrow no-break space before %)
    assert last.count(">24 · 20\u202f%") == 5
