"""Several answer-service processes sharing their state through a real Redis
(POLICYBOT_REDIS_URL): what one worker holds or counts, every other sees. Two apps in one
test stand for two workers (or two nodes): each has its own Redis clients and memory,
exactly as two processes would, and only Redis and the database are shared.

Redis's faults are the chat's: down is a Chinese 503 with CORS (never a 500, never a
hang), and its return restores service without restarting anything.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI

from api.app import configure
from api.routers import chat
from api.turn_state import RedisTurns, Refused
from tests.api.conftest import settings_for_tests
from tests.api.rasa_standin import RasaStandIn, rasa_standin
from tests.stores import Server

pytestmark = pytest.mark.e2e

ORIGIN = {"Origin": "http://www.hongqi.example"}


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    with rasa_standin() as standin:
        yield standin


@pytest.fixture
def redis_url(redis_server: Server) -> str:
    """The session's Redis, emptied for this test."""
    redis.Redis.from_url(redis_server.url).flushdb()
    return redis_server.url


def worker(rasa: RasaStandIn, db: Path, redis_url: str, **overrides: Any) -> FastAPI:
    """One answer-service process's chat (a bare app, no index), sharing Redis and the store."""
    settings = settings_for_tests(**{"rasa_url": rasa.url, "conversations_db": db, "redis_url": redis_url,
                                     "client_rate_limits": "1000/minute",
                                     "conversation_rate_limits": "1000/minute", "store_timeout": 0.5,
                                     **overrides})
    app = FastAPI()
    configure(app, settings)
    app.include_router(chat.router)
    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://proxy", headers=ORIGIN)


async def _start(app: FastAPI) -> str:
    async with client(app) as c:
        response = await c.post("/api/chat", json={"message": "出口展会有补贴吗?"})
    assert response.status_code == 200, response.text
    return str(response.json()["sender"])


def test_one_turn_in_flight_per_conversation_across_workers(rasa: RasaStandIn, tmp_path: Path,
                                                           redis_url: str) -> None:
    db = tmp_path / "chat.sqlite"
    first, second = worker(rasa, db, redis_url), worker(rasa, db, redis_url)

    async def run() -> list[httpx.Response]:
        token = await _start(first)
        rasa.delay = 1.0
        async with client(first) as a, client(second) as b:
            pending = asyncio.create_task(a.post("/api/chat", json={"sender": token, "message": "一"}))
            await asyncio.sleep(0.3)
            refused = await b.post("/api/chat", json={"sender": token, "message": "二"})
            answered = await pending
            rasa.delay = 0
            after = await b.post("/api/chat", json={"sender": token, "message": "三"})
        return [answered, refused, after]

    answered, refused, after = asyncio.run(run())
    assert (answered.status_code, refused.status_code, after.status_code) == (200, 429, 200)
    assert refused.json()["code"] == "turn_in_flight"
    assert [r["message"] for r in rasa.received] == ["出口展会有补贴吗?", "一", "三"]


def test_rate_limits_count_every_workers_requests(rasa: RasaStandIn, tmp_path: Path, redis_url: str) -> None:
    db = tmp_path / "chat.sqlite"
    apps = [worker(rasa, db, redis_url, client_rate_limits="3/minute") for _ in range(2)]

    async def run() -> list[int]:
        codes = []
        for n in range(4):
            async with client(apps[n % 2]) as c:
                codes.append((await c.post("/api/chat", json={"message": f"问题{n}"})).status_code)
        return codes

    assert asyncio.run(run()) == [200, 200, 200, 429]


def test_one_heavy_turn_at_a_time_across_workers(rasa: RasaStandIn, tmp_path: Path, redis_url: str) -> None:
    db = tmp_path / "chat.sqlite"
    first, second = worker(rasa, db, redis_url), worker(rasa, db, redis_url)
    rasa.delay = 0.8

    async def run() -> list[httpx.Response]:
        async with client(first) as a, client(second) as b:
            long = asyncio.create_task(a.post("/api/chat", json={"message": "长" * 1000}))
            await asyncio.sleep(0.3)
            other = await b.post("/api/chat", json={"message": "也很长" * 300})
            short = await b.post("/api/chat", json={"message": "短的照常"})
            return [await long, other, short]

    long, other, short = asyncio.run(run())
    assert (long.status_code, other.status_code, short.status_code) == (200, 429, 200)
    assert other.json()["code"] == "busy"


