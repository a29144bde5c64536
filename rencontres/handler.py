"""Django's HTTP handler for this ASGI application: every request's Django work runs in one
hop, in one shared thread (SQLite) or in a small fixed pool of threads (PostgreSQL).

Django's own `ASGIHandler` gives each request a thread of its own (asgiref's
`ThreadSensitiveContext`: a new thread per request) and, with synchronous middleware, goes back
and forth between that thread and the event loop around the view. Under a burst of taps that
costs more than the answer itself: a thread started per tap, several thread hops, and
concurrent SQLite writers sleeping in SQLite's busy handler (it polls the lock at 1 to 100 ms
intervals). Here the middleware chain is loaded in its synchronous mode, as under WSGI, and
the whole of it runs in the one thread where the WebSocket consumers already run their
database work (asgiref's single thread for thread-sensitive code): requests queue in order,
one connection per process, no lock contention inside the process. Python runs one thread at
a time anyway; a process serves one core, and the production recipe runs one process per core.

On PostgreSQL a request also waits on the server (round trips, the commit's flush to disk):
`threads` > 1 runs that many requests at once in a fixed pool, so that one request's waits
overlap another's Python work, still in one hop each and with the middleware in its
synchronous mode (Django's own handler, with an async-capable middleware in the chain, hopped
between the loop and a new thread several times per request).
"""

from __future__ import annotations

import functools
import io
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections, connections
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix

# An upload (a SIRENE file: tens of MB) is parsed and copied by Django in the view's thread:
# a body over this size runs in a thread of its own, so that the phones' requests queued in
# the shared thread do not wait for the copy (its one short write waits for SQLite's lock).
LARGE_BODY_BYTES = 1024 * 1024


class SharedThreadASGIHandler(ASGIHandler):
    def __init__(self, threads: int = 1) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        # One thread: asgiref's shared thread, where the consumers' database work runs too.
        self.executor = (
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django-http")
            if threads > 1
            else None
        )

    def in_thread(self, func, *, large: bool = False):
        """`func` made awaitable in this handler's thread(s), with the caller's context; for a
        request with a large body, in a thread of the loop's default pool instead."""
        if large:
            return sync_to_async(func, thread_sensitive=False)
        if self.executor is None:
            return sync_to_async(func, thread_sensitive=True)
        return sync_to_async(func, thread_sensitive=False, executor=self.executor)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive code runs in the one shared thread.
        await self.handle(scope, receive, send)

    async def handle(self, scope, receive, send):
        """The body read, then one hop to the shared thread for all of Django's work (the
        request signals, the middleware and the view), then the response sent. Django's own
        `handle` makes three hops (request_started, the response, its close) and two tasks
        to watch for a disconnect; a sync view cannot be stopped midway anyway."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        large = body_file.seek(0, io.SEEK_END) > LARGE_BODY_BYTES
        body_file.seek(0)
        try:
            respond = functools.partial(
                self.respond, own_thread=large or self.executor is not None, once=large
            )
            response = await self.in_thread(respond, large=large)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # closed once its content is sent
                    await self.in_thread(response.close, large=large)()
        finally:
            body_file.close()

    def respond(
        self, scope, body_file, *, own_thread: bool = False, once: bool = False
    ) -> HttpResponseBase:
        """In the handler's thread: the request's whole Django part. A response that does not
        stream is closed here (its content is already in memory), which ends the request.
        In a thread other than the shared one (`own_thread`), a streaming response's close may
        run in another thread: the view's connection is given back here (the responses that
        stream are files, read without the database). A thread used `once` (a large body)
        closes its connections."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        elif own_thread:
            close_old_connections()
        if once:
            connections.close_all()
        return response

    async def get_response_async(self, request):
        return await self.in_thread(self.get_response)(request)
