"""The answer service's connections send small writes at once (TCP_NODELAY), also when
uvicorn's several-worker mode binds the listening socket itself (api/http_protocol.py)."""

from __future__ import annotations

import ast
import asyncio
import socket
from typing import Any

import httpx
import pytest
import uvicorn

from api.http_protocol import KEEP_ALIVE_SECONDS, PROTOCOL
from tests.conftest import ROOT, cli


async def _ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _nodelay_of_served_connection(http: str) -> int:
    """Serve one request the way a uvicorn worker does (on a socket bound as uvicorn's
    multi-worker parent binds it) and read TCP_NODELAY on the server's side of it."""
    listener = socket.socket(family=socket.AF_INET)  # protocol number 0, as in uvicorn
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_ok, http=http, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/")
            assert response.text == "ok"
            (connection,) = server.server_state.connections
            sock = connection.transport.get_extra_info("socket")
            return int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        server.should_exit = True
        await serving


def test_uvicorns_own_protocol_leaves_nagle_on_for_a_socket_it_bound() -> None:
    # Why the project's protocol exists: this is what two workers gave (44 ms a request).
    assert asyncio.run(_nodelay_of_served_connection("h11")) == 0


def test_the_project_protocol_turns_nagle_off() -> None:
    assert asyncio.run(_nodelay_of_served_connection(PROTOCOL)) == 1


def test_serve_runs_uvicorn_with_the_project_protocol(private_var: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    code, _, err = cli("serve", "--port", "8999")
    assert code == 0, err
    assert calls and calls[0]["http"] == PROTOCOL
    assert calls[0]["timeout_keep_alive"] == KEEP_ALIVE_SECONDS


def test_rasa_drops_an_idle_connection_before_the_server_does() -> None:
    """Rasa's kept-alive connections (bot/components/action_connections.py, under Rasa's
    Python, so read from its source) must close before the server closes them."""
    source = (ROOT / "bot" / "components" / "action_connections.py").read_text(encoding="utf-8")
    rasa_keeps = next(ast.literal_eval(node.value) for node in ast.parse(source).body
                      if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "KEEPALIVE_SECONDS")
    assert 0 < rasa_keeps < KEEP_ALIVE_SECONDS
