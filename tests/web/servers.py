"""`policybot serve` as a real process on a free port, for tests that need a browser or HTTP.

Each server gets its own chat store (POLICYBOT_CONVERSATIONS_DB) so it starts empty and
tests never write to the developer's var/chat. `in_process` serves an app made in the
test's own process instead, for tests that replace a module (the admin's publishing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from tests.live import CONVERSATIONS_DB, api_server, free_port

__all__ = ["Server", "free_port", "in_process", "serve", "static_site"]


@dataclass
class Server:
    url: str
    chat_db: Path


@contextmanager
def serve(index_dir: Path, work_dir: Path, rasa_url: str) -> Iterator[Server]:
    """Start `policybot serve`, wait for /health, stop it afterwards (log in work_dir)."""
    with api_server(index_dir, rasa_url, work_dir) as url:
        yield Server(url, work_dir / CONVERSATIONS_DB)


@contextmanager
def in_process(app: ASGIApp) -> Iterator[str]:
    """The app on a free loopback port, served by uvicorn in a thread of this process
    (lifespan included); its URL once it has started."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-process test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def static_site(body_text: str, status: int = 200, content_type: str = "text/html; charset=utf-8"
                ) -> Iterator[str]:
    """Another origin (a port of its own) answering every GET and POST with one response.

    Serves a district site page embedding the widget, or an upstream that fails. A real
    loopback server rather than a routed fake page, because Chromium treats a page of
    unknown address as public and then refuses loopback scripts (Private Network Access).
    """
    body = body_text.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
