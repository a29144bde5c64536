"""Participants' sheets benchmark: a rencontre of 300 participants, each with a sheet e-mailed
by the background worker when the facilitator ends the rencontre.

The rencontre is filled through the services (`manage.py fill_rencontre`: priorities, tables,
actions, supports); every participant then gives an e-mail with its consent, every other one
a contact to exchange, and one in three joins an action of another. A real daphne serves it
beside the background worker (`manage.py db_worker`, the e-mails going to Django's dummy
backend). The facilitator ends the rencontre (`POST /animer/<code>/terminer/`): measured are
that request's time (it queues one task per participant), the time until the worker has sent
every sheet (one `MailSent` row each) and so the time per sheet, the worker's and daphne's
peak resident memory (VmHWM), and the download of a sheet from the personal page
(`/moi/<token>/fiche.pdf`: the waiting page, then the file the worker made), whose pages
are counted.

    .venv/bin/python bench/sheets.py --participants 300 --actions 3 --downloads 5
"""

from __future__ import annotations

import argparse
import asyncio
import html
import io
import json
import re
import sqlite3
import statistics
import subprocess
import time

from common import PY, ROOT, Server, facilitator, machine, peak_rss_mb

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
        await fac.aclose()
        return {
            "participants": args.participants,
            "actions": args.participants * args.actions,
            "end_request_seconds": round(end_seconds, 2),
            "all_sheets_sent_seconds": round(all_seconds, 1),
            "seconds_per_sheet": round(all_seconds / args.participants, 3),
            "download_waiting_page_seconds_max": round(max(waits), 3),
            "download_seconds_median": round(statistics.median(downloads), 3),
            "download_seconds_max": round(max(downloads), 3),
            "download_pages": sorted(set(pages)),
            "worker_peak_rss_mb": round(worker_peak),
            "daphne_peak_rss_mb": round(peak_rss_mb(server.proc.pid)),
            "database": server.database,
            "machine": machine(),
        }
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--downloads", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1800)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
