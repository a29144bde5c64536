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
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler


class SharedThreadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive code runs in the one shared thread.
        await self.handle(scope, receive, send)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
