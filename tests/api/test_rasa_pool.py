"""Several Rasa processes behind one chat proxy (POLICYBOT_RASA_URL as a list): a turn goes
to the least busy (round robin among equals), a process that refuses the connection is
skipped (and tried last for a while), and a failure after the request was sent is a 503
that never asks a second Rasa (the turn may have been processed). /health lists every
Rasa. Rasa stand-ins on real ports, as in test_chat_proxy.py; the real Rasa processes of
the production profile are the lead's end-to-end tests.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import rasa_pool
from api.rasa_pool import RasaPool
from api.routers import chat, health
from api.services import Services
from tests.api.conftest import router_app, settings_for_tests
from tests.api.rasa_standin import RasaStandIn, rasa_standin
from tests.live import free_port


@pytest.fixture
def two() -> Iterator[tuple[RasaStandIn, RasaStandIn]]:
    with rasa_standin() as first, rasa_standin() as second:
        yield first, second


def proxy_for(rasa_url: str, tmp_path: Any, services: Services | None = None) -> TestClient:
    settings = settings_for_tests(rasa_url=rasa_url, conversations_db=tmp_path / "chat.sqlite",
                                  client_rate_limits="1000/minute", conversation_rate_limits="1000/minute")
    return TestClient(router_app(settings, chat.router, health.router, services=services))


def _turns(proxy: TestClient, count: int) -> list[int]:
    token = None
    codes = []
    for n in range(count):
        body = {"message": f"问题{n}", **({"sender": token} if token else {})}
        response = proxy.post("/api/chat", json=body)
        codes.append(response.status_code)
        token = response.json().get("sender", token)
    return codes


def test_the_pool_starts_each_turn_at_the_next_process() -> None:
    pool = RasaPool(["http://a", "http://b", "http://c"])
    assert [pool.order() for _ in range(4)] == [
        ["http://a", "http://b", "http://c"], ["http://b", "http://c", "http://a"],
        ["http://c", "http://a", "http://b"], ["http://a", "http://b", "http://c"]]
    with pytest.raises(ValueError):
        RasaPool([])


def test_the_least_busy_process_comes_first() -> None:
    pool = RasaPool(["http://a", "http://b", "http://c"])
    with pool.taking("http://a"), pool.taking("http://a"), pool.taking("http://b"):
        assert pool.order() == ["http://c", "http://b", "http://a"]
        with pool.taking("http://c"):  # b and c equally busy: the turn order decides
            assert pool.order()[:2] == ["http://b", "http://c"]
            assert pool.order()[:2] == ["http://c", "http://b"]
    assert pool._in_flight == {"http://a": 0, "http://b": 0, "http://c": 0}


def test_a_process_that_refused_goes_last_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(rasa_pool.time, "monotonic", lambda: now[0])
    pool = RasaPool(["http://a", "http://b"])
    pool.refused("http://a")
    with pool.taking("http://b"), pool.taking("http://b"):  # busier, but up
        assert [pool.order()[0] for _ in range(2)] == ["http://b", "http://b"]
        now[0] += rasa_pool.DOWN_SECONDS + 0.1
        assert pool.order()[0] == "http://a"


def test_turns_go_around_a_rasa_busy_with_a_slow_one(two: tuple[RasaStandIn, RasaStandIn]) -> None:
    slow, fast = two
    slow.delay = 1.0
    pool = RasaPool([slow.url, fast.url])

    async def run() -> None:
        async with httpx.AsyncClient() as client:
            first = asyncio.create_task(chat.ask_rasa(client, pool, "one", "慢的问题"))
            await asyncio.sleep(0.2)  # in flight at the slow process
            for n in range(3):  # round robin would send the second of these there too
                await chat.ask_rasa(client, pool, f"other{n}", f"问题{n}")
            await first

    asyncio.run(run())
    assert [r["sender"] for r in slow.received] == ["one"]
    assert [r["sender"] for r in fast.received] == ["other0", "other1", "other2"]


def test_turns_are_spread_over_every_rasa(two: tuple[RasaStandIn, RasaStandIn], tmp_path: Any) -> None:
    first, second = two
    with proxy_for(f"{first.url}, {second.url}/", tmp_path) as proxy:
        assert _turns(proxy, 6) == [200] * 6
    assert len(first.received) == len(second.received) == 3
    # One conversation, whichever process took each turn.
    assert len({r["sender"] for r in first.received + second.received}) == 1


def test_a_rasa_that_refuses_connections_is_skipped(two: tuple[RasaStandIn, RasaStandIn], tmp_path: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    first, _ = two
    dead = f"http://127.0.0.1:{free_port()}"
    with caplog.at_level(logging.WARNING, logger=chat.__name__), \
            proxy_for(f"{dead},{first.url}", tmp_path) as proxy:
        assert _turns(proxy, 4) == [200] * 4
    assert [r["message"] for r in first.received] == ["问题0", "问题1", "问题2", "问题3"]
    # Tried once, then last while it stays down: one refusal, not one per turn.
    assert sum("refused the connection" in r.getMessage() for r in caplog.records) == 1


def test_no_rasa_accepting_is_503(tmp_path: Any) -> None:
    urls = ",".join(f"http://127.0.0.1:{free_port()}" for _ in range(2))
    with proxy_for(urls, tmp_path) as proxy:
        response = proxy.post("/api/chat", json={"message": "你好"})
    assert response.status_code == 503 and response.json()["detail"] == chat.UNAVAILABLE


def test_a_failure_after_the_request_was_sent_is_not_retried_elsewhere(
        two: tuple[RasaStandIn, RasaStandIn], tmp_path: Any) -> None:
    first, second = two
    first.status, first.reply = 500, {"error": "internal"}
    with proxy_for(f"{first.url},{second.url}", tmp_path) as proxy:
        assert proxy.post("/api/chat", json={"message": "第一轮"}).status_code == 503
    assert len(first.received) == 1 and second.received == []


def test_a_rasa_that_times_out_is_not_retried_elsewhere(two: tuple[RasaStandIn, RasaStandIn],
                                                        tmp_path: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _, second = two
    monkeypatch.setattr(chat, "RASA_TIMEOUT", httpx.Timeout(1.0, connect=1.0))
    with socket.socket() as silent:  # accepts the connection, reads the turn, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with proxy_for(f"{url},{second.url}", tmp_path) as proxy:
            response = proxy.post("/api/chat", json={"message": "你好"})
    assert response.status_code == 503
    assert second.received == []


def test_health_lists_every_rasa(two: tuple[RasaStandIn, RasaStandIn], tmp_path: Any,
                                 fake_app_services: Services) -> None:
    first, second = two
    dead = f"http://127.0.0.1:{free_port()}"
    with proxy_for(f"{first.url},{second.url}", tmp_path, fake_app_services) as proxy:
        body = proxy.get("/health").json()
    assert body["status"] == "ok" and body["checks"]["rasa"] == "ok"
    assert body["rasa"] == {first.url: "ok", second.url: "ok"}
    with proxy_for(f"{first.url},{dead}", tmp_path, fake_app_services) as proxy:
        body = proxy.get("/health").json()
    assert body["status"] == "degraded" and body["checks"]["rasa"] == "1 of 2 down"
    assert body["rasa"][first.url] == "ok" and body["rasa"][dead].startswith("unreachable")
