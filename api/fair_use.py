"""Fair use of the public chat: per-client and per-conversation rate limits, one turn
in flight per conversation.

One Rasa process answers everybody, so a single client sending at full speed (or
sending 2,000-character messages) makes every other user wait. Limits are counted in
cost units, not requests: a turn costs 1 plus 1 per 250 characters, because a long
message costs Rasa and the answer service more. Counting is done by the `limits`
library (moving windows; in memory for one process, Redis for several: api/shared_state.py,
whose failures are SharedStateUnavailable, a 503, never a turn let through uncounted).

A second message of a conversation while its first is still being answered is refused
(429) rather than queued behind Rasa's per-conversation lock: queued turns pile up and
time out together, and the widget never sends two at once anyway.

Per-client limits do not bound the sum over many clients. Long ("heavy") turns are
therefore also admitted globally: a budget per minute over all clients and at most a few
in flight at once, so that a crowd of senders of long messages cannot build a queue in
Rasa that every short question then waits behind (turns in flight: api/turn_state.py, in
process or in Redis). And a client already over its budget
is refused before its body is read or validated (`over_budget`, api/throttle.py): a
client that ignores Retry-After costs little more than the HTTP parsing.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from api.shared_state import SharedStateUnavailable, rate_limit_storage, unavailable_on_failure
from api.turn_state import LocalTurns, Refused, TurnsInFlight
from knowledge.settings import Settings

log = logging.getLogger(__name__)

CHARS_PER_UNIT = 250


class TooManyRequests(Exception):
    def __init__(self, reason: str, retry_after: int) -> None:
        self.reason = reason  # "rate_limited", "turn_in_flight" or "busy"
        self.retry_after = max(1, retry_after)
        super().__init__(reason)


def turn_cost(message: str) -> int:
    return 1 + len(message) // CHARS_PER_UNIT


class FairUse:
    def __init__(self, settings: Settings, turns: TurnsInFlight | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(rate_limit_storage(settings))
        self._client_limits = parse_many(settings.client_rate_limits)
        self._conversation_limits = parse_many(settings.conversation_rate_limits)
        self._trusted = [ipaddress.ip_network(p.strip(), strict=False)
                         for p in settings.trusted_proxies.split(",") if p.strip()]
        self._heavy_limits = parse_many(settings.heavy_turn_rate_limits)
        self._turns = turns or LocalTurns(settings.heavy_turns_in_flight)

    def client(self, request: Request) -> str:
        return self.client_of(request.client.host if request.client else None,
                              request.headers.get("x-forwarded-for", ""))

    def client_of(self, peer: str | None, forwarded_for: str) -> str:
        """The client's address: the peer, or behind trusted proxies the address the
        nearest trusted proxy saw (the rightmost untrusted X-Forwarded-For entry), which
        a client cannot forge by sending its own header."""
        peer = peer or "unknown"
        if not self._is_trusted(peer):
            return peer
        forwarded = [a.strip() for a in forwarded_for.split(",")]
        for address in reversed([a for a in forwarded if a]):
            if not self._is_trusted(address):
                return address
        return peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._trusted)

    async def over_budget(self, client: str) -> int | None:
        """Seconds to wait when the client cannot afford even the cheapest request."""
        async with unavailable_on_failure("rate limits"):
            for item in self._client_limits:
                if not await self._limiter.test(item, "client", client):
                    return max(1, await self._wait(item, "client", client))
        return None

    async def charge(self, client: str, conversation: str | None, cost: int) -> None:
        """Count one request; TooManyRequests when the client or the conversation is over
        its budget, or a heavy turn over the global one (nothing is counted then)."""
        async with unavailable_on_failure("rate limits"):
            await self._charge(client, conversation, cost)

    async def _charge(self, client: str, conversation: str | None, cost: int) -> None:
        checks: list[tuple[RateLimitItem, str, str, int]] = [
            (item, "client", client, cost) for item in self._client_limits]
        if conversation:
            checks += [(item, "conversation", conversation, cost) for item in self._conversation_limits]
        for item, kind, key, units in checks:
            if not await self._limiter.test(item, kind, key, cost=units):
                raise TooManyRequests("rate_limited", await self._wait(item, kind, key))
        if cost > 1:
            for item in self._heavy_limits:
                if not await self._limiter.test(item, "heavy", "all", cost=cost):
                    raise TooManyRequests("busy", await self._wait(item, "heavy", "all"))
            checks += [(item, "heavy", "all", cost) for item in self._heavy_limits]
        for item, kind, key, units in checks:
            await self._limiter.hit(item, kind, key, cost=units)

    async def _wait(self, item: RateLimitItem, kind: str, key: str) -> int:
        stats = await self._limiter.get_window_stats(item, kind, key)
        return math.ceil(stats.reset_time - time.time())

    @asynccontextmanager
    async def turn(self, conversation: str, cost: int = 1) -> AsyncIterator[None]:
        """Hold the conversation's one turn in flight, and for a heavy turn one of the
        few heavy places (in every process that shares the state: api/turn_state.py)."""
        try:
            ticket = await self._turns.enter(conversation, cost > 1)
        except Refused as exc:
            raise TooManyRequests(exc.reason, 1 if exc.reason == "turn_in_flight" else 2) from exc
        try:
            yield
        finally:
            try:
                await self._turns.leave(ticket)
            except SharedStateUnavailable as exc:
                # The turn is answered and stored; its place expires by itself (TURN_TTL).
                log.warning("could not release a turn in flight: %s", exc)
