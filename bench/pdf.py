"""PDF debrief benchmark: a rencontre of 300 participants, 900 actions and 10 polls.

The rencontre is filled through the services (`manage.py fill_rencontre`), then a real daphne
serves it and the facilitator downloads /animer/<code>/restitution.pdf several times.
Measured: download time (median, p95), PDF size and pages, and daphne's peak resident memory
(VmHWM) — the goal is under 10 s and 600 MB on a 2-core machine.

    .venv/bin/python bench/pdf.py --participants 300 --actions 3 --polls 10 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import time

from common import Server, facilitator, machine, peak_rss_mb, percentile, rss_mb


async def run(args: argparse.Namespace) -> dict:
    t = time.perf_counter()
    server = Server(
        before_serving=[
            [
                "fill_rencontre",
                "{code}",
                "--participants",
                str(args.participants),
                "--actions",
                str(args.actions),
                "--polls",
                str(args.polls),
            ]
        ]
    )
    fill_seconds = time.perf_counter() - t
    try:
        await server.ready()
        fac, _csrf = await facilitator(server.base, server.demo)
        rss_before = rss_mb(server.proc.pid)
        timings, size, pages = [], 0, 0
        for _ in range(args.runs):
            t = time.perf_counter()
            r = await fac.get(f"/animer/{server.demo['code']}/restitution.pdf", timeout=300)
            timings.append(time.perf_counter() - t)
            r.raise_for_status()
            size = len(r.content)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(r.content)).pages)
        await fac.aclose()
        return {
            "participants": args.participants,
            "actions": args.participants * args.actions,
            "polls": args.polls,
            "fill_seconds": round(fill_seconds, 1),
            "pdf_seconds_median": round(statistics.median(timings), 2),
            "pdf_seconds_p95": round(percentile(timings, 95), 2),
            "pdf_kb": round(size / 1024),
            "pages": pages,
            "daphne_rss_mb_before": round(rss_before),
            "daphne_peak_rss_mb": round(peak_rss_mb(server.proc.pid)),
            "database": server.database,
            "machine": machine(),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--polls", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