def test_an_answer_the_store_could_not_take_is_stored_by_a_retry_on_another_worker(
        rasa: RasaStandIn, tmp_path: Path, redis_url: str) -> None:
    db = tmp_path / "chat.sqlite"
    first, second = worker(rasa, db, redis_url, store_timeout=0.3), worker(rasa, db, redis_url)
    locker = sqlite3.connect(db, check_same_thread=False)

    async def run() -> tuple[httpx.Response, httpx.Response, str]:
        token = await _start(first)
        body = {"sender": token, "message": "展位费补贴多少?", "turn_id": "turn-0002"}
        rasa.delay = 0.6
        async with client(first) as a, client(second) as b:
            pending = asyncio.create_task(a.post("/api/chat", json=body))
            await asyncio.sleep(0.3)
            locker.execute("BEGIN EXCLUSIVE")
            failed = await pending
            locker.rollback()
            rasa.delay = 0
            retried = await b.post("/api/chat", json=body)
        return failed, retried, token

    try:
        failed, retried, token = asyncio.run(run())
    finally:
        locker.close()
    assert failed.status_code == 503
    assert retried.status_code == 200
    assert retried.json()["messages"][0]["custom"]["citations"] == [52]
    assert [r["message"] for r in rasa.received].count("展位费补贴多少?") == 1


def test_a_turns_place_expires_when_its_process_died(redis_url: str) -> None:
    async def run() -> None:
        turns = RedisTurns(redis.asyncio.Redis.from_url(redis_url), heavy_max=1, ttl=0.5)
        await turns.enter("c1", heavy=True)  # never left: its process died
        with pytest.raises(Refused, match="turn_in_flight"):
            await turns.enter("c1", heavy=False)
        with pytest.raises(Refused, match="busy"):
            await turns.enter("c2", heavy=True)
        await asyncio.sleep(0.6)
        late = await turns.enter("c1", heavy=True)
        # The dead turn's release, had it come, must not free the new turn's place.
        stale = await turns.enter("c3", heavy=False)
        await turns.leave(type(stale)("c1", True, "someone-elses-token"))
        with pytest.raises(Refused, match="turn_in_flight"):
            await turns.enter("c1", heavy=False)
        await turns.leave(late)
        await turns.enter("c1", heavy=True)
        await turns.redis.aclose()

    asyncio.run(run())


def test_redis_down_is_503_in_chinese_and_its_return_restores_the_chat(
        rasa: RasaStandIn, tmp_path: Path, redis_server: Server, redis_url: str) -> None:
    app = worker(rasa, tmp_path / "chat.sqlite", redis_url)

    async def run() -> tuple[httpx.Response, float, httpx.Response]:
        token = await _start(app)
        async with client(app) as c:
            await asyncio.to_thread(redis_server.stop)
            try:
                started = time.monotonic()
                down = await c.post("/api/chat", json={"sender": token, "message": "你好"})
                elapsed = time.monotonic() - started
            finally:
                await asyncio.to_thread(redis_server.start)
            # The same process, its clients reconnecting by themselves.
            back = await c.post("/api/chat", json={"sender": token, "message": "你好"})
        return down, elapsed, back

    down, elapsed, back = asyncio.run(run())
    assert down.status_code == 503
    assert down.json() == {"code": "unavailable", "detail": chat.UNAVAILABLE}
    assert down.headers["access-control-allow-origin"] == "*"
    assert elapsed < 3
    assert back.status_code == 200
    assert [r["message"] for r in rasa.received] == ["出口展会有补贴吗?", "你好"]


def test_a_redis_that_never_answers_is_503_within_the_timeout(rasa: RasaStandIn, tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (kernel backlog), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        app = worker(rasa, tmp_path / "chat.sqlite", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")

        async def run() -> httpx.Response:
            async with client(app) as c:
                return await c.post("/api/chat", json={"message": "你好"})

        started = time.monotonic()
        response = asyncio.run(run())
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert time.monotonic() - started < 3
    assert rasa.received == []
