"""Rasa's endpoint requests over kept-alive connections (bot/components/action_connections.py)
against Rasa's own, under .venv-rasa's Python (tests/bot/test_action_connections.py runs it).

`python -m tests.rasa_connection_check` serves a small action server on loopback that
notes each request's client port (one port, one connection), its headers, query and
body; sends it the same requests through Rasa's `EndpointConfig.request` and through
the installed one; and prints JSON: what each saw and returned.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.components import action_connections

RASAS = EndpointConfig.request


class ActionServer:
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.drop_next = False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        port = request.transport.get_extra_info("peername")[1] if request.transport else None
        body = await request.read()
        self.seen.append({"port": port, "auth": request.headers.get("Authorization"),
                          "type": request.headers.get("Content-Type"), "token": request.query.get("token"),
                          "body": body.decode()})
        if self.drop_next and request.transport:
            # A connection the server closes before replying (as when it shuts down).
            self.drop_next = False
            request.transport.close()
            return web.Response()
        kind = request.match_info["kind"]
        if kind == "refused":
            return web.json_response({"action_name": "x", "error": "no"}, status=400)
        if kind == "text":
            return web.Response(text="plain")
        return web.json_response({"events": [], "echo": json.loads(body or b"null")})


async def _calls(endpoint: EndpointConfig, server: ActionServer) -> dict[str, Any]:
    server.seen.clear()
    answers = [await endpoint.request(json={"n": n}, method="post", subpath="/webhook/answer", timeout=10)
               for n in range(3)]
    try:
        await endpoint.request(json={}, method="post", subpath="/webhook/refused")
        refused: Any = None
    except ClientResponseError as exc:
        text = exc.text.decode() if isinstance(exc.text, bytes) else exc.text
        refused = {"status": exc.status, "text": text}
    text = await endpoint.request(method="get", subpath="/webhook/text")
    server.drop_next = True
    try:
        after_drop = await endpoint.request(json={"n": 9}, method="post", subpath="/webhook/answer")
    except Exception as exc:  # noqa: BLE001 - what a call fails with is the finding
        after_drop = type(exc).__name__
    return {"answers": answers, "refused": refused, "text": text, "after_drop": after_drop,
            "connections": len({s["port"] for s in server.seen}), "seen": list(server.seen)}


async def main() -> None:
    server = ActionServer()
    app = web.Application()
    app.router.add_route("*", "/webhook/{kind}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer secret"},
                              token="t0k")
    rasa = await _calls(endpoint, server)
    action_connections.install()
    replaced = EndpointConfig.request is not RASAS
    action_connections.install()
    kept = await _calls(endpoint, server)
    await runner.cleanup()
    once = EndpointConfig.request is action_connections.request
    found = {"rasa": rasa, "kept": kept, "replaced": replaced, "installed_once": once}
    sys.stdout.write(json.dumps(found) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
