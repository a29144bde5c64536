"""The production cache (Redis): Django makes a cache object per context (each request, each
socket), and each of Django's `RedisCache` opened its own connection pool. With
`rencontres.cache.SharedRedisCache` they share one client: a crowd of contexts costs a few
Redis connections, not one each."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import redis
from asgiref.sync import sync_to_async
from django.core.cache import caches

CONTEXTS = 60


def connections_of(server: redis.Redis, name: str) -> int:
    return sum(1 for client in server.client_list() if client.get("name") == name)


def test_contexts_share_one_client_and_a_few_connections(settings, redis_url):
    name = "rencontres-cache-test"
    settings.CACHES = {
        "default": {
            "BACKEND": "rencontres.cache.SharedRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "cache-test",
            "OPTIONS": {"client_name": name},
        }
    }
    server = redis.Redis.from_url(redis_url)

    def in_a_context(i: int) -> int:
        cache = caches["default"]
        cache.set(f"k{i}", i, 30)
        assert cache.get(f"k{i}") == i
        return id(cache._cache)

    async def crowd() -> list[int]:
        # As under ASGI: each task a context of its own, its Django work in a worker thread.
        return await asyncio.gather(
            *(
                asyncio.ensure_future(sync_to_async(in_a_context, thread_sensitive=False)(i))
                for i in range(CONTEXTS)
            )
        )

    # An event loop of its own, in a thread: the browser tests' Playwright may hold this one's.
    with ThreadPoolExecutor(max_workers=1) as runner:
        clients = runner.submit(asyncio.run, crowd()).result(timeout=60)
    assert len(set(clients)) == 1
    opened = connections_of(server, name)
    assert 1 <= opened <= 12  # the threads that ran at once, not one per context
