"""PDF debrief benchmark: a rencontre of 300 participants, 900 actions and 10 polls.

The rencontre is filled through the services (`manage.py fill_rencontre`), then a real server
(uvicorn as `make demo`; `BENCH_SERVER=daphne` for daphne) serves it beside the background
worker (`manage.py db_worker`), and the facilitator asks for /animer/<code>/restitution.pdf
several times: the page that waits answers at once, its poll
(as the page does it, every 0.2 s here) is redirected to the file when the worker has made it.
Measured: the time from the request to the file, the first time (the worker makes the PDF)
and then for the unchanged rencontre (the worker reuses the file: its fingerprint is the
same), the PDF's size and pages, and the peak resident memory (VmHWM) of the server and of
the worker — the goal is under 10 s and 600 MB on a 2-core machine.

The floor, in the same run once the server and the worker have stopped, in a fresh Python
process (`common.pdf_floor`): WeasyPrint alone rendering a bare document of as many pages
(plain paragraphs) with the debrief's call, stylesheet, shipped fonts and fetcher, several
times. Reported: `ratio_first` = the first PDF / (WeasyPrint's import + its first render), and
the unchanged rencontre's time over one render of the floor (`unchanged_over_floor_render`).

    .venv/bin/python bench/pdf.py --participants 300 --actions 3 --polls 10 --runs 4
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import statistics
import subprocess
import time

from common import PY, ROOT, Server, facilitator, machine, pdf_floor, peak_rss_mb, rss_mb

JOB = re.compile(r"/restitution/(\d+)/")


def fill_command(participants: int, actions: int, polls: int) -> list[str]:
    """The `manage.py` command that fills the demo rencontre before it is served (`Server`'s
    `before_serving`): `participants` who joined, `actions` actions each, `polls` polls."""
    return [
        "fill_rencontre",
        "{code}",
        "--participants",
        str(participants),
        "--actions",
        str(actions),
        "--polls",
        str(polls),
    ]


async def fetch_pdf(fac, code: str) -> tuple[float, float, bytes]:
    """Seconds until the waiting page answered, seconds until the file came, the file."""
    t = time.perf_counter()
    page = await fac.get(f"/animer/{code}/restitution.pdf", timeout=60)
    page.raise_for_status()
    waiting = time.perf_counter() - t
    job = JOB.search(page.text).group(1)
    while True:
        poll = await fac.get(
            f"/animer/{code}/restitution/{job}/?suivre=1", headers={"HX-Request": "true"}
        )
        if "HX-Redirect" in poll.headers:
            break
        if "Le PDF n" in poll.text:
            raise RuntimeError("the PDF job failed")
        await asyncio.sleep(0.2)
    pdf = await fac.get(poll.headers["HX-Redirect"], timeout=60)
    pdf.raise_for_status()
    return waiting, time.perf_counter() - t, pdf.content


async def run(args: argparse.Namespace) -> dict:
    t = time.perf_counter()
    server = Server(before_serving=[fill_command(args.participants, args.actions, args.polls)])
    fill_seconds = time.perf_counter() - t
    worker = subprocess.Popen(
        [PY, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await server.ready()
        fac, _csrf = await facilitator(server.base, server.demo)
        rss_before = rss_mb(server.proc.pid)
        waits, timings, content = [], [], b""
        for _ in range(args.runs):
            waiting, seconds, content = await fetch_pdf(fac, server.demo["code"])
            waits.append(waiting)
            timings.append(seconds)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(content)).pages)
        await fac.aclose()
        measured = {
            "participants": args.participants,
            "actions": args.participants * args.actions,
            "polls": args.polls,
            "fill_seconds": round(fill_seconds, 1),
            "waiting_page_seconds_max": round(max(waits), 3),
            "pdf_seconds_first": round(timings[0], 2),
            "pdf_seconds_unchanged_median": round(statistics.median(timings[1:]), 2)
            if len(timings) > 1
            else None,
            "pdf_kb": round(len(content) / 1024),
            "pages": pages,
            "server_rss_mb_before": round(rss_before),
            "server_peak_rss_mb": round(peak_rss_mb(server.proc.pid)),
            "worker_peak_rss_mb": round(peak_rss_mb(worker.pid)),
            "server": server.server,
            "database": server.database,
            "machine": machine(),
        }
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        server.stop()
    floor = pdf_floor("debrief", pages, args.floor_renders, server.env)
    measured["floor"] = floor
    measured["ratio_first"] = round(measured["pdf_seconds_first"] / floor["first_seconds"], 2)
    if measured["pdf_seconds_unchanged_median"] is not None:
        measured["unchanged_over_floor_render"] = round(
            measured["pdf_seconds_unchanged_median"] / floor["render_seconds_median"], 2
        )
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--polls", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--floor-renders", type=int, default=5, help="the first one included")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
