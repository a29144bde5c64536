"""Shared helpers of the benchmarks: a real server (uvicorn, as `make demo`) on loopback, joined phones, a logged-in
facilitator. Everything goes through the public HTTP and WebSocket surface."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


class Server:
    """Migrates a fresh database (SQLite by default), loads the demo and serves it."""

    def __init__(self, *, before_serving: list[list[str]] | None = None) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="rencontres-bench-"))
        self.env = dict(os.environ)
        # Production settings (DEBUG off), as a room is served; plain HTTP on loopback.
        self.env.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SETTINGS_MODULE": "rencontres.settings",
                "STATIC_ROOT": str(self.work / "static"),
                "THROTTLE_JOINS_PER_IP": "100000",  # every bench phone joins from loopback
            }
        )
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.work / 'bench.sqlite3'}")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        out = subprocess.run(
            [PY, "manage.py", "demo", "--json", "--base-url", self.base],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.demo = json.loads(out.stdout)
        for command in before_serving or []:  # e.g. fill the demo rencontre first
            args = [a.replace("{code}", self.demo["code"]) for a in command]
            subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True)
        self.log = (self.work / "server.log").open("wb")
        # What `make demo` serves with (uvicorn, one process); BENCH_SERVER=daphne for the tests' server.
        self.server = os.environ.get("BENCH_SERVER", "uvicorn")
        if self.server == "daphne":
            command = [str(Path(PY).parent / "daphne"), "-b", "127.0.0.1", "-p", str(self.port)]
        else:
            command = [PY, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port)]
            command += ["--lifespan", "off", "--ws-max-size", "4096", "--no-access-log"]
        self.proc = subprocess.Popen(
            [*command, "rencontres.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def layer(self) -> str:
        return "redis-pubsub" if self.env.get("REDIS_URL") else "in-memory"

    @property
    def database(self) -> str:
        return self.env["DATABASE_URL"].split(":", 1)[0]

    async def ready(self) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as probe:
            for _ in range(150):
                try:
                    if (await probe.get("/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.server} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


async def join_phones(
    base: str, code: str, n: int, concurrency: int = 20
) -> list[httpx.AsyncClient]:
    """n phones that joined through the join form; each client keeps its cookies."""
    sem = asyncio.Semaphore(concurrency)
    actor_types = ["collectivite", "etat", "entreprise", "chambre", "financeur", "formation"]

    async def one(i: int) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
        async with sem:
            r = await client.get(f"/j/{code}")
            token = CSRF_INPUT.search(r.text).group(1)
            r = await client.post(
                f"/j/{code}",
                data={
                    "csrfmiddlewaretoken": token,
                    "name": f"Participant {i}",
                    "organisation": "Bench",
                    "actor_type": actor_types[i % len(actor_types)],
                },
                headers={"Referer": f"{base}/j/{code}"},
            )
            r.raise_for_status()
        return client

    return list(await asyncio.gather(*(one(i) for i in range(n))))


def csrf_of(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


async def facilitator(base: str, demo: dict) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
    r = await client.get("/comptes/connexion/")
    await client.post(
        "/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": CSRF_INPUT.search(r.text).group(1),
            "username": demo["username"],
            "password": demo["password"],
        },
        headers={"Referer": base + "/comptes/connexion/"},
    )
    r = await client.get(f"/animer/{demo['code']}/")
    r.raise_for_status()
    return client, csrf_of(r.text)


def cookie_header(client: httpx.AsyncClient) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())
