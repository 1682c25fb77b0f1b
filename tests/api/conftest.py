"""One app over the real default index, shared by the API tests; Rasa-shaped call bodies."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import load_services
from knowledge.settings import Settings, get_settings

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rasa-3.6-action-call.json"
# What Rasa presents to /webhook (bot/endpoints.yml); the test app is configured with it.
ACTION_TOKEN = "test-action-token"
RASA_AUTH = {"Authorization": f"Bearer {ACTION_TOKEN}"}


def settings_for_tests(**overrides: Any) -> Settings:
    """Settings whose secrets are given, so tests never write the developer's var/secrets."""
    return Settings(**{"action_token": ACTION_TOKEN, "secret_key": "test-signing-key", **overrides})


@pytest.fixture(scope="session")
def client(default_index_dir: Path) -> Iterator[TestClient]:
    services = load_services(settings_for_tests(index_dir=default_index_dir))
    with TestClient(create_app(services), headers=RASA_AUTH) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POLICYBOT_TODAY", "2026-11-30")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def call(client: TestClient) -> Callable[..., tuple[int, dict[str, Any]]]:
    """Post the recorded Rasa 3.6 call with another action, message and slots."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))

    def post(action: str, text: str, slots: dict[str, Any] | None = None,
             entities: list[dict[str, Any]] | None = None,
             intent: tuple[str, float] | None = None,
             events: list[dict[str, Any]] | None = None) -> tuple[int, dict[str, Any]]:
        body = copy.deepcopy(recorded)
        body["next_action"] = action
        body["tracker"]["latest_message"]["text"] = text
        body["tracker"]["latest_message"]["entities"] = entities or []
        if intent is not None:
            body["tracker"]["latest_message"]["intent"] = {"name": intent[0], "confidence": intent[1]}
        if events is not None:
            body["tracker"]["events"] = events
        if slots is not None:
            body["tracker"]["slots"] = slots
        response = client.post("/webhook", json=body)
        return response.status_code, response.json()

    return post
