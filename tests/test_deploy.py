"""The production recipe (deploy/serve.py): several uvicorn workers behind one address,
DEBUG off, static files hashed and compressed, and a stop that closes every socket cleanly."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
import websockets

from tests.browser.scenario import demo_json
from tests.conftest import ROOT, free_port, server_env

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STOP_BOUND = 15  # seconds: a correctness bound for the stop, not a benchmark
SOCKETS = 50


def client(base: str) -> httpx.AsyncClient:
    """An HTTP client on loopback. DEBUG off marks cookies Secure, which a client sends over
    HTTPS only; here the test speaks plain HTTP (a real deployment has a TLS proxy in front),
    so the cookies are kept as not Secure."""
    c = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)

    async def keep_cookies(response: httpx.Response) -> None:
        for cookie in c.cookies.jar:
            cookie.secure = False

    c.event_hooks = {"response": [keep_cookies]}
    return c


def cookie_header(c: httpx.AsyncClient) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in c.cookies.jar)


class Recipe:
    """`deploy/serve.py` on a free port, as `make serve` starts it."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "deploy/serve.py", "--port", str(self.port)],
            cwd=ROOT,
            env={**env, "WORKERS": str(workers)},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180  # migrate and collectstatic run first
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the recipe exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the recipe did not answer: {self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        """The uvicorn worker processes (grandchildren of serve.py, started by spawn; not
        multiprocessing's resource tracker)."""
        found = []
        for server in children(self.proc.pid):
            for pid in children(server):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_BOUND)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log_file.close()


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def peer_ports(pid: int) -> set[int]:
    """Remote ports of the TCP connections process `pid` holds open (client side ports)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[2].rsplit(":", 1)[1], 16))
    return ports


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return server_env(
        DJANGO_SETTINGS_MODULE="rencontres.settings",  # the production settings, as they are
        DEBUG="0",
        SECRET_KEY="tests-only-secret-key-for-the-production-recipe-0123456789",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp_path / "static"),
        **extra,
    )


async def join(base: str, code: str, i: int) -> httpx.AsyncClient:
    phone = client(base)
    r = await phone.get(f"/j/{code}")
    r = await phone.post(
        f"/j/{code}",
        data={
            "csrfmiddlewaretoken": CSRF.search(r.text).group(1),
            "name": f"P{i}",
            "organisation": "X",
            "actor_type": "entreprise",
        },
    )
    assert f"/ws/p/{code}/" in r.text  # landed on the phone page
    return phone


async def facilitator(base: str, demo: dict) -> tuple[httpx.AsyncClient, str]:
    fac = client(base)
    r = await fac.get("/comptes/connexion/")
    await fac.post(
        "/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": CSRF.search(r.text).group(1),
            "username": demo["username"],
            "password": demo["password"],
        },
    )
    control = (await fac.get(f"/animer/{demo['code']}/")).text
    return fac, re.search(r'"X-CSRFToken": "([^"]+)"', control).group(1)


async def room(recipe: Recipe, demo: dict) -> dict:
    """Phones whose sockets land on every worker, a move, then SIGTERM."""
    base, code = recipe.url, demo["code"]
    phones = [await join(base, code, i) for i in range(5)]
    sockets = []
    by_worker: dict[int, int] = dict.fromkeys(recipe.workers(), 0)
    while len(sockets) < SOCKETS or (min(by_worker.values()) == 0 and len(sockets) < 300):
        phone = phones[len(sockets) % len(phones)]
        ws = await websockets.connect(
            base.replace("http", "ws") + f"/ws/p/{code}/",
            additional_headers={"Cookie": cookie_header(phone), "Origin": base},
            max_size=None,
        )
        await asyncio.wait_for(ws.recv(), 30)  # the state on connect
        sockets.append(ws)
        port = ws.local_address[1]
        for pid in by_worker:
            if port in peer_ports(pid):
                by_worker[pid] += 1

    fac, csrf = await facilitator(base, demo)

    async def stage(ws) -> str:
        while True:
            message = await asyncio.wait_for(ws.recv(), 30)
            if 'id="stage"' in message:
                return message

    waiters = [asyncio.ensure_future(stage(ws)) for ws in sockets]
    r = await fac.post(
        f"/animer/{code}/suivante/",
        headers={"X-CSRFToken": csrf, "HX-Request": "true"},
    )
    assert r.status_code == 200
    pushed = await asyncio.gather(*waiters)
    for c in (*phones, fac):
        await c.aclose()

    async def closed(ws) -> tuple[int | None, bool]:
        try:
            async with asyncio.timeout(STOP_BOUND):
                async for _ in ws:
                    pass
        except (websockets.ConnectionClosed, TimeoutError):
            pass
        return ws.close_code, ws.protocol.close_rcvd is not None

    started = time.monotonic()
    recipe.proc.send_signal(signal.SIGTERM)
    closes = await asyncio.gather(*(closed(ws) for ws in sockets))
    exit_status = await asyncio.to_thread(recipe.proc.wait, STOP_BOUND)
    return {
        "by_worker": by_worker,
        "pushed": pushed,
        "closes": closes,
        "exit_status": exit_status,
        "stopped_in": time.monotonic() - started,
    }


@pytest.mark.services
@pytest.mark.live
def test_recipe_two_workers_push_to_every_socket_then_stop_cleanly(
    postgres_url, redis_url, tmp_path
):
    env = production_env(tmp_path, DATABASE_URL=postgres_url, REDIS_URL=redis_url)
    recipe = Recipe(env, workers=2, log=tmp_path / "serve.log")
    try:
        assert len(recipe.workers()) == 2
        demo = demo_json(env, recipe.url)
        with ThreadPoolExecutor(1) as pool:  # the session's browser may own this thread's loop
            result = pool.submit(asyncio.run, room(recipe, demo)).result()
    finally:
        recipe.stop()
    log = recipe.log.read_text()
    assert len(result["by_worker"]) == 2
    assert min(result["by_worker"].values()) > 0, result["by_worker"]
    assert sum(result["by_worker"].values()) == len(result["pushed"])
    assert len(result["pushed"]) >= SOCKETS
    assert all('id="stage"' in message for message in result["pushed"])
    # SIGTERM: every socket got a close frame ("service restart": phones reconnect), and the
    # recipe exited by itself, without being killed.
    assert {code for code, _ in result["closes"]} == {1012}, result["closes"][:5]
    assert all(received for _, received in result["closes"])
    assert result["exit_status"] == 0, log[-3000:]
    assert result["stopped_in"] < STOP_BOUND
    assert "killed" not in log
    # Every socket's disconnect handler ran before the exit: no phone is left counted as
    # connected (their reconnections elsewhere would count twice).
    with psycopg.connect(postgres_url) as db:
        left = db.execute("SELECT coalesce(sum(sockets), 0) FROM workshops_participant").fetchone()
    assert left == (0,)


@pytest.mark.live
def test_recipe_serves_static_files_hashed_compressed_and_cached(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    recipe = Recipe(env, workers=1, log=tmp_path / "serve.log")
    try:
        demo = demo_json(env, recipe.url)
        page = httpx.get(f"{recipe.url}/j/{demo['code']}").text
        css = re.search(r'href="(/static/css/phone\.[0-9a-f]{12}\.css)"', page)
        assert css, page
        assert "tokens" not in page  # served inside each role's sheet (rencontres/bundles.py)
        responses = {
            encoding: httpx.get(recipe.url + css.group(1), headers={"Accept-Encoding": encoding})
            for encoding in ("br", "gzip", "identity")
        }
    finally:
        recipe.stop()
    assert responses["br"].headers["content-encoding"] == "br"
    assert responses["gzip"].headers["content-encoding"] == "gzip"
    assert "content-encoding" not in responses["identity"].headers
    assert responses["br"].text.startswith("/* Shared design tokens")
    for response in responses.values():
        assert response.status_code == 200
        assert response.headers["cache-control"] == "max-age=315360000, public, immutable"
    # httpx decodes both: the compressed copies hold the same file.
    assert responses["br"].text == responses["gzip"].text == responses["identity"].text
    assert int(responses["br"].headers["content-length"]) < len(responses["br"].content) / 2
