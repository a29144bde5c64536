"""Participants' sheets benchmark: a rencontre of 300 participants, each with a sheet e-mailed
by the background worker when the facilitator ends the rencontre.

The rencontre is filled through the services (`manage.py fill_rencontre`: priorities, tables,
actions, supports); every participant then gives an e-mail with its consent, every other one
a contact to exchange, and one in three joins an action of another. A real server (uvicorn as
`make demo`; `BENCH_SERVER=daphne` for daphne) serves it beside the background worker
(`manage.py db_worker`, the e-mails going to Django's dummy backend). The facilitator ends
the rencontre (`POST /animer/<code>/terminer/`): measured are that request's time (it queues
the sheets' task), the time until the worker has sent every sheet (one `MailSent` row each)
and so the time per sheet, the worker's and the server's peak resident memory (VmHWM), and
the download of a sheet from the personal page (`/moi/<token>/fiche.pdf`: the waiting page,
then the file the worker made), whose pages are counted. The time per sheet is also read
between consecutive `MailSent.sent_at` (median and p95 over the 299 intervals).

The floor, in the same run once the server and the worker have stopped, in a fresh Python
process (`common.pdf_floor`): WeasyPrint alone rendering a bare one-page A4 document with the
sheet's call, stylesheets (pdf.css + sheet.css), shipped fonts and fetcher, several times.
Reported: per sheet (median, p95) over the floor's render (median, p95), the downloads' median
over the floor's render median, and the first download over WeasyPrint's import + first render.

    .venv/bin/python bench/sheets.py --participants 300 --actions 3 --downloads 5
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import io
import itertools
import json
import re
import sqlite3
import statistics
import subprocess
import time

from common import PY, ROOT, Server, facilitator, machine, pdf_floor, peak_rss_mb, percentile

NEXT = re.compile(r'content="2;url=([^"]+)"')

PREPARE = """
import random
from priorities import services
from priorities.models import Action
from workshops.models import Participant, Rencontre
from workshops.services import participant_contact_set
rng = random.Random(1)
rencontre = Rencontre.objects.get(code="{code}")
people = list(Participant.objects.filter(rencontre=rencontre))
actions = list(Action.objects.filter(rencontre=rencontre))
for n, p in enumerate(people):
    participant_contact_set(participant=p, email=f"participant{n}@example.org",
        email_consent=True, contact=f"06 00 00 {n // 100:02d} {n % 100:02d}",
        contact_consent=n % 2 == 0)
    if n % 3 == 0:
        action = rng.choice([a for a in actions if a.participant_id != p.pk])
        services.partnership_set(participant=p, action=action, joined=True)
print(len(people))
"""


def sent_count(database: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM workshops_mailsent").fetchone()[0]


def sheet_intervals(database: str) -> list[float]:
    """Seconds between consecutive sheets sent (`MailSent.sent_at`, in order)."""
    with sqlite3.connect(database) as db:
        sent = [
            dt.datetime.fromisoformat(row[0])
            for row in db.execute("SELECT sent_at FROM workshops_mailsent ORDER BY sent_at")
        ]
    return [(b - a).total_seconds() for a, b in itertools.pairwise(sent)]


async def run(args: argparse.Namespace) -> dict:
    server = Server(
        before_serving=[
            [
                "fill_rencontre",
                "{code}",
                "--participants",
                str(args.participants),
                "--actions",
                str(args.actions),
            ],
            ["shell", "-c", PREPARE],
        ]
    )
    database = server.env["DATABASE_URL"].removeprefix("sqlite:///")
    env = {**server.env, "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    worker = subprocess.Popen(
        [PY, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await server.ready()
        fac, csrf = await facilitator(server.base, server.demo)
        code = server.demo["code"]
        # Downloads from the personal page (before the end, as during the debrief): the page
        # that waits answers at once, the worker makes the file.
        with sqlite3.connect(database) as db:
            tokens = [
                row[0]
                for row in db.execute(
                    "SELECT token FROM workshops_participant ORDER BY id LIMIT ?",
                    (args.downloads,),
                )
            ]
        waits, downloads, pages = [], [], []
        from pypdf import PdfReader

        for token in tokens:
            t = time.perf_counter()
            response = await fac.get(f"/moi/{token}/fiche.pdf", timeout=60)
            waits.append(time.perf_counter() - t)
            while response.headers["content-type"] != "application/pdf":
                await asyncio.sleep(0.2)  # the page reloads itself every 2 s; polled faster
                response = await fac.get(
                    html.unescape(NEXT.search(response.text).group(1)), timeout=60
                )
                response.raise_for_status()
            downloads.append(time.perf_counter() - t)
            pages.append(len(PdfReader(io.BytesIO(response.content)).pages))
        t = time.perf_counter()
        end = await fac.post(
            f"/animer/{code}/terminer/",
            headers={"X-CSRFToken": csrf, "Referer": server.base},
            timeout=120,
        )
        end_seconds = time.perf_counter() - t
        assert end.status_code in (200, 302), end.status_code
        while sent_count(database) < args.participants:
            if time.perf_counter() - t > args.timeout:
                raise RuntimeError(f"only {sent_count(database)} sheets sent")
            await asyncio.sleep(0.5)
        all_seconds = time.perf_counter() - t
        worker_peak = peak_rss_mb(worker.pid)
        intervals = sheet_intervals(database)
        await fac.aclose()
        measured = {
            "participants": args.participants,
            "actions": args.participants * args.actions,
            "end_request_seconds": round(end_seconds, 2),
            "all_sheets_sent_seconds": round(all_seconds, 1),
            "seconds_per_sheet": round(all_seconds / args.participants, 3),
            "seconds_per_sheet_median": round(statistics.median(intervals), 3),
            "seconds_per_sheet_p95": round(percentile(intervals, 95), 3),
            "download_waiting_page_seconds_max": round(max(waits), 3),
            "download_seconds_median": round(statistics.median(downloads), 3),
            "download_seconds_max": round(max(downloads), 3),
            "download_pages": sorted(set(pages)),
            "worker_peak_rss_mb": round(worker_peak),
            "server_peak_rss_mb": round(peak_rss_mb(server.proc.pid)),
            "server": server.server,
            "database": server.database,
            "machine": machine(),
        }
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        server.stop()
    floor = pdf_floor("sheet", 1, args.floor_renders, server.env)
    measured["floor"] = floor
    measured["ratio_per_sheet_median"] = round(
        measured["seconds_per_sheet_median"] / floor["render_seconds_median"], 2
    )
    measured["ratio_per_sheet_p95"] = round(
        measured["seconds_per_sheet_p95"] / floor["render_seconds_p95"], 2
    )
    measured["ratio_download_median"] = round(
        measured["download_seconds_median"] / floor["render_seconds_median"], 2
    )
    measured["ratio_download_first"] = round(downloads[0] / floor["first_seconds"], 2)
    measured["download_seconds_first"] = round(downloads[0], 3)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--downloads", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--floor-renders", type=int, default=11, help="the first one included")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
