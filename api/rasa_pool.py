"""Which Rasa process takes a chat turn, when there are several (POLICYBOT_RASA_URL as a
comma-separated list; the production profile runs several per node).

The processes share every conversation (PostgreSQL tracker store, Redis lock store), so
any of them can take any turn: a turn goes to the process with the fewest turns this
answer-service process has in flight there (round robin among equals), and a process
that refuses the connection is skipped for the next one. A Rasa process works one turn
at a time on one core, so a turn sent blindly in turn can queue behind a slow one while
the other process is idle; the count is per answer-service process, which sees its own
share of the load. A process that refused a connection goes last for DOWN_SECONDS, so
while it is down (killed, restarting) turns do not each try it first. Only a refused
(or unanswered) connection is retried elsewhere: the request never reached that Rasa,
so the turn cannot be processed twice. Anything after the request was sent (a timeout,
a 500, a dropped connection) may have changed the conversation already and is the
caller's clean 503 instead.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

# Failures that prove the request was not sent: the connection was never made.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
# How long a process that refused a connection is tried last.
DOWN_SECONDS = 2.0


class RasaPool:
    def __init__(self, urls: list[str]) -> None:
        if not urls:
            raise ValueError("no Rasa URL configured (POLICYBOT_RASA_URL)")
        self.urls = urls
        self._turns = itertools.count()
        self._in_flight = dict.fromkeys(urls, 0)
        self._down_until = dict.fromkeys(urls, 0.0)

    def order(self) -> list[str]:
        """Every URL, the ones up first, then the least busy (ties: the next one in turn):
        the order one turn tries them."""
        start = next(self._turns) % len(self.urls)
        turn_order = self.urls[start:] + self.urls[:start]
        now = time.monotonic()
        # stable: ties keep turn order
        return sorted(turn_order, key=lambda url: (self._down_until[url] > now, self._in_flight[url]))

    def refused(self, url: str) -> None:
        """url refused a connection: try it last for a while."""
        self._down_until[url] = time.monotonic() + DOWN_SECONDS

    @contextmanager
    def taking(self, url: str) -> Iterator[None]:
        """Count a turn in flight at url while inside."""
        self._in_flight[url] += 1
        try:
            yield
        finally:
            self._in_flight[url] -= 1
