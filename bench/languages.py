"""Two languages in one room: what a move costs the server when half the phones read English.

Starts its own server on loopback (the embedded default, or PostgreSQL/Redis from
DATABASE_URL/REDIS_URL), joins N phones through the form and opens their sockets in French;
moves the current activity M times (phase "fr"); then reopens half of the sockets with an
English browser (Accept-Language: en) and moves M times again (phase "fr+en"). For each phase:
the server's CPU per move, the delay until the last phone shows the move (p50/p95), and how
many different pushes the phones received for one move. A push rendered once per language
present costs one more render than the French-only phase (two distinct pushes), not one per
English phone: the CPU ratio of the two phases says which.

    .venv/bin/python bench/languages.py --phones 300 --moves 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import websockets
from common import Server, cookie_header, facilitator, join_phones, machine, percentile
from room import cpu_seconds


async def open_socket(base: str, code: str, phone, language: str | None):
    headers = {"Cookie": cookie_header(phone), "Origin": base}
    if language:
        headers["Accept-Language"] = language
    ws = await websockets.connect(
        base.replace("http", "ws") + f"/ws/p/{code}/", additional_headers=headers, max_size=None
    )
    await asyncio.wait_for(ws.recv(), 30)  # the state on connect
    return ws


async def moves(server: Server, sockets: list, fac, csrf: str, count: int) -> dict:
    base, code = server.base, server.demo["code"]

    async def wait_change(ws) -> tuple[float, str]:
        while True:
            text = await asyncio.wait_for(ws.recv(), 60)
            if 'id="stage"' in text:
                # The push's stamp (its first line) differs at each render of the same move.
                return time.perf_counter(), text.split("-->", 1)[1]

    last_phone, cpu_ms, distinct = [], [], []
    for move in range(count):
        waiters = [asyncio.ensure_future(wait_change(ws)) for ws in sockets]
        cpu0, t0 = cpu_seconds(server.proc.pid), time.perf_counter()
        await fac.post(
            f"/animer/{code}/{'suivante' if move % 2 == 0 else 'precedente'}/",
            headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": base},
        )
        arrivals = await asyncio.gather(*waiters)
        await asyncio.sleep(0.3)  # the server's own work after the last send
        cpu_ms.append((cpu_seconds(server.proc.pid) - cpu0) * 1000)
        last_phone.append((max(t for t, _html in arrivals) - t0) * 1000)
        distinct.append(len({html for _t, html in arrivals}))
    return {
        "server_cpu_ms_per_move_median": round(statistics.median(cpu_ms), 1),
        "last_phone_ms_median": round(statistics.median(last_phone), 1),
        "last_phone_ms_p95": round(percentile(last_phone, 95), 1),
        "distinct_pushes_per_move": sorted(set(distinct)),
    }


async def run(args: argparse.Namespace) -> dict:
    server = Server()
    try:
        await server.ready()
        base, code = server.base, server.demo["code"]
        phones = await join_phones(base, code, args.phones)
        sockets = [await open_socket(base, code, phone, None) for phone in phones]
        fac, csrf = await facilitator(base, server.demo)
        french = await moves(server, sockets, fac, csrf, args.moves)
        half = len(sockets) // 2
        for ws in sockets[:half]:
            await ws.close()
        sockets[:half] = [await open_socket(base, code, phone, "en") for phone in phones[:half]]
        await asyncio.sleep(1)
        both = await moves(server, sockets, fac, csrf, args.moves)
        for ws in sockets:
            await ws.close()
        for client in (*phones, fac):
            await client.aclose()
        extra = both["server_cpu_ms_per_move_median"] - french["server_cpu_ms_per_move_median"]
        return {
            "phones": args.phones,
            "english_phones": half,
            "moves_per_phase": args.moves,
            "fr": french,
            "fr+en": both,
            "cpu_ratio_two_languages_over_one": round(
                both["server_cpu_ms_per_move_median"] / french["server_cpu_ms_per_move_median"], 2
            ),
            "extra_cpu_ms_per_move": round(extra, 1),
            "database": server.database,
            "channel_layer": server.layer,
            "machine": machine(),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--moves", type=int, default=10)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
