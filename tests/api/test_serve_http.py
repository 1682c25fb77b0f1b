"""`policybot serve` as a real process on a real port, called the way Rasa calls it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import FIXTURE
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(default_index_dir: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "POLICYBOT_INDEX_DIR": str(default_index_dir),
           "POLICYBOT_TODAY": "2026-11-30"}
    exe = Path(sys.executable).parent / "policybot"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.5)
        else:
            pytest.fail("policybot serve did not become healthy in 90 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_rasa_call_over_http(server: str) -> None:
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    response = httpx.post(f"{server}/webhook", json=body, timeout=10)
    assert response.status_code == 200
    data = response.json()
    assert data["responses"][0]["text"] == "第50条由区商务局、区财政局负责。"
    assert data["events"][0]["name"] == "current_measures"


def test_question_about_measure_40_over_http(server: str) -> None:
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    body["next_action"] = "action_answer_question"
    body["tracker"]["latest_message"]["text"] = "2022年开始的小规模纳税人六税两费减半政策还有吗?"
    data = httpx.post(f"{server}/webhook", json=body, timeout=10).json()
    assert "第40条" in data["responses"][0]["text"]
    assert "目前已到期" in data["responses"][0]["text"]


def test_bad_body_over_http_is_4xx(server: str) -> None:
    response = httpx.post(f"{server}/webhook", content=b"\xff\xfe", timeout=10,
                          headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
