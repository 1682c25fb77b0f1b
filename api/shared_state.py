"""What the answer-service processes share: Redis when POLICYBOT_REDIS_URL is set.

One process (`make run`) keeps turns in flight, answers kept for retries and the
rate-limit counters in its own memory. Several processes (`policybot serve --workers N`,
several nodes) must agree on them, or a conversation could have two turns in flight on
two workers and a client would get N times its budget; so they keep them in one Redis
(api/turn_state.py, api/fair_use.py).

Redis is then on every chat turn's path, so its faults are the chat's: each call waits
at most the store's timeout (one retry on a fresh connection, which is what a restarted
Redis needs), and every failure is SharedStateUnavailable, answered with the Chinese
"try again" 503 like a conversation store that is down. Nothing needs restarting when
Redis is back: the clients reconnect on the next call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from limits.aio.storage import Storage
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from knowledge.settings import Settings

MEMORY = "async+memory://"


class SharedStateUnavailable(Exception):
    """Redis (turns in flight, rate limits, answers kept for retries) cannot be reached."""


def _client_options(settings: Settings) -> dict[str, Any]:
    return {"socket_timeout": settings.store_timeout, "socket_connect_timeout": settings.store_timeout,
            "retry": Retry(NoBackoff(), 1), "health_check_interval": 30}


def redis_client(settings: Settings) -> Redis | None:
    """A client (with its own connection pool) for POLICYBOT_REDIS_URL; None without it."""
    if not settings.redis_url:
        return None
    return Redis.from_url(settings.redis_url, **_client_options(settings))


def rate_limit_storage_url(settings: Settings) -> str:
    """POLICYBOT_RATE_LIMIT_STORAGE, or with it left at memory, POLICYBOT_REDIS_URL's server:
    counters kept per process would give each client a budget per process."""
    if settings.rate_limit_storage == MEMORY and settings.redis_url:
        return "async+" + settings.redis_url
    return settings.rate_limit_storage


def rate_limit_storage(settings: Settings) -> Storage:
    """The `limits` storage for the counters. limits 5.8 talks to Redis through coredis
    unless told otherwise; it is given redis-py's asyncio client (the project's one Redis
    library) with the same bounded waits as ours, and its failures wrapped as StorageError."""
    url = rate_limit_storage_url(settings)
    options: dict[str, Any] = {"wrap_exceptions": True}
    if url.startswith(("async+redis://", "async+rediss://", "async+redis+unix://")):
        options |= {"implementation": "redispy", **_client_options(settings)}
    storage = storage_from_string(url, **options)
    assert isinstance(storage, Storage), f"{url} is not an async storage (async+…://)"
    return storage


@asynccontextmanager
async def unavailable_on_failure(what: str) -> AsyncIterator[None]:
    """Any Redis or counter-storage failure inside, as SharedStateUnavailable."""
    try:
        yield
    except (RedisError, StorageError, OSError, TimeoutError) as exc:
        raise SharedStateUnavailable(f"{what}: {type(exc).__name__}: {exc}") from exc
