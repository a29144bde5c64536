"""Contention benchmark: while the 300-participant PDF is generated and a 2-million-row SIRENE
import runs, 20 phones tapping every 200 ms keep their p95 under twice their idle p95.

One server as `make demo` runs it (uvicorn, one process, the background worker beside it:
`common.Server(worker=True)`), its demo rencontre filled with 300 participants as bench/pdf.py
fills it (`pdf.fill_command`); 20 more phones join and the facilitator opens the demo poll.

- Phase 1, idle: each phone taps the poll every 200 ms (its own random phase) for --seconds;
  a tap = the POST the phone's page sends (`room.tap_poll`), timed until its acknowledgement.
- Phase 2, busy: the same taps while the organiser asks for the PDF (restitution.pdf, its
  waiting page polled every 0.2 s: `pdf.fetch_pdf`) and uploads a 2-million-row
  StockEtablissement file (written by bench/sirene_import.py's `generate`, then gzipped, as
  INSEE ships it compressed) through the import page (sent by curl, another process, as the
  organiser's browser is another machine), whose job page is polled every second.
  Both are made by the one background worker, one after the other; the taps go on until both
  are done (and at least --seconds).

Reported: the taps' p50 / p95 / max of each phase and `busy_p95_over_idle_p95` (goal: under
2), the PDF's and the import's times, the upload's time, the server's and the worker's CPU
seconds in phase 2, the load average. Then the floor, in the same run once the server has
stopped: the bare tap view of bench/floor_app.py (one row written, a fragment answered) on the
same server software, the same 20 tappers every 200 ms (`room.floor`); `idle_p95_over_floor`.

    .venv/bin/python bench/contention.py
    .venv/bin/python bench/contention.py --participants 30 --rows 20000 --seconds 3   # smoke
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sirene_import  # sets Django up to read the SIRENE columns (for `generate`)
from common import CSRF_INPUT, Server, cookie_header, facilitator, join_phones, machine
from pdf import fetch_pdf, fill_command
from room import cpu_seconds, floor, poll_id_of, stats, tap_poll

IMPORT_JOB = re.compile(r"/territoires/importer/(\d+)/")


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


async def tapping(
    phones: list[httpx.AsyncClient],
    base: str,
    code: str,
    poll_id: int,
    every: float,
    stop: asyncio.Event,
) -> tuple[list[float], int]:
    """Each phone taps every `every` seconds (its own random phase) until `stop`: the
    acknowledged taps' milliseconds, and how many taps were not acknowledged. A tap answered
    late is followed by the next one at once, never by a burst catching up."""
    acks: list[float] = []
    failed = 0

    async def phone(i: int) -> None:
        nonlocal failed
        moment = time.perf_counter() + random.random() * every
        while not stop.is_set():
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            ack = await tap_poll(phones[i], base, code, poll_id, f"c{random.randint(1, 5)}")
            if ack is None:
                failed += 1
            else:
                acks.append(ack)
            moment = max(moment + every, time.perf_counter())

    await asyncio.gather(*(phone(i) for i in range(len(phones))))
    return acks, failed


async def import_stock(fac: httpx.AsyncClient, path: Path, territory: str) -> dict:
    """The organiser's import: the upload through the import page, then its job page polled
    every second (as the page does) until the worker has finished."""
    t = time.perf_counter()
    page = await fac.get("/territoires/importer/")
    # The organiser's browser is another machine: the 54 MB are sent by another process
    # (curl), not by the event loop that runs the phones' taps in this one.
    url = f"{str(fac.base_url).rstrip('/')}/territoires/importer/"
    curl = await asyncio.create_subprocess_exec(
        "curl",
        "--silent",
        "--show-error",
        "--output",
        "/dev/null",
        "--write-out",
        "%{http_code} %{redirect_url}",
        "--header",
        f"Cookie: {cookie_header(fac)}",
        "--header",
        f"Referer: {url}",
        "--form",
        f"csrfmiddlewaretoken={CSRF_INPUT.search(page.text).group(1)}",
        "--form",
        f"territory={territory}",
        "--form",
        "kind=stock",
        "--form",
        "sections=C",
        "--form",
        "stock_date=",
        "--form",
        f"file=@{path};type=application/gzip",
        url,
        stdout=asyncio.subprocess.PIPE,
    )
    written, _ = await curl.communicate()
    status, _, location = written.decode().partition(" ")
    upload_seconds = time.perf_counter() - t
    job = IMPORT_JOB.search(location)
    if curl.returncode != 0 or status != "302" or job is None:
        raise RuntimeError(f"the import was refused: {written.decode()[:2000]}")
    while True:
        poll = await fac.get(
            f"/territoires/importer/{job.group(1)}/", headers={"HX-Request": "true"}
        )
        if "Import terminé" in poll.text:
            status = "done"
            break
        if 'hx-trigger="every 1s"' not in poll.text:
            status = "failed"
            break
        await asyncio.sleep(1)
    return {
        "status": status,
        "upload_seconds": round(upload_seconds, 1),
        "seconds": round(time.perf_counter() - t, 1),
    }


async def busy(
    fac: httpx.AsyncClient, code: str, stock: Path, territory: str, work: str = "both"
) -> dict:
    """Phase 2's work, as the organiser asks for it: the PDF, then at once the import (or
    only one of them, `work`, to tell which of the two the phones feel)."""
    t = time.perf_counter()
    pdf = asyncio.ensure_future(fetch_pdf(fac, code)) if work in ("both", "pdf") else None
    imported = (
        asyncio.ensure_future(import_stock(fac, stock, territory))
        if work in ("both", "import")
        else None
    )
    result = {}
    if pdf is not None:
        _waiting, pdf_seconds, content = await pdf
        result |= {
            "pdf_seconds": round(pdf_seconds, 1),
            "pdf_kb": round(len(content) / 1024),
            "pdf_done_after_s": round(time.perf_counter() - t, 1),
        }
    if imported is not None:
        result["import"] = await imported
    return result | {"both_done_after_s": round(time.perf_counter() - t, 1)}


def make_stock(rows: int) -> Path:
    """The 2-million-row StockEtablissement file, gzipped (`gzip -1`)."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"rencontres-contention-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    stock = folder / "StockEtablissement_utf8.csv"
    sirene_import.generate(stock, rows)
    subprocess.run(["gzip", "-1", "-f", str(stock)], check=True)
    return stock.with_suffix(".csv.gz")


