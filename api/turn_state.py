"""Per-turn state of the chat proxy, in process or in Redis (api/shared_state.py).

- Turns in flight: one per conversation (a second message while the first is with Rasa
  is refused, api/fair_use.py), and at most a few heavy (long) turns with Rasa at once
  over all conversations.
- Answers kept for retries: an answer Rasa gave that the conversation store could not
  take, kept until the widget's retry (same turn id) stores it (api/routers/chat.py).

In process, the event loop makes check-and-set atomic. In Redis, each check-and-set is
one command or one script, and everything held expires by itself (a turn's lock after
TURN_TTL, longer than Rasa's timeout): a process killed in the middle of a turn blocks
its conversation for that long at most, never for good.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Protocol

from redis.asyncio import Redis

from api.conversations import BotMessage
from api.shared_state import unavailable_on_failure

PREFIX = "policybot:"
# Longer than a turn can take: Rasa's read timeout (30 s, api/routers/chat.py) plus the
# store's writes before and after it.
TURN_TTL = 60.0
# How long an answer waits for the widget's retry (it retries within seconds).
UNSAVED_TTL = 3600
UNSAVED_LIMIT = 1000


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason  # "turn_in_flight" or "busy"
        super().__init__(reason)


@dataclass(frozen=True)
class Ticket:
    """A turn admitted: what leave() releases."""

    conversation: str
    heavy: bool
    token: str


class TurnsInFlight(Protocol):
    async def enter(self, conversation: str, heavy: bool) -> Ticket:
        """Admit the turn, or raise Refused."""

    async def leave(self, ticket: Ticket) -> None: ...


class LocalTurns:
    """One process: sets in memory."""

    def __init__(self, heavy_max: int) -> None:
        self.heavy_max = heavy_max
        self._conversations: set[str] = set()
        self._heavy = 0

    async def enter(self, conversation: str, heavy: bool) -> Ticket:
        if conversation in self._conversations:
            raise Refused("turn_in_flight")
        if heavy and self._heavy >= self.heavy_max:
            raise Refused("busy")
        self._conversations.add(conversation)
        self._heavy += heavy
        return Ticket(conversation, heavy, "")

    async def leave(self, ticket: Ticket) -> None:
        self._conversations.discard(ticket.conversation)
        self._heavy -= ticket.heavy


# KEYS[1]: the conversation's lock, KEYS[2]: the heavy turns (a sorted set of tokens
# scored by when they expire). ARGV: token, lock ttl (ms), now (s), heavy expiry (s),
# heavy max, heavy (0/1). Returns 1 admitted, 0 turn in flight, -1 busy.
_ENTER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[6] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return -1 end
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
# Release the lock only if it is still this turn's (it may have expired and been taken).
_LEAVE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


class RedisTurns:
    """Several processes: a lock per conversation and a sorted set of heavy turns, each
    check-and-set one Lua script (atomic in Redis)."""

    def __init__(self, redis: Redis, heavy_max: int, ttl: float = TURN_TTL) -> None:
        self.redis = redis
        self.heavy_max = heavy_max
        self.ttl = ttl
        self._heavy_key = PREFIX + "heavy-turns"

    def _lock_key(self, conversation: str) -> str:
        return f"{PREFIX}turn:{conversation}"

    async def enter(self, conversation: str, heavy: bool) -> Ticket:
        token = secrets.token_hex(8)
        now = time.time()
        async with unavailable_on_failure("turns in flight"):
            admitted = await self.redis.eval(  # type: ignore[misc]  # redis-py types eval as sync|async
                _ENTER, 2, self._lock_key(conversation), self._heavy_key, token, int(self.ttl * 1000),
                now, now + self.ttl, self.heavy_max, int(heavy))
        if admitted == 0:
            raise Refused("turn_in_flight")
        if admitted == -1:
            raise Refused("busy")
        return Ticket(conversation, heavy, token)

    async def leave(self, ticket: Ticket) -> None:
        async with unavailable_on_failure("turns in flight"):
            await self.redis.eval(  # type: ignore[misc]
                _LEAVE, 2, self._lock_key(ticket.conversation), self._heavy_key, ticket.token)


Key = tuple[str, str]  # (conversation, turn id)


class UnsavedReplies(Protocol):
    async def get(self, key: Key) -> list[BotMessage] | None: ...

    async def keep(self, key: Key, replies: list[BotMessage]) -> None: ...

    async def drop(self, key: Key) -> None: ...


class LocalUnsaved:
    """One process: a bounded dict, the oldest dropped first."""

    def __init__(self, limit: int = UNSAVED_LIMIT) -> None:
        self.limit = limit
        self._kept: OrderedDict[Key, list[BotMessage]] = OrderedDict()

    async def get(self, key: Key) -> list[BotMessage] | None:
        return self._kept.get(key)

    async def keep(self, key: Key, replies: list[BotMessage]) -> None:
        self._kept[key] = replies
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)

    async def drop(self, key: Key) -> None:
        self._kept.pop(key, None)


class RedisUnsaved:
    """Several processes: the retry may reach another worker or node than the turn did."""

    def __init__(self, redis: Redis, ttl: int = UNSAVED_TTL) -> None:
        self.redis = redis
        self.ttl = ttl

    @staticmethod
    def _key(key: Key) -> str:
        return f"{PREFIX}unsaved:{key[0]}:{key[1]}"

    async def get(self, key: Key) -> list[BotMessage] | None:
        async with unavailable_on_failure("answers kept for retries"):
            found = await self.redis.get(self._key(key))
        if found is None:
            return None
        return [BotMessage(**m) for m in json.loads(found)]

    async def keep(self, key: Key, replies: list[BotMessage]) -> None:
        payload = json.dumps([asdict(r) for r in replies], ensure_ascii=False)
        async with unavailable_on_failure("answers kept for retries"):
            await self.redis.set(self._key(key), payload, ex=self.ttl)

    async def drop(self, key: Key) -> None:
        async with unavailable_on_failure("answers kept for retries"):
            await self.redis.delete(self._key(key))
