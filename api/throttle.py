"""Refuse a client that is over its budget before anything else is done for it.

A client that ignores Retry-After and sends at full speed would otherwise have every
request read, parsed and validated before the rate limit refuses it. This middleware
answers such a client's chat requests from the counters alone (api/fair_use.py), and
only after a short pause (POLICYBOT_THROTTLE_DELAY, 1 s by default; never longer than
Retry-After): a client that retries at once then sends one request a second instead of
hundreds, and the pause costs a sleeping coroutine, not CPU. The chat route pauses the
same way before the 429s it gives itself (a long message over the global budget), and
still charges every request that gets through, by its real cost. Counters that cannot be
read (Redis down) are a 503 here too, with the chat's CORS headers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import UNAVAILABLE, ApiError, api_response
from api.fair_use import FairUse, TooManyRequests
from api.routers.chat import too_many
from api.shared_state import SharedStateUnavailable

log = logging.getLogger(__name__)

THROTTLED_PATHS = frozenset({"/api/chat", "/api/match", "/match"})


class Throttle:
    def __init__(self, app: ASGIApp, fair_use: FairUse, delay: float,
                 extra_headers: Callable[[Scope], Mapping[str, str]]) -> None:
        self.app = app
        self.fair_use = fair_use
        self.delay = delay
        self.extra_headers = extra_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in THROTTLED_PATHS:
            headers = dict(scope.get("headers", []))
            peer = scope["client"][0] if scope.get("client") else None
            client = self.fair_use.client_of(peer, headers.get(b"x-forwarded-for", b"").decode("latin-1"))
            try:
                wait = await self.fair_use.over_budget(client)
            except SharedStateUnavailable as exc:
                log.error("chat: shared state (Redis) unavailable: %s", exc)
                response = api_response(ApiError(503, "unavailable", UNAVAILABLE))
                response.headers.update(self.extra_headers(scope))
                await response(scope, receive, send)
                return
            if wait is not None:
                await asyncio.sleep(min(self.delay, wait))
                response = api_response(too_many(TooManyRequests("rate_limited", wait)))
                response.headers.update(self.extra_headers(scope))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
