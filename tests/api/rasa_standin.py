"""A stand-in for Rasa's REST channel on a real loopback port, for the chat proxy's tests.

The proxy's own rules (tokens, limits, retries, faults) do not depend on what Rasa
answers, and some of Rasa's faults (an empty answer from a failing tracker store, a
reply that takes seconds) cannot be caused on demand with the real one. The real Rasa is
exercised by the end-to-end tests (tests/bot, tests/web/test_widget_live.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = [{"recipient_id": "x", "text": "根据第52条:“支持企业参加境外国际性展会……”"},
          {"recipient_id": "x", "custom": {"citations": [52], "departments": ["区商务局"]}}]


@dataclass
class RasaStandIn:
    url: str
    reply: Any = field(default_factory=lambda: ANSWER)
    status: int = 200
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def rasa_standin() -> Iterator[RasaStandIn]:
    """Answers every POST with `reply` (after `delay` seconds) and records what it got."""
    state = RasaStandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.received.append(json.loads(body or b"{}"))
            time.sleep(state.delay)
            payload = json.dumps(state.reply, ensure_ascii=False).encode("utf-8")
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 - Rasa's "/" answers 200 when it is up
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
