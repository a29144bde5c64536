"""A room of N phones, as a person feels it, beside a bare Channels floor in the same run.

For each N: N phones join through the join form and hold their sockets; the facilitator
moves to a poll. Per phone, **usable** = the push has arrived and, if the push says this phone
has an own part to fetch, that request has been answered too. Then every phone taps once at a
random moment within a window: **ack** = the POST's answer. Reported: usable and ack p50 / p95 /
max, lost (acknowledged but not stored), how long after the last ack the wall shows the exact
total, the server's CPU seconds and RSS. The floor is a bare Channels consumer (bench/
floor_app.py) on the same stack, N sockets, one group send of a fragment of the same size:
its last client's delay, median over the moves, is the reference the usable time is judged
against (this machine is shared: absolute times move).

    .venv/bin/python bench/room.py --phones 150,300 --window 2
    DATABASE_URL=postgresql://… REDIS_URL=redis://… .venv/bin/python bench/room.py --phones 1000 --window 5
    .venv/bin/python bench/room.py --url http://127.0.0.1:8000 --demo demo.json --phones 1000

With --url the room runs against a server already started (e.g. `make serve`, the production
recipe) whose demo rencontre is described by the JSON of `manage.py demo --json`;
`bench/production_room.sh PHONES WINDOW` does all of it on a fresh PostgreSQL database.
The stored answers are counted from the rencontre's JSON export, made by the background
worker as the organiser gets it (queued, waited for, downloaded): the bench starts the
worker beside its server; with --url, the server's own worker makes it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets
from common import (
    Server,
    cookie_header,
    export_download,
    facilitator,
    free_port,
    join_phones,
    machine,
    percentile,
    rss_mb,
)

POLL_TITLE = "Quel est aujourd'hui le principal frein aux projets industriels ?"
STAGE = re.compile(r'<section id="stage"[^>]*data-activity="(\d+)"')
SLOT = re.compile(
    r'class="mine-slot" data-src="([^"]+)" data-own-all="(\d)" data-own-base="(\d*)" '
    r'data-own-bits="([^"]*)" data-spread="(\d+)"'
)
PARTICIPANT = re.compile(r'data-participant="(\d+)"')
ANSWERS = re.compile(r'data-answers="(\d+)"')


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def has_own(slot: tuple[str, ...], participant: int) -> bool:
    _src, everyone, base, bits, _spread = slot
    if everyone == "1":
        return True
    if not bits:
        return False
    mask = base64.b64decode(bits)
    offset = participant - int(base)
    return 0 <= offset < len(mask) * 8 and bool(mask[offset // 8] >> (offset % 8) & 1)


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    return {
        "p50": round(percentile(values, 50)),
        "p95": round(percentile(values, 95)),
        "max": round(max(values)),
    }


async def floor(n: int, moves: int, window: float, rounds: int = 1) -> dict[str, float]:
    """The bare consumer: N sockets, `moves` group sends; the last client's delay each time.
    Then N taps within `window` on the bare tap view (one row written, a fragment answered),
    `rounds` times in a row (each tapper once per window)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["FLOOR_DB"] = str(Path(tempfile.mkdtemp(prefix="rencontres-floor-")) / "floor.sqlite3")
    if os.environ.get("BENCH_SERVER", "uvicorn") == "daphne":
        command = [str(Path(sys.executable).parent / "daphne"), "-p", str(port)]
    else:  # the same server as the room's
        command = [sys.executable, "-m", "uvicorn", "--port", str(port), "--lifespan", "off"]
        command += ["--no-access-log"]
    proc = subprocess.Popen(
        [*command, "floor_app:application"],
        cwd=Path(__file__).parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _ in range(600):  # a loaded machine may take a while to start it
                try:
                    await client.get("/send/")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            sockets = []
            for _ in range(n):
                ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/", max_size=None)
                await ws.recv()
                sockets.append(ws)
            lasts = []
            for _ in range(moves):
                t0 = time.perf_counter()
                await client.post("/send/")
                arrivals = await asyncio.gather(*(ws.recv() for ws in sockets))
                assert all(a.startswith("<section") for a in arrivals)
                lasts.append((time.perf_counter() - t0) * 1000)
            for ws in sockets:
                await ws.close()
        tappers = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(n)]
        acks: list[float] = []

        async def tap(i: int) -> None:
            start = time.perf_counter()
            for r in range(rounds):
                moment = start + (r + random.random()) * window
                await asyncio.sleep(max(0.0, moment - time.perf_counter()))
                t = time.perf_counter()
                answer = await tappers[i].post("/tap/", data={"choice": f"c{i % 5 + 1}"})
                if answer.status_code == 200:
                    acks.append((time.perf_counter() - t) * 1000)

        await asyncio.gather(*(tap(i) for i in range(n)))
        for tapper in tappers:
            await tapper.aclose()
        return {
            "last_p50": round(percentile(lasts, 50)),
            "last_max": round(max(lasts)),
            "tap_ms": stats(acks),
        }
    finally:
        proc.terminate()
        proc.wait(10)


