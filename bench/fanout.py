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
import statistics
import time

import websockets
from common import Server, cookie_header, facilitator, join_phones, machine, percentile, rss_mb


async def run(args: argparse.Namespace) -> dict:
    server = Server()
    try:
        await server.ready()
        base, code = server.base, server.demo["code"]
        rss_idle = rss_mb(server.proc.pid)
        t = time.perf_counter()
        phones = await join_phones(base, code, args.phones)
        join_seconds = time.perf_counter() - t
        ws_url = base.replace("http", "ws") + f"/ws/p/{code}/"
        sockets = []
        for phone in phones:
            ws = await websockets.connect(
                ws_url,
                additional_headers={"Cookie": cookie_header(phone), "Origin": base},
                max_size=None,
            )
            await asyncio.wait_for(ws.recv(), 30)  # the state on connect
            sockets.append(ws)
        rss_connected = rss_mb(server.proc.pid)
        fac, csrf = await facilitator(base, server.demo)

        async def wait_change(ws) -> float:
            while True:
                if 'id="stage"' in await asyncio.wait_for(ws.recv(), 30):
                    return time.perf_counter()

        latencies: list[float] = []
        all_delivered: list[float] = []
        for move in range(args.moves):
            waiters = [asyncio.ensure_future(wait_change(ws)) for ws in sockets]
            t0 = time.perf_counter()
            await fac.post(
                f"/animer/{code}/{'suivante' if move % 2 == 0 else 'precedente'}/",
                headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": base},
            )
            delays = [(arrival - t0) * 1000 for arrival in await asyncio.gather(*waiters)]
            latencies.extend(delays)
            all_delivered.append(max(delays))
        rss_end = rss_mb(server.proc.pid)
        for ws in sockets:
            await ws.close()
        for client in (*phones, fac):
            await client.aclose()
        return {
            "phones": args.phones,
            "moves": args.moves,
            "join_seconds": round(join_seconds, 2),
            "delivery_ms_median": round(statistics.median(latencies), 1),
            "delivery_ms_p95": round(percentile(latencies, 95), 1),
            "all_phones_ms_median": round(statistics.median(all_delivered), 1),
            "all_phones_ms_p95": round(percentile(all_delivered, 95), 1),
            "server_rss_mb": {
                "idle": round(rss_idle),
                "connected": round(rss_connected),
                "end": round(rss_end),
            },
            "database": server.database,
            "channel_layer": server.layer,
            "machine": machine(),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--moves", type=int, default=20)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
