"""Which Rasa process takes a chat turn, when there are several (POLICYBOT_RASA_URL as a
comma-separated list; the production profile runs several per node).

The processes share every conversation (PostgreSQL tracker store, Redis lock store), so
any of them can take any turn: turns go round robin, and a process that refuses the
connection is skipped for the next one. Only a refused (or unanswered) connection is
retried elsewhere: the request never reached that Rasa, so the turn cannot be processed
twice. Anything after the request was sent (a timeout, a 500, a dropped connection) may
have changed the conversation already and is the caller's clean 503 instead.
"""

from __future__ import annotations

import itertools

import httpx

# Failures that prove the request was not sent: the connection was never made.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


class RasaPool:
    def __init__(self, urls: list[str]) -> None:
        if not urls:
            raise ValueError("no Rasa URL configured (POLICYBOT_RASA_URL)")
        self.urls = urls
        self._turns = itertools.count()

    def order(self) -> list[str]:
        """Every URL, starting with the next one in turn: the order one turn tries them."""
        start = next(self._turns) % len(self.urls)
        return self.urls[start:] + self.urls[:start]