def poll_id_of(control_html: str) -> int:
    """The demo poll's activity id, read from the control panel's agenda."""
    return int(
        re.search(
            r'name="activity" value="(\d+)">\s*<button class="agenda__activity[^"]*"[^>]*>\s*'
            r"<span>" + re.escape(POLL_TITLE.replace("'", "&#x27;")),
            control_html,
        ).group(1)
    )


async def tap_poll(
    phone: httpx.AsyncClient, base: str, code: str, poll_id: int, choice: str
) -> float | None:
    """One tap on the poll, as the phone's page sends it: the milliseconds until its
    acknowledgement, or None when it was not acknowledged."""
    t = time.perf_counter()
    r = await phone.post(
        f"/j/{code}/a/{poll_id}/repondre/",
        data={"choice": choice},
        headers={
            "X-CSRFToken": phone.cookies["csrftoken"],
            "HX-Request": "true",
            "Referer": base,
        },
    )
    if r.status_code == 200 and "Réponse enregistrée" in r.text:
        return (time.perf_counter() - t) * 1000
    return None


async def room(base: str, demo: dict, n: int, window: float, pid: int | None) -> dict:
    code = demo["code"]
    phones = await join_phones(base, code, n)
    ids = []
    for phone in phones:  # the phone page names its participant (for its own part)
        ids.append(int(PARTICIPANT.search((await phone.get(f"/j/{code}")).text).group(1)))
    fac, csrf = await facilitator(base, demo)
    poll_id = poll_id_of((await fac.get(f"/animer/{code}/")).text)
    await fac.post(  # start away from the poll
        f"/animer/{code}/suivante/", headers={"X-CSRFToken": csrf, "Referer": base}
    )
    ws_url = base.replace("http", "ws") + f"/ws/p/{code}/"
    print(f"# {time.time():.1f} {n} phones: sockets connect", file=sys.stderr, flush=True)
    sockets = []
    for phone in phones:
        ws = await websockets.connect(
            ws_url,
            additional_headers={"Cookie": cookie_header(phone), "Origin": base},
            max_size=None,
        )
        await asyncio.wait_for(ws.recv(), 60)  # the state on connect
        sockets.append(ws)
    screen = await websockets.connect(
        base.replace("http", "ws") + f"/ws/ecran/{code}/",
        additional_headers={"Cookie": cookie_header(fac), "Origin": base},
        max_size=None,
    )
    await screen.recv()
    cpu0 = cpu_seconds(pid) if pid else 0.0

    async def usable(i: int, t0: float) -> float:
        while True:
            message = await asyncio.wait_for(sockets[i].recv(), 120)
            stage = STAGE.search(message)
            if stage and int(stage.group(1)) == poll_id:
                break
        slot = SLOT.search(message)
        if slot and has_own(slot.groups(), ids[i]):
            await asyncio.sleep(random.random() * int(slot.group(5)) / 1000)
            r = await phones[i].get(slot.group(1))
            r.raise_for_status()
        return (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    waiters = [asyncio.ensure_future(usable(i, t0)) for i in range(n)]
    await fac.post(
        f"/animer/{code}/aller/",
        data={"activity": poll_id},
        headers={"X-CSRFToken": csrf, "Referer": base},
    )
    usable_ms = await asyncio.gather(*waiters)

    walls: list[tuple[float, int]] = []

    async def watch() -> None:
        while True:
            message = await screen.recv()
            found = ANSWERS.search(message)
            if found:
                walls.append((time.perf_counter(), int(found.group(1))))

    watcher = asyncio.ensure_future(watch())
    print(f"# {time.time():.1f} {n} phones: taps start", file=sys.stderr, flush=True)
    acks: list[float] = []
    acked = 0
    cpu_taps = cpu_seconds(pid) if pid else 0.0

    async def tap(i: int) -> float:
        nonlocal acked
        await asyncio.sleep(random.random() * window)
        ack = await tap_poll(phones[i], base, code, poll_id, f"c{i % 5 + 1}")
        if ack is not None:
            acked += 1
            acks.append(ack)
        return time.perf_counter()

    last_ack = max(await asyncio.gather(*(tap(i) for i in range(n))))
    print(f"# {time.time():.1f} {n} phones: last ack", file=sys.stderr, flush=True)
    deadline = time.perf_counter() + 30
    exact_after = None
    while time.perf_counter() < deadline:
        exact = [t for t, count in walls if count == acked]
        if exact:  # the first render showing every acknowledged answer
            exact_after = max(0.0, exact[0] - last_ack)
            break
        await asyncio.sleep(0.05)
    watcher.cancel()
    export = (await export_download(fac, code)).json()  # made by the background worker
    stored = sum(
        1
        for row in export["reponses"]
        if row["activite"] == POLL_TITLE and row["participant"] in {f"P{i}" for i in ids}
    )
    cpu = (cpu_seconds(pid) - cpu0) if pid else None
    cpu_per_tap = (cpu_seconds(pid) - cpu_taps) / n * 1000 if pid else None
    for ws in [*sockets, screen]:
        await ws.close()
    for phone in phones:
        await phone.aclose()
    await fac.aclose()
    return {
        "phones": n,
        "usable_ms": stats(usable_ms),
        "ack_ms": stats(acks),
        "acked": acked,
        "stored": stored,
        "lost": acked - stored,
        "failed_taps": n - acked,
        "wall_exact_after_last_ack_ms": round(exact_after * 1000)
        if exact_after is not None
        else None,
        "server_cpu_s": round(cpu, 1) if cpu is not None else None,
        "server_cpu_per_tap_ms": round(cpu_per_tap, 1) if cpu_per_tap is not None else None,
        "server_rss_mb": round(rss_mb(pid)) if pid else None,
    }


async def main(args: argparse.Namespace) -> list[dict]:
    results = []
    for n in [int(x) for x in args.phones.split(",")]:
        if args.url:
            demo = json.loads(Path(args.demo).read_text())
            base, pid, stack = args.url, None, "external server"
            server = None
        else:
            server = Server(worker=True)  # the stored answers are counted from an export
            await server.ready()
            base, demo, pid = server.base, server.demo, server.proc.pid
            stack = f"{server.database} + {server.layer}, one {server.server}"
        try:
            measured = await room(base, demo, n, args.window, pid)
        finally:
            if server:
                server.stop()
        measured["floor"] = await floor(n, args.floor_moves, args.window)
        measured["usable_p95_over_floor"] = round(
            measured["usable_ms"]["p95"] / max(1, measured["floor"]["last_p50"]), 2
        )
        measured["ack_p95_over_floor"] = round(
            measured["ack_ms"]["p95"] / max(1, measured["floor"]["tap_ms"]["p95"]), 2
        )
        measured["stack"] = stack
        measured["window_s"] = args.window
        results.append(measured)
        print(json.dumps(measured, ensure_ascii=False), flush=True)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", default="150,300")
    parser.add_argument("--window", type=float, default=2.0, help="seconds over which taps land")
    parser.add_argument("--floor-moves", type=int, default=5)
    parser.add_argument("--url", help="an already running server (with --demo)")
    parser.add_argument("--demo", help="the JSON of `manage.py demo --json` for --url")
    parser.add_argument("--smoke", action="store_true", help="20 phones, for CI")
    options = parser.parse_args()
    if options.smoke:
        options.phones = "20"
    print(f"# {machine()} · {time.strftime('%Y-%m-%d %H:%M')}", file=sys.stderr)
    asyncio.run(main(options))