async def run(args: argparse.Namespace) -> dict:
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t = time.perf_counter()
    stock = make_stock(args.rows)
    stock_seconds = time.perf_counter() - t
    stock_mb = stock.stat().st_size / 2**20
    server = Server(
        before_serving=[fill_command(args.participants, args.actions, args.polls)], worker=True
    )
    try:
        await server.ready()
        base, code = server.base, server.demo["code"]
        phones = await join_phones(base, code, args.phones)
        fac, csrf = await facilitator(base, server.demo)
        poll_id = poll_id_of((await fac.get(f"/animer/{code}/")).text)
        moved = await fac.post(
            f"/animer/{code}/aller/",
            data={"activity": poll_id},
            headers={"X-CSRFToken": csrf, "Referer": base},
        )
        moved.raise_for_status()
        await asyncio.sleep(1)  # the server settles after the joins

        load_idle = load()
        stop = asyncio.Event()
        idle_taps = asyncio.ensure_future(tapping(phones, base, code, poll_id, args.every, stop))
        await asyncio.sleep(args.seconds)
        stop.set()
        idle_acks, idle_failed = await idle_taps

        load_busy_before = load()
        server_cpu = cpu_seconds(server.proc.pid)
        worker_cpu = cpu_seconds(server.worker.pid)
        stop = asyncio.Event()
        t = time.perf_counter()
        busy_taps = asyncio.ensure_future(tapping(phones, base, code, poll_id, args.every, stop))
        work = await busy(fac, code, stock, args.territory, args.work)
        await asyncio.sleep(max(0.0, args.seconds - (time.perf_counter() - t)))
        load_busy = load()
        stop.set()
        busy_acks, busy_failed = await busy_taps
        busy_seconds = time.perf_counter() - t
        server_cpu = cpu_seconds(server.proc.pid) - server_cpu
        worker_cpu = cpu_seconds(server.worker.pid) - worker_cpu
        for phone in phones:
            await phone.aclose()
        await fac.aclose()
    finally:
        server.stop()
        stock.unlink(missing_ok=True)
    rounds = max(1, round(args.seconds / args.every))
    floor_measured = await floor(args.phones, 1, args.every, rounds=rounds)
    idle, busy_stats = stats(idle_acks), stats(busy_acks)
    floor_tap = floor_measured["tap_ms"]
    return {
        "phones": args.phones,
        "every_s": args.every,
        "idle": {"seconds": args.seconds, "taps": len(idle_acks), "failed": idle_failed}
        | {f"ack_ms_{k}": v for k, v in idle.items()},
        "busy": {"seconds": round(busy_seconds, 1), "taps": len(busy_acks), "failed": busy_failed}
        | {f"ack_ms_{k}": v for k, v in busy_stats.items()},
        "busy_p95_over_idle_p95": round(busy_stats["p95"] / max(1, idle["p95"]), 2),
        "busy_p50_over_idle_p50": round(busy_stats["p50"] / max(1, idle["p50"]), 2),
        "work": work,
        "server_cpu_s_busy": round(server_cpu, 1),
        "worker_cpu_s_busy": round(worker_cpu, 1),
        "floor_tap_ms": floor_tap,
        "idle_p95_over_floor": round(idle["p95"] / max(1, floor_tap["p95"]), 2),
        "busy_p95_over_floor": round(busy_stats["p95"] / max(1, floor_tap["p95"]), 2),
        "participants": args.participants,
        "sirene_rows": args.rows,
        "stock_gz_mb": round(stock_mb, 1),
        "stock_make_seconds": round(stock_seconds, 1),
        "load_average": {"idle": load_idle, "busy_before": load_busy_before, "busy": load_busy},
        "stack": f"{server.database} + {server.layer}, one {server.server} + one db_worker",
        "machine": machine(),
        "date": started,
    }


