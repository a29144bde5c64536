"""Which multi-process server: a loopback comparison on PostgreSQL and Redis.

    DATABASE_URL=postgresql://…/rencontres_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python deploy/measure.py --phones 300 --moves 10

For each set-up, on a fresh database: N phones join through the form (20 at a time; each join
is three HTTP requests), open their socket, then the facilitator moves the activity M times.
Reported: joins per second (HTTP work, where several cores help), and per move the delay until
the last phone has the new activity (fan-out); then SIGTERM with every socket open: seconds
until the server exited, and whether each socket got a close frame. The set-ups:
- `daphne`: one daphne process (the embedded default's server);
- `daphne x2 direct`: two daphnes on two ports, phones spread over both by the client itself
  (the best case of "N daphne behind nginx", without nginx's own cost);
- `recipe xN`: deploy/serve.py, uvicorn with N workers on one port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import (  # noqa: E402
    PY,
    cookie_header,
    facilitator,
    free_port,
    join_phones,
    machine,
    percentile,
)


def fresh_database(url: str, name: str) -> str:
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


async def healthy(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as probe:
        for _ in range(600):
            try:
                if (await probe.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


def start(kind: str, workers: int, env: dict[str, str]) -> tuple[list[subprocess.Popen], list[str]]:
    procs, bases = [], []
    if kind == "daphne":
        for _ in range(workers):
            port = free_port()
            cmd = [str(Path(PY).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port)]
            procs.append(
                subprocess.Popen(
                    [*cmd, "rencontres.asgi:application"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
    else:
        port = free_port()
        procs.append(
            subprocess.Popen(
                [PY, "deploy/serve.py", "--port", str(port), "--workers", str(workers)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    return procs, bases


async def run_one(kind: str, workers: int, args: argparse.Namespace, index: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "1",  # as the other benchmarks: plain HTTP clients, cookies not Secure
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "rencontres.settings",
            "DATABASE_URL": fresh_database(
                os.environ["DATABASE_URL"], f"rencontres_measure_{index}"
            ),
        }
    )
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    procs, bases = start(kind, workers, env)
    try:
        for base in bases:
            await healthy(base)
        demo = json.loads(
            subprocess.run(
                [PY, "manage.py", "demo", "--json", "--base-url", bases[0]],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        code = demo["code"]
        t = time.perf_counter()
        groups = await asyncio.gather(
            *(
                join_phones(base, code, args.phones // len(bases), 20 // len(bases))
                for base in bases
            )
        )
        joins_per_s = args.phones / (time.perf_counter() - t)
        sockets = []
        for base, phones in zip(bases, groups, strict=True):
            for phone in phones:
                ws = await websockets.connect(
                    base.replace("http", "ws") + f"/ws/p/{code}/",
                    additional_headers={"Cookie": cookie_header(phone), "Origin": base},
                    max_size=None,
                )
                await asyncio.wait_for(ws.recv(), 30)
                sockets.append(ws)
        fac, csrf = await facilitator(bases[0], demo)

        async def wait_change(ws) -> float:
            while True:
                if 'id="stage"' in await asyncio.wait_for(ws.recv(), 60):
                    return time.perf_counter()

        last: list[float] = []
        for move in range(args.moves):
            waiters = [asyncio.ensure_future(wait_change(ws)) for ws in sockets]
            t0 = time.perf_counter()
            await fac.post(
                f"/animer/{code}/action/",
                data={"op": "next" if move % 2 == 0 else "previous"},
                headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": bases[0]},
            )
            last.append((max(await asyncio.gather(*waiters)) - t0) * 1000)
        for group in groups:
            for phone in group:
                await phone.aclose()
        await fac.aclose()

        # SIGTERM with every socket open: time until each process exited, and how the
        # sockets were closed (1012 with a close frame, or 1006 without one).
        async def closed(ws) -> tuple[int | None, bool]:
            try:
                async with asyncio.timeout(30):
                    async for _ in ws:
                        pass
            except (websockets.ConnectionClosed, TimeoutError):
                pass
            return ws.close_code, ws.protocol.close_rcvd is not None

        t0 = time.perf_counter()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        closes = await asyncio.gather(*(closed(ws) for ws in sockets))
        for proc in procs:
            await asyncio.to_thread(proc.wait, 30)
        stopped_in = time.perf_counter() - t0
        return {
            "setup": f"{kind} x{workers}",
            "joins_per_s": round(joins_per_s, 1),
            "last_phone_ms_median": round(statistics.median(last)),
            "last_phone_ms_p95": round(percentile(last, 95)),
            "stop_s": round(stopped_in, 2),
            "close_codes": sorted({str(code) for code, _ in closes}),
            "close_frames": sum(1 for _, frame in closes if frame),
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


async def run(args: argparse.Namespace) -> dict:
    setups = [("daphne", 1), ("daphne", 2), ("recipe", 1), ("recipe", 2)]
    results = [await run_one(kind, n, args, i) for i, (kind, n) in enumerate(setups)]
    return {"phones": args.phones, "moves": args.moves, "machine": machine(), "runs": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--moves", type=int, default=10)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
