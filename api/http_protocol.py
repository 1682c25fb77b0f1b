"""uvicorn's HTTP protocol with Nagle's algorithm off on every connection it accepts.

With several workers (`policybot serve --workers N`, the production profile) uvicorn
binds the listening socket itself as `socket.socket(family)`, whose protocol number is 0,
and asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP. A response is written
as headers and body in two sends; without TCP_NODELAY the body waits for the client to
acknowledge the headers, which a client on a kept-alive connection delays by its 40 ms
delayed-ACK timer. Measured here: 44 ms added to every request of a two-worker server
(a plain "ok" answer: 1.4 ms with one worker, 44 ms with two), about half of a chat turn.
One worker listens on a socket asyncio made itself and is not affected; setting the
option again there costs nothing.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on a TCP transport (no-op for anything else)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol (what it chooses itself without httptools installed)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)


PROTOCOL = f"{__name__}:{NoDelayH11Protocol.__name__}"
# How long an idle connection stays open. Rasa keeps its connections to the action
# webhook alive and drops them after 2 s idle (bot/components/action_connections.py):
# the client must give up first, or it may send a call on a connection being closed.
KEEP_ALIVE_SECONDS = 5
