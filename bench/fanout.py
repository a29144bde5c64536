"""Fan-out benchmark: how long until every phone shows the facilitator's "next"?

Starts its own daphne on loopback (fresh SQLite and in-memory layer by default, or the
PostgreSQL/Redis given by DATABASE_URL/REDIS_URL), joins N phones over HTTP like the join
form, opens N participant sockets, then moves the current activity M times and measures, for
each move, the delay from the POST to each phone receiving the new activity.

    .venv/bin/python bench/fanout.py --phones 500 --moves 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def join_phone(client: httpx.AsyncClient, code: str, i: int) -> str:
    r = await client.get(f"/j/{code}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
    jar = dict(client.cookies)
    r = await client.post(
        f"/j/{code}",
        data={
            "csrfmiddlewaretoken": token,
            "name": f"Participant {i}",
            "organisation": "Bench",
            "actor_type": "entreprise",
        },
        headers={"Referer": str(r.url)},
        cookies=jar,
    )
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def run(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rencontres-bench-"))
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "rencontres.settings",
        }
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    demo = json.loads(
        subprocess.run(
            [PY, "manage.py", "demo", "--json", "--base-url", base],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    code = demo["code"]
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "rencontres.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=(work / "daphne.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as probe:
            for _ in range(100):
                try:
                    if (await probe.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        rss_idle = rss_mb(server.pid)
        cookies = []
        sem = asyncio.Semaphore(20)

        async def one(i: int) -> None:
            async with (
                sem,
                httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True) as c,
            ):
                cookies.append(await join_phone(c, code, i))

        t = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(args.phones)))
        join_seconds = time.perf_counter() - t

        ws_url = base.replace("http", "ws") + f"/ws/p/{code}/"
        sockets = []
        for cookie in cookies:
            ws = await websockets.connect(
                ws_url, additional_headers={"Cookie": cookie, "Origin": base}, max_size=None
            )
            await asyncio.wait_for(ws.recv(), 30)  # the state on connect
            sockets.append(ws)
        rss_connected = rss_mb(server.pid)

        fac = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
        r = await fac.get("/comptes/connexion/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
        await fac.post(
            "/comptes/connexion/",
            data={
                "csrfmiddlewaretoken": token,
                "username": demo["username"],
                "password": demo["password"],
            },
            headers={"Referer": base + "/comptes/connexion/"},
        )
        r = await fac.get(f"/animer/{code}/")
        csrf = re.search(r'"X-CSRFToken": "([^"]+)"', r.text).group(1)

        latencies: list[float] = []
        all_delivered: list[float] = []
        for move in range(args.moves):
            op = "next" if move % 2 == 0 else "previous"

            async def wait_change(ws) -> float:
                while True:
                    msg = await asyncio.wait_for(ws.recv(), 30)
                    if 'id="stage"' in msg:
                        return time.perf_counter()

            waiters = [asyncio.ensure_future(wait_change(ws)) for ws in sockets]
            t0 = time.perf_counter()
            await fac.post(
                f"/animer/{code}/action/",
                data={"op": op},
                headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": base},
            )
            arrivals = await asyncio.gather(*waiters)
            delays = [(a - t0) * 1000 for a in arrivals]
            latencies.extend(delays)
            all_delivered.append(max(delays))
        rss_end = rss_mb(server.pid)
        for ws in sockets:
            await ws.close()
        await fac.aclose()
        return {
            "phones": args.phones,
            "moves": args.moves,
            "join_seconds": round(join_seconds, 2),
            "delivery_ms_median": round(statistics.median(latencies), 1),
            "delivery_ms_p95": round(pct(latencies, 95), 1),
            "all_phones_ms_median": round(statistics.median(all_delivered), 1),
            "all_phones_ms_p95": round(pct(all_delivered, 95), 1),
            "server_rss_mb": {
                "idle": round(rss_idle),
                "connected": round(rss_connected),
                "end": round(rss_end),
            },
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "channel_layer": "redis-pubsub" if env.get("REDIS_URL") else "in-memory",
            "machine": (
                f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            ),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
