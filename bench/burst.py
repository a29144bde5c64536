"""Burst benchmark: N phones answer a poll within seconds; does the wall end exact and calm?

Against a real daphne on loopback: N phones join, the facilitator moves to a single-choice
poll, a screen socket listens, then every phone posts its answer at once (HTTP, as the
phone's tap does). Measured: answer POST latency (median, p95), answers per second, the
number of screen re-renders (coalesced, not one per answer), and whether the last render
shows exactly N answers with the exact count per choice.

    .venv/bin/python bench/burst.py --phones 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time

import websockets
from common import Server, cookie_header, facilitator, join_phones, machine, percentile, rss_mb

POLL_TITLE = "Quel est aujourd"


async def run(args: argparse.Namespace) -> dict:
    server = Server()
    try:
        await server.ready()
        base, demo = server.base, server.demo
        code = demo["code"]
        phones = await join_phones(base, code, args.phones)
        fac, csrf = await facilitator(base, demo)
        control = (await fac.get(f"/animer/{code}/")).text
        poll_id = int(
            re.search(
                r'name="activity" value="(\d+)">\s*<button class="agenda__activity[^"]*"[^>]*>\s*<span>'
                + POLL_TITLE,
                control,
            ).group(1)
        )
        await fac.post(
            f"/animer/{code}/aller/",
            data={"activity": poll_id},
            headers={"X-CSRFToken": csrf, "Referer": base},
        )
        ws = await websockets.connect(
            base.replace("http", "ws") + f"/ws/ecran/{code}/",
            additional_headers={"Cookie": cookie_header(fac), "Origin": base},
            max_size=None,
        )
        await ws.recv()  # state on connect
        choices = [f"c{i}" for i in range(1, 6)]
        renders: list[str] = []

        async def listen() -> None:
            while True:
                renders.append(await ws.recv())

        listener = asyncio.ensure_future(listen())
        latencies: list[float] = []

        async def answer(i: int, phone) -> None:
            page = await phone.get(f"/j/{code}/a/{poll_id}/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            t = time.perf_counter()
            r = await phone.post(
                f"/j/{code}/a/{poll_id}/repondre/",
                data={"choice": choices[i % 5]},
                headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": base},
            )
            latencies.append((time.perf_counter() - t) * 1000)
            assert "Réponse enregistrée" in r.text, r.text[:300]

        rss_before = rss_mb(server.proc.pid)
        t0 = time.perf_counter()
        await asyncio.gather(*(answer(i, p) for i, p in enumerate(phones)))
        posting = time.perf_counter() - t0
        await asyncio.sleep(1.5)  # let the last coalesced render arrive
        listener.cancel()
        last = renders[-1] if renders else ""
        expected = {c: sum(1 for i in range(args.phones) if choices[i % 5] == c) for c in choices}
        exact = f'data-answers="{args.phones}"' in last and all(
            f">{n} · " in last for n in expected.values()
        )
        await ws.close()
        for phone in phones:
            await phone.aclose()
        await fac.aclose()
        return {
            "phones": args.phones,
            "answers_posted_seconds": round(posting, 2),
            "answers_per_second": round(args.phones / posting, 1),
            "answer_post_ms_median": round(statistics.median(latencies), 1),
            "answer_post_ms_p95": round(percentile(latencies, 95), 1),
            "screen_renders": len(renders),
            "screen_renders_per_second": round(len(renders) / (posting + 1.5), 1),
            "last_render_exact": exact,
            "server_rss_mb": {"before": round(rss_before), "after": round(rss_mb(server.proc.pid))},
            "database": server.database,
            "channel_layer": server.layer,
            "machine": machine(),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
