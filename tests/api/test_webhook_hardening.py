"""The action webhook against callers that are not Rasa, and against malformed trackers:
401 without the token (before the body is read), 4xx with a reason for everything
malformed, never a 500."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import FIXTURE

RECORDED: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))


def _call(**tracker_changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(RECORDED)
    body["next_action"] = "action_answer_question"
    for path, value in tracker_changes.items():
        target = body["tracker"]
        *parents, leaf = path.split("__")
        for key in parents:
            target = target[key]
        target[leaf] = value
    return body


@pytest.mark.parametrize("auth", [None, "Bearer wrong-token", "Basic dGVzdA==", "test-action-token",
                                  "Bearer "])
@pytest.mark.parametrize(("method", "path"), [("POST", "/webhook"), ("GET", "/actions")])
def test_without_the_action_token_it_is_401(client: TestClient, auth: str | None, method: str,
                                            path: str) -> None:
    headers = {"Authorization": auth or ""}
    response = client.request(method, path, json=RECORDED if method == "POST" else None, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthorized"


def test_an_unauthorised_body_is_refused_unread(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/webhook", content=b"[" * 3_000_000, headers={"Authorization": "",
                                                                          "content-type": "application/json"})
    assert response.status_code == 401
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("changes", "field"), [
    ({"latest_message__entities": 5}, "entities"),
    ({"latest_message__entities": [{"entity": "measure_number", "value": {"nested": 1}}]}, "value"),
    ({"latest_message__intent": {"name": "ask_question", "confidence": "high"}}, "confidence"),
    ({"latest_message__intent": {"name": "ask_question", "confidence": 7}}, "confidence"),
    ({"latest_message__text": "问" * 10_001}, "text"),
    ({"slots__current_measures": ["abc"]}, "current_measures"),
    ({"slots__current_measures": [0]}, "current_measures"),
    ({"slots__current_measures": 50}, "current_measures"),
    ({"slots__eligibility_measure": "第四十四条"}, "eligibility_measure"),
    ({"slots__eligibility_facts": ["not", "a", "dict"]}, "eligibility_facts"),
    ({"slots": "none"}, "slots"),
    ({"latest_message": None}, "latest_message"),
])
def test_a_malformed_tracker_field_is_422_naming_it(client: TestClient, changes: dict[str, Any],
                                                    field: str) -> None:
    response = client.post("/webhook", json=_call(**changes))
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]
    assert len(response.content) < 3000


@pytest.mark.parametrize("value", ["²", "１", "5" * 5000, "-3", "44.0", ""])
def test_odd_measure_number_entities_are_ignored_not_fatal(client: TestClient, value: str) -> None:
    body = _call(latest_message__entities=[{"entity": "measure_number", "value": value}])
    body["next_action"] = "action_show_measure"
    response = client.post("/webhook", json=body)
    assert response.status_code == 200
    assert "第" in response.json()["responses"][0]["text"]


def test_a_5000_digit_number_literal_is_400(client: TestClient) -> None:
    body = json.dumps(_call()).replace('"current_measures": [50]', '"current_measures": [' + "5" * 5000 + "]")
    assert "5" * 5000 in body
    response = client.post("/webhook", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_json_nested_100000_deep_is_400_quickly(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/webhook", content=b"[" * 100_000 + b"]" * 100_000,
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "nested" in response.json()["error"]
    assert time.monotonic() - started < 2


def test_an_unterminated_string_of_escaped_quotes_is_400_quickly(client: TestClient) -> None:
    # The depth count once cut strings out with a regular expression first: quadratic
    # on this body (40 KB took 11 s; this one would hold a worker for minutes).
    started = time.monotonic()
    response = client.post("/webhook", content=b'{"a": "' + b'\\"' * 100_000,
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert time.monotonic() - started < 2


def test_a_body_over_4_mb_is_413(client: TestClient) -> None:
    response = client.post("/webhook", content=b" " * (4 * 1024 * 1024 + 1),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_long_unknown_action_name_is_not_echoed_whole(client: TestClient) -> None:
    body = _call()
    body["next_action"] = "a" * 200
    response = client.post("/webhook", json=body)
    assert response.status_code == 404
    body["next_action"] = "a" * 201
    assert client.post("/webhook", json=body).status_code == 422


def test_a_lone_surrogate_in_the_message_is_422_not_500(client: TestClient) -> None:
    body = json.dumps(_call(latest_message__text="出口\ud800信用保险"))  # escaped by json.dumps
    response = client.post("/webhook", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "text" in response.json()["error"]


def test_a_2000_character_run_is_answered_quickly(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/webhook", json=_call(latest_message__text="补" * 10_000))
    assert response.status_code == 200
    assert time.monotonic() - started < 2
