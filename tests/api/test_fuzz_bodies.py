"""Generated malformed bodies for the action webhook and the chat proxy: never a 5xx.

Hypothesis replaces parts of a real Rasa 3.6 action call (tests/fixtures) with arbitrary
JSON, drops them, or sends bytes that are not JSON at all; the chat routes get arbitrary
objects and bytes. Every answer must be a deliberate one (2xx or 4xx with a reason).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.actions import ACTIONS
from api.app import configure
from api.routers import chat
from tests.api.conftest import FIXTURE, settings_for_tests
from tests.api.rasa_standin import rasa_standin

# Thousands of generated requests take half a minute: in the full run, not the fast loop.
pytestmark = pytest.mark.slow
RECORDED: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
WEBHOOK_EXAMPLES = 1500
CHAT_EXAMPLES = 1000
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                      max_size=4),
    max_leaves=12,
)
# Where a tracker can go wrong: every field the actions read, and their parents.
PATHS = [
    ("next_action",), ("sender_id",), ("tracker",), ("domain",), ("version",),
    ("tracker", "sender_id"), ("tracker", "slots"), ("tracker", "latest_message"),
    ("tracker", "events"), ("tracker", "active_loop"), ("tracker", "latest_action_name"),
    ("tracker", "slots", "current_measures"), ("tracker", "slots", "eligibility_measure"),
    ("tracker", "slots", "eligibility_facts"), ("tracker", "slots", "eligibility_pending"),
    ("tracker", "slots", "eligibility_answer"), ("tracker", "slots", "requested_slot"),
    ("tracker", "latest_message", "text"), ("tracker", "latest_message", "intent"),
    ("tracker", "latest_message", "entities"), ("tracker", "latest_message", "intent", "name"),
    ("tracker", "latest_message", "intent", "confidence"),
]
MISSING = object()


@st.composite
def mutated_calls(draw: st.DrawFn) -> dict[str, Any]:
    body = copy.deepcopy(RECORDED)
    body["next_action"] = draw(st.sampled_from(sorted(ACTIONS)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        value = draw(st.one_of(json_values, st.just(MISSING)))
        target: Any = body
        for key in path[:-1]:
            if not isinstance(target, dict) or not isinstance(target.get(key), dict):
                break
            target = target[key]
        else:
            if value is MISSING:
                target.pop(path[-1], None)
            else:
                target[path[-1]] = value
    return body


@fuzz(WEBHOOK_EXAMPLES)
@given(body=mutated_calls())
def test_mutated_action_calls_never_give_a_server_error(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/webhook", json=body)
    assert response.status_code in {200, 400, 404, 422}, (response.status_code, response.text[:500])


@fuzz(300)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_arbitrary_bytes_to_the_webhook_are_4xx(client: TestClient, raw: bytes) -> None:
    response = client.post("/webhook", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in {200, 400, 404, 422}, (response.status_code, response.text[:500])


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("fuzz-chat") / "conversations.sqlite"
    with rasa_standin() as rasa:
        app = FastAPI()
        configure(app, settings_for_tests(rasa_url=rasa.url, client_rate_limits="1000000/minute",
                                          conversation_rate_limits="1000000/minute",
                                          conversations_db=db))
        app.include_router(chat.router)
        with TestClient(app) as client:
            yield client


chat_fields = st.fixed_dictionaries({}, optional={
    "message": json_values | st.text(max_size=2100),
    "sender": json_values | st.from_regex(r"[A-Za-z0-9_.-]{1,80}", fullmatch=True),
    "turn_id": json_values | st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True),
    "message_id": json_values,
    "rating": json_values | st.sampled_from(["up", "down"]),
})


@fuzz(CHAT_EXAMPLES)
@given(path=st.sampled_from(["/api/chat", "/api/chat/history", "/api/chat/feedback"]),
       body=chat_fields | json_values)
def test_arbitrary_chat_bodies_never_give_a_server_error(proxy: TestClient, path: str, body: Any) -> None:
    response = proxy.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers.get("access-control-allow-origin") == "*"
