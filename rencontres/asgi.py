"""ASGI entry point: HTTP through Django (on SQLite in one shared thread:
`rencontres.handler`), WebSockets under /ws/ through Channels.

Sockets are authenticated by the session (facilitators) or the participant cookie, and only
accepted from the page's own origin: the Origin header must match the socket's scheme, host
and port (or be listed in CSRF_TRUSTED_ORIGINS), and the host must be in ALLOWED_HOSTS.

Under daphne, a connection that floods frames is cut at the transport (see
`guard_daphne_frames`): the consumers' own limit comes too late under a real flood.
"""

from __future__ import annotations

import logging
import os
import time
from urllib.parse import urlsplit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rencontres.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from rencontres.handler import SharedThreadASGIHandler  # noqa: E402

# SQLite: one writer at a time, so one shared thread (no lock contention, no thread per
# request). PostgreSQL: a few threads (HTTP_THREADS), whose requests overlap their waits on
# the database (commits, round trips) within the connection pool.
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    django_asgi_app = SharedThreadASGIHandler()
else:
    django_asgi_app = SharedThreadASGIHandler(threads=settings.HTTP_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402

from workshops.routing import websocket_urlpatterns  # noqa: E402

try:  # the frame guard applies when daphne serves; another server has its own limits
    from daphne.ws_protocol import WebSocketProtocol
except ImportError:  # pragma: no cover - daphne is a dependency
    WebSocketProtocol = None

DEFAULT_PORTS = {"http": 80, "https": 443}
logger = logging.getLogger("rencontres.security")

# Frames one connection may send per window before daphne drops it. Above the consumers'
# limit (workshops/consumers.py closes politely with 4429 first), far above a page's ping.
TRANSPORT_MAX_FRAMES = 100
TRANSPORT_WINDOW_SECONDS = 10.0
# Clients send nothing but "ping": a larger message is dropped from its frame header, before
# daphne buffers it (its default is no limit at all).
TRANSPORT_MAX_MESSAGE_BYTES = 4096


def guard_daphne_frames() -> None:
    """Drop (TCP abort) a daphne WebSocket connection sending more than TRANSPORT_MAX_FRAMES
    frames in TRANSPORT_WINDOW_SECONDS, before its frames are queued for the application, and
    refuse messages over TRANSPORT_MAX_MESSAGE_BYTES.

    Why at the transport: daphne parses every frame a socket has buffered in one go and queues
    each for the consumer, which takes them one per event-loop turn; a script sending tens of
    thousands of frames a second then holds the loop for every other phone long before the
    consumer sees its 21st frame. Counting in daphne's `onMessage` stops it within one read.
    """
    if WebSocketProtocol is None:  # daphne is not installed: the consumers' limit applies
        return
    if getattr(WebSocketProtocol, "frames_guarded", False):
        return
    deliver = WebSocketProtocol.onMessage

    def onMessage(self, payload, isBinary):
        if self.flooding:
            return
        now = time.monotonic()
        start, count = getattr(self, "frame_window", (now, 0))
        if now - start > TRANSPORT_WINDOW_SECONDS:
            start, count = now, 0
        self.frame_window = (start, count + 1)
        if count + 1 > TRANSPORT_MAX_FRAMES:
            self.flooding = True
            logger.warning("WebSocket from %s dropped: frame flood", self.client_addr)
            self.dropConnection(abort=True)
            return
        deliver(self, payload, isBinary)

    frame_begins = WebSocketProtocol.onMessageFrameBegin

    def onMessageFrameBegin(self, length):
        # autobahn's own payload limit would also cap what we send; this one is incoming only.
        frame_begins(self, length)
        if self.message_data_total_length > TRANSPORT_MAX_MESSAGE_BYTES and not self.flooding:
            self.flooding = True
            logger.warning("WebSocket from %s dropped: oversize message", self.client_addr)
            self.dropConnection(abort=True)

    WebSocketProtocol.onMessage = onMessage
    WebSocketProtocol.onMessageFrameBegin = onMessageFrameBegin
    WebSocketProtocol.flooding = False
    WebSocketProtocol.frames_guarded = True


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port made explicit; None if malformed."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return scheme, parts.hostname.lower(), port


def socket_origin_allowed(scope: dict) -> bool:
    """True when the Origin header is this server's own origin (scheme, host and port) or one
    of CSRF_TRUSTED_ORIGINS. Behind a proxy (BEHIND_PROXY), the scheme is X-Forwarded-Proto."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    origin_header, host = headers.get("origin", ""), headers.get("host", "")
    if not origin_header or not host:
        return False
    if not validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        return False
    secure = scope.get("scheme") == "wss"
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        secure = secure or forwarded == "https"
    origin = urlsplit(origin_header)
    claimed = _origin(origin.scheme.lower(), origin.netloc)
    if claimed is None:
        return False
    if claimed == _origin("https" if secure else "http", host):
        return True
    trusted = (urlsplit(o) for o in settings.CSRF_TRUSTED_ORIGINS)
    return any(claimed == _origin(t.scheme.lower(), t.netloc) for t in trusted)


class SameOriginValidator:
    """Refuse the handshake of a socket opened from another origin (cross-site hijacking)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if socket_origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


guard_daphne_frames()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
