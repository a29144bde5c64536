"""Django's HTTP handler for this ASGI application: every request's Django work runs in one
shared thread, in one hop.

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
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix


class SharedThreadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

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
        try:
            response = await sync_to_async(self.respond, thread_sensitive=True)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # closed once its content is sent
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def respond(self, scope, body_file) -> HttpResponseBase:
        """In the shared thread: the request's whole Django part. A response that does not
        stream is closed here (its content is already in memory), which ends the request."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
