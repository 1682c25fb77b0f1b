"""Rasa's calls to the answer service over kept-alive connections.

Rasa 3.6 opens a new aiohttp session, so a new TCP connection, for every request to an
endpoint (`EndpointConfig.request`): up to three action calls a turn each cost a
connect, an accept and a close on both sides, and under load the answer service's
accept queue. Here each event loop (one per Sanic worker) keeps one session whose
connections are reused; everything else is Rasa's request: headers, authentication,
parameters, compression, errors (`ClientResponseError` for a status of 400 or more,
None for a body that is not JSON). An endpoint with its own CA file keeps Rasa's way.

Kept-alive connections can be closed by the server between two requests (uvicorn
closes one idle for 5 s; a restarted answer service closes them all). Idle connections
are dropped here after KEEPALIVE_SECONDS, before the server's limit, and a request
whose reused connection turns out closed before any reply is sent once more on a new
connection: the answer service's actions only read the tracker, and Rasa applies
events only from a reply it received, so a repeated call changes nothing.

Installed by the tracker store, like action_payload.py; `install()` is idempotent.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

KEEPALIVE_SECONDS = 2.0  # below uvicorn's 5 s, so the client closes an idle connection first
_INSTALLED = "_policybot_kept_alive"
_rasa_request = EndpointConfig.request
_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = (
    weakref.WeakKeyDictionary())


def _session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
                                        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
        _sessions[loop] = session
    return session


async def request(self: EndpointConfig, method: str = "post", subpath: str | None = None,
                  content_type: str | None = "application/json", compress: bool = False,
                  **kwargs: Any) -> Any:
    """EndpointConfig.request on this loop's kept-alive session (module docstring)."""
    if self.cafile:
        return await _rasa_request(self, method, subpath, content_type, compress, **kwargs)
    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    headers.update(self.headers or {})
    basic = self.basic_auth
    auth = aiohttp.BasicAuth(basic["username"], basic["password"]) if basic else None
    params = self.combine_parameters(kwargs)
    url = concat_url(self.url, subpath)

    async def send() -> Any:
        async with _session().request(method, url, headers=headers, auth=auth, params=params,
                                      compress=compress, **kwargs) as response:
            if response.status >= 400:
                raise ClientResponseError(response.status, response.reason, await response.content.read())
            try:
                return await response.json()
            except aiohttp.ContentTypeError:
                return None

    try:
        return await send()
    except aiohttp.ServerDisconnectedError:  # closed before replying: once more, on a new connection
        return await send()


def install() -> None:
    """Make every EndpointConfig request use the kept-alive sessions (once)."""
    if not getattr(EndpointConfig.request, _INSTALLED, False):
        setattr(request, _INSTALLED, True)
        EndpointConfig.request = request
