"""The CPU one tap costs in-process: a phone's answer POSTed to the ASGI application as the
server hands it over (`rencontres.asgi`: middleware, CSRF checked, the view, the service, the
part that answers, the gathered refresh), without a server or a client in the way. The figure
the room's ack latency depends on: one process acknowledges about 1 / (CPU per tap) taps a
second.

The demo rencontre (production settings, a throwaway SQLite file in WAL, or the empty
database of DATABASE_URL) with `--phones`
participants; for each kind, the facilitator moves to its activity and the phones tap in turn
(different values, so each tap writes). Reported: the median and p95 of the process CPU time
of one tap, over `--taps` taps per kind. `--profile KIND` prints the top of a cProfile of
that kind's taps too.

    .venv/bin/python bench/tap_cpu.py --taps 500
    .venv/bin/python bench/tap_cpu.py --taps 500 --kinds poll --profile poll
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(tmp: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/tap.sqlite3",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": f"{tmp}/static",
            "DJANGO_SETTINGS_MODULE": "rencontres.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", "--json", stdout=io.StringIO())


def tap_values(kind: str, activity, i: int) -> dict:
    config = activity.config
    if kind == "poll":
        choices = config["choices"]
        return {"choice": choices[i % len(choices)]["id"]}
    if kind == "scale":
        statements = config["statements"]
        return {"statement": statements[i % len(statements)]["id"], "value": i % 5 + 1}
    if kind == "words":
        return {"word0": f"Mot {i % 7}", "word1": "Savoir-faire"}
    if kind == "question":
        return {"text": f"Réponse {i}"}
    raise ValueError(kind)


def run(kinds: list[str], n_phones: int, n_taps: int, profile: str | None) -> None:
    from asgiref.sync import sync_to_async
    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from rencontres.asgi import application, django_asgi_app
    from workshops import access, services
    from workshops.models import Activity, Answer, Rencontre

    rencontre = Rencontre.objects.get()
    name = access.participant_cookie_name(rencontre)
    cookies = []
    for i in range(n_phones):
        participant = services.participant_join(
            rencontre=rencontre,
            name=f"Participant {i}",
            organisation="Bench",
            actor_type="entreprise",
            listed=True,
        )
        signed = access._signer(name).sign(participant.token)
        cookies.append((signed, get_random_string(32)))  # csrftoken as the phone page sets it

    async def post(path: str, data: dict, phone: int) -> tuple[int, bytes]:
        signed, csrf = cookies[phone]
        body = urlencode(data).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
                (b"cookie", f"{name}={signed}; csrftoken={csrf}".encode()),
                (b"x-csrftoken", csrf.encode()),
                (b"hx-request", b"true"),
                (b"referer", b"http://127.0.0.1/"),
            ],
            "client": ("127.0.0.1", 40000 + phone),
            "server": ("127.0.0.1", 80),
        }
        received = False

        async def receive():
            nonlocal received
            if received:
                await asyncio.sleep(3600)
            received = True
            return {"type": "http.request", "body": body, "more_body": False}

        status, chunks = 0, []

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                chunks.append(message.get("body", b""))

        await application(scope, receive, send)
        return status, b"".join(chunks)

    async def taps(kind: str, activity) -> None:
        url = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "repondre"])
        for phone in range(5):  # warm up: templates and queries compiled once
            await post(url, tap_values(kind, activity, 0), phone)
        costs = []
        profiler = cProfile.Profile() if profile == kind else None
        if profiler:  # Django's work runs in the handler's thread: profile it there
            get_response = django_asgi_app.get_response

            def profiled(request):
                profiler.enable()
                try:
                    return get_response(request)
                finally:
                    profiler.disable()

            django_asgi_app.get_response = profiled
        for i in range(n_taps):
            data = tap_values(kind, activity, i + 1)
            t0 = time.process_time()
            status, body = await post(url, data, i % n_phones)
            costs.append((time.process_time() - t0) * 1000)
            if status != 200 or "Réponse enregistrée" not in body.decode():
                raise SystemExit(f"{kind}: tap {i} not acknowledged ({status})")
        await asyncio.sleep(0.2)  # the last gathered refresh
        stored = await sync_to_async(Answer.objects.filter(activity=activity).count)()
        if stored != min(n_taps, n_phones):
            raise SystemExit(f"{kind}: {stored} answers stored for {n_taps} taps")
        costs.sort()
        p95 = costs[int(len(costs) * 0.95) - 1]
        print(
            f"{kind}: {n_taps} taps, CPU per tap median {statistics.median(costs):.2f} ms, "
            f"p95 {p95:.2f} ms"
        )
        if profiler:
            django_asgi_app.get_response = get_response
            profiler.dump_stats(f"tap-{kind}.prof")
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(70)
            stats.sort_stats("tottime").print_stats(40)

    for kind in kinds:
        activity = Activity.objects.filter(step__rencontre=rencontre, kind=kind).first()
        if activity is None:
            print(f"{kind}: no such activity in the demo rencontre")
            continue
        services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
        asyncio.run(taps(kind, activity))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default="poll,scale,words")
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--taps", type=int, default=500)
    parser.add_argument("--profile", default=None, help="a kind whose taps are profiled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        run(args.kinds.split(","), args.phones, args.taps, args.profile)


if __name__ == "__main__":
    main()