def summary(result: dict) -> str:
    idle, busy_ = result["idle"], result["busy"]
    work = result["work"]
    return "\n".join(
        [
            f"# contention · {result['machine']} · {result['date']} · {result['stack']}",
            f"# {result['phones']} phones tapping every {result['every_s']} s;"
            f" load average (1, 5, 15 min) idle {result['load_average']['idle']},"
            f" busy {result['load_average']['busy']}",
            f"idle  ack p50 {idle['ack_ms_p50']} ms  p95 {idle['ack_ms_p95']} ms"
            f"  max {idle['ack_ms_max']} ms  ({idle['taps']} taps, {idle['failed']} failed)",
            f"busy  ack p50 {busy_['ack_ms_p50']} ms  p95 {busy_['ack_ms_p95']} ms"
            f"  max {busy_['ack_ms_max']} ms  ({busy_['taps']} taps, {busy_['failed']} failed)",
            f"busy p95 / idle p95 = {result['busy_p95_over_idle_p95']} (goal < 2)",
            f"floor (bare tap) p50 {result['floor_tap_ms']['p50']} ms"
            f"  p95 {result['floor_tap_ms']['p95']} ms;"
            f" idle p95 / floor p95 = {result['idle_p95_over_floor']}",
            "; ".join(
                [
                    *(
                        [f"PDF ({result['participants']} participants) {work['pdf_seconds']} s"]
                        if "pdf_seconds" in work
                        else []
                    ),
                    *(
                        [
                            f"import of {result['sirene_rows']:,} rows"
                            f" {work['import']['seconds']} s (upload"
                            f" {work['import']['upload_seconds']} s, {work['import']['status']})"
                        ]
                        if "import" in work
                        else []
                    ),
                    f"done after {work['both_done_after_s']} s",
                ]
            ),
            f"CPU in the busy phase: server {result['server_cpu_s_busy']} s,"
            f" worker {result['worker_cpu_s_busy']} s",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between a phone's taps")
    parser.add_argument("--seconds", type=float, default=20, help="each phase at least")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--polls", type=int, default=10)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--territory", default=sirene_import.TERRITORY)
    parser.add_argument(
        "--work", choices=["both", "pdf", "import"], default="both", help="phase 2's work"
    )
    args = parser.parse_args()
    print(f"# {machine()} · load average {load()}", file=sys.stderr)
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(summary(result))


if __name__ == "__main__":
    main()
