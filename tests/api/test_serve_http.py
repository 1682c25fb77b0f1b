"""`policybot serve` as a real process on a real port, called the way Rasa calls it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import FIXTURE, webhook_headers
from tests.live import api_server, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(default_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with api_server(default_index_dir, f"http://127.0.0.1:{free_port()}",
                    tmp_path_factory.mktemp("serve")) as url:
        yield url


def test_rasa_call_over_http(server: str) -> None:
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    response = httpx.post(f"{server}/webhook", json=body, headers=webhook_headers(), timeout=10)
    assert response.status_code == 200
    data = response.json()
    assert data["responses"][0]["text"] == "第50条由区商务局、区财政局负责。"
    assert data["events"][0]["name"] == "current_measures"


def test_question_about_measure_40_over_http(server: str) -> None:
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    body["next_action"] = "action_answer_question"
    body["tracker"]["latest_message"]["text"] = "2022年开始的小规模纳税人六税两费减半政策还有吗?"
    data = httpx.post(f"{server}/webhook", json=body, headers=webhook_headers(), timeout=10).json()
    assert "第40条" in data["responses"][0]["text"]
    assert "目前已到期" in data["responses"][0]["text"]


def test_bad_body_over_http_is_4xx(server: str) -> None:
    response = httpx.post(f"{server}/webhook", content=b"\xff\xfe", headers=webhook_headers(),
                          timeout=10)
    assert 400 <= response.status_code < 500
