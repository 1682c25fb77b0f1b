"""The app over the real measures, shared by the API tests, and Rasa-shaped call bodies.

Every API test runs twice: over an in-memory index built with a deterministic fake
embedder (tests/fakes.py: the fast tier, seconds) and over the real default index
(marker slow), so the dialogue logic is checked on each change and the real model before
a merge.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api.app import configure, create_app
from api.services import Services, load_services
from knowledge.catalog import Catalog
from knowledge.settings import Settings
from tests.conftest import PinToday
from tests.fakes import fake_services
from tests.live import ACTION_TOKEN, TODAY

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rasa-3.6-action-call.json"
# What Rasa presents to /webhook (bot/endpoints.yml): the test apps here and the test
# servers of tests/live.py are configured with the same token.
RASA_AUTH = {"Authorization": f"Bearer {ACTION_TOKEN}"}


_CHAT_DB = Path(tempfile.mkdtemp(prefix="policybot-tests-")) / "conversations.sqlite"


def settings_for_tests(**overrides: Any) -> Settings:
    """Settings whose secrets and chat store are given, so tests never write the
    developer's var/ (secrets, conversations)."""
    return Settings(**{"action_token": ACTION_TOKEN, "secret_key": "test-signing-key",
                       "conversations_db": _CHAT_DB, **overrides})


ClientFactory = Callable[..., TestClient]


def router_app(settings: Settings, *routers: APIRouter, services: Services | None = None) -> FastAPI:
    """An app configured as the service configures its own (middleware, limits, stores),
    with only the given routers: the test sees those routes and nothing else."""
    app = FastAPI()
    configure(app, settings)
    for router in routers:
        app.include_router(router)
    if services is not None:
        app.state.services = services
    return app


@contextmanager
def client_factory(make_app: Callable[[Settings], FastAPI], defaults: dict[str, Any],
                   **client_options: Any) -> Iterator[ClientFactory]:
    """make(**overrides): a started TestClient (its app's lifespan run) over the app made
    from settings_for_tests(defaults, then the overrides); every one is stopped at the end."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(make_app(settings_for_tests(**{**defaults, **overrides})), **client_options)
        clients.append(client.__enter__())
        return client

    try:
        yield make
    finally:
        for client in clients:
            client.__exit__(None, None, None)


def webhook_headers() -> dict[str, str]:
    """What every call to /webhook carries besides its body, as Rasa sends it."""
    return {"content-type": "application/json", **RASA_AUTH}


@pytest.fixture(scope="session")
def fake_app_services(catalog: Catalog) -> Services:
    """The fast tier's services, built once (about 5 s) for every test that needs them."""
    return fake_services(catalog, settings_for_tests())


@pytest.fixture(scope="session", params=["fake", pytest.param("real", marks=pytest.mark.slow)])
def services(request: pytest.FixtureRequest, catalog: Catalog) -> Services:
    if request.param == "fake":
        fake: Services = request.getfixturevalue("fake_app_services")
        return fake
    index_dir: Path = request.getfixturevalue("default_index_dir")
    return load_services(settings_for_tests(index_dir=index_dir))


@pytest.fixture(scope="session")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), headers=RASA_AUTH) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def pinned_today(today: PinToday) -> None:
    today(TODAY)


class Response(Protocol):
    """What the tests read of a response (the TestClient's may be httpx or httpx2)."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


class PostWebhook(Protocol):
    def __call__(self, body: bytes) -> Response: ...


@pytest.fixture
def post_webhook(client: TestClient) -> PostWebhook:
    """The one way the tests call POST /webhook (raw bytes, so malformed bodies too)."""

    def post(body: bytes) -> Response:
        return client.post("/webhook", content=body, headers=webhook_headers())

    return post


class Call(Protocol):
    def __call__(self, action: str, text: str, slots: dict[str, Any] | None = None,
                 entities: list[dict[str, Any]] | None = None,
                 intent: tuple[str, float] | None = None,
                 events: list[dict[str, Any]] | None = None) -> tuple[int, dict[str, Any]]: ...


@pytest.fixture
def call(post_webhook: PostWebhook) -> Call:
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
        response = post_webhook(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        return response.status_code, response.json()

    return post
