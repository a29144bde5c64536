"""The shared-thread HTTP handler (rencontres/handler.py) through the ASGI interface: a tap
answered and stored in one hop, the request's signals sent once, a streaming response sent
whole before it is closed, a body too large refused; with a pool of threads (PostgreSQL),
the same, and requests that run at once."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.core import signals
from django.test import Client, override_settings

from rencontres.handler import LARGE_BODY_BYTES, SharedThreadASGIHandler
from tests.factories import make_rencontre
from workshops import services
from workshops.models import Activity, Answer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CSRF = "k" * 32


@database_sync_to_async
def joined_phone_on_a_poll():
    rencontre = make_rencontre()
    poll = Activity.objects.filter(step__rencontre=rencontre, kind="poll").first()
    services.activity_goto(rencontre=rencontre, activity_id=poll.pk)
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}",
        {"name": "Léa", "organisation": "Région", "actor_type": "collectivite"},
    )
    cookies = "; ".join(f"{k}={v.value}" for k, v in phone.cookies.items())
    return rencontre, poll, f"{cookies}; csrftoken={CSRF}"


class Signals:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def started(self, **kwargs) -> None:
        self.sent.append("started")

    def finished(self, **kwargs) -> None:
        self.sent.append("finished")

    def __enter__(self) -> Signals:
        signals.request_started.connect(self.started)
        signals.request_finished.connect(self.finished)
        return self

    def __exit__(self, *exc) -> None:
        signals.request_started.disconnect(self.started)
        signals.request_finished.disconnect(self.finished)


async def call(method: str, path: str, headers: list, body: bytes = b"", handler=None) -> dict:
    """The handler called as an ASGI server calls it; the status and the whole body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await (handler or SharedThreadASGIHandler())(scope, receive, send)
    assert sent[0]["type"] == "http.response.start"
    assert not sent[-1].get("more_body", False)
    return {"status": sent[0]["status"], "body": b"".join(m.get("body", b"") for m in sent[1:])}


async def tap(path: str, data: dict, cookie: str, handler=None) -> dict:
    return await call(
        "POST",
        path,
        [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"cookie", cookie.encode()),
            (b"x-csrftoken", CSRF.encode()),
            (b"hx-request", b"true"),
        ],
        urlencode(data).encode(),
        handler,
    )


async def test_tap_is_answered_and_stored_with_one_start_and_one_finish():
    rencontre, poll, cookie = await joined_phone_on_a_poll()
    choice = poll.config["choices"][1]["id"]
    with Signals() as seen:
        response = await tap(
            f"/j/{rencontre.code}/a/{poll.pk}/repondre/", {"choice": choice}, cookie
        )
    assert response["status"] == 200
    assert "Réponse enregistrée" in response["body"].decode()
    assert seen.sent == ["started", "finished"]
    stored = await database_sync_to_async(
        lambda: list(Answer.objects.filter(activity=poll).values_list("data", flat=True))
    )()
    assert stored == [{"choices": [choice]}]


async def test_tap_without_csrf_token_is_refused_and_not_stored():
    rencontre, poll, cookie = await joined_phone_on_a_poll()
    choice = poll.config["choices"][0]["id"]
    response = await tap(
        f"/j/{rencontre.code}/a/{poll.pk}/repondre/",
        {"choice": choice},
        cookie.replace(f"csrftoken={CSRF}", "csrftoken=" + "z" * 32),
    )
    assert response["status"] == 403
    assert await database_sync_to_async(Answer.objects.filter(activity=poll).count)() == 0


# WhiteNoise's file iterator is synchronous: Django warns that it reads it whole (as it
# does under its own handler).
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous")
async def test_streaming_response_is_sent_whole_then_closed():
    path = "/static/js/coach.js"
    expected = (Path(__file__).resolve().parent.parent / "static/js/coach.js").read_bytes()
    with Signals() as seen:
        response = await call("GET", path, [])
    assert response["status"] == 200
    assert response["body"] == expected
    assert seen.sent == ["started", "finished"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
async def test_body_too_large_is_refused_by_the_handler():
    rencontre, poll, cookie = await joined_phone_on_a_poll()
    response = await tap(f"/j/{rencontre.code}/a/{poll.pk}/repondre/", {"other": "x" * 500}, cookie)
    assert response["status"] == 400
    assert await database_sync_to_async(Answer.objects.filter(activity=poll).count)() == 0


async def test_pooled_handler_answers_a_tap_in_its_own_threads():
    rencontre, poll, cookie = await joined_phone_on_a_poll()
    handler = SharedThreadASGIHandler(threads=3)
    threads = []
    respond = handler.respond

    def recording(scope, body_file, **flags):
        threads.append(threading.current_thread().name)
        return respond(scope, body_file, **flags)

    handler.respond = recording
    choice = poll.config["choices"][2]["id"]
    with Signals() as seen:
        response = await tap(
            f"/j/{rencontre.code}/a/{poll.pk}/repondre/", {"choice": choice}, cookie, handler
        )
    assert response["status"] == 200
    assert "Réponse enregistrée" in response["body"].decode()
    assert seen.sent == ["started", "finished"]
    assert len(threads) == 1
    assert threads[0].startswith("django-http")
    stored = await database_sync_to_async(
        lambda: list(Answer.objects.filter(activity=poll).values_list("data", flat=True))
    )()
    assert stored == [{"choices": [choice]}]


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous")
async def test_pooled_handler_runs_requests_at_once():
    """Three requests, each waiting inside Django for the other two (a barrier): they only
    all pass if the pool runs them together (the shared thread would run them one by one)."""
    handler = SharedThreadASGIHandler(threads=3)
    barrier = threading.Barrier(3, timeout=10)
    respond = handler.respond

    def waiting(scope, body_file, **flags):
        barrier.wait()
        return respond(scope, body_file, **flags)

    handler.respond = waiting
    responses = await asyncio.gather(
        *(call("GET", "/static/js/coach.js", [], handler=handler) for _ in range(3))
    )
    assert [r["status"] for r in responses] == [200, 200, 200]
    assert not barrier.broken


async def test_a_large_body_is_handled_outside_the_shared_thread():
    """An upload's parsing and copy must not hold the thread every tap waits for: a body over
    LARGE_BODY_BYTES runs in a thread of its own, a small one in the shared thread."""
    rencontre, poll, cookie = await joined_phone_on_a_poll()
    handler = SharedThreadASGIHandler()
    threads, passed = [], []
    respond = handler.respond

    def recording(scope, body_file, **flags):
        threads.append(threading.get_ident())
        passed.append(flags)
        return respond(scope, body_file, **flags)

    handler.respond = recording
    shared = await sync_to_async(threading.get_ident, thread_sensitive=True)()
    url = f"/j/{rencontre.code}/a/{poll.pk}/repondre/"
    choice = poll.config["choices"][0]["id"]
    small = await tap(url, {"choice": choice}, cookie, handler)
    large = await tap(url, {"choice": choice, "pad": "x" * LARGE_BODY_BYTES}, cookie, handler)
    assert (small["status"], large["status"]) == (200, 200)
    assert threads[0] == shared
    assert threads[1] != shared
    # The shared thread keeps its connection; the one-off thread closes its own (a no-op on
    # the tests' in-memory SQLite, hence the flags rather than the connection).
    assert passed == [{"own_thread": False, "once": False}, {"own_thread": True, "once": True}]
