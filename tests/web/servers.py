"""`policybot serve` as a real process on a free port, for tests that need a browser or HTTP.

Each server gets its own chat store (POLICYBOT_CONVERSATIONS_DB) so it starts empty and
tests never write to the developer's var/chat.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.conftest import ROOT

TODAY = "2026-11-30"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    chat_db: Path


@contextmanager
def serve(index_dir: Path, work_dir: Path, rasa_url: str, timeout: float = 90) -> Iterator[Server]:
    """Start `policybot serve`, wait for /health, stop it afterwards (log in work_dir)."""
    port = free_port()
    chat_db = work_dir / "conversations.sqlite"
    env = {**os.environ, "POLICYBOT_INDEX_DIR": str(index_dir), "POLICYBOT_CONVERSATIONS_DB": str(chat_db),
           "POLICYBOT_TODAY": TODAY, "POLICYBOT_RASA_URL": rasa_url}
    log_path = work_dir / "serve.log"
    exe = Path(sys.executable).parent / "policybot"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"policybot serve did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.3)
        yield Server(url, chat_db)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
