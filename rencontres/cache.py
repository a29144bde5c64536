"""The Redis cache backend of the production recipe: Django's, with one client per process.

Django keeps its cache objects per context (`django.core.cache.caches` is an asgiref `Local`):
under ASGI every request and every WebSocket consumer runs in a context of its own, so each
gets a new `RedisCache`, and each of those opens its own connection pool. A thousand phones
joining then opened a thousand Redis connections (one per join request, one per socket, never
closed while the socket lived), and each paid a TCP connection and a handshake to Redis.
Here every instance of the process shares one client, whose redis-py pool is thread-safe and
keeps its connections for the next caller.
"""

from __future__ import annotations

import threading
from functools import cached_property

from django.core.cache.backends.redis import RedisCache


class SharedRedisCache(RedisCache):
    _clients: dict[tuple, object] = {}
    _lock = threading.Lock()

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._class(self._servers, **self._options)
        return client
