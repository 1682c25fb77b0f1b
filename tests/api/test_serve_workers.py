"""`policybot serve --workers 2`: two real worker processes on one port behave as one
(turns in flight and rate limits shared through a real Redis). A Rasa stand-in answers
behind them, so a turn can be held in flight as long as the test needs.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.api.rasa_standin import RasaStandIn, rasa_standin
from tests.conftest import cli
from tests.live import api_server
from tests.stores import Server


@pytest.fixture(scope="module")
def standin() -> Iterator[RasaStandIn]:
    with rasa_standin() as rasa:
        yield rasa


@pytest.fixture(scope="module")
def two_workers(default_index_dir: Path, standin: RasaStandIn, redis_server: Server,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    redis.Redis.from_url(redis_server.url).flushdb()
    work = tmp_path_factory.mktemp("workers")
    env = {"POLICYBOT_WORKERS": "2", "POLICYBOT_REDIS_URL": redis_server.url,
           "POLICYBOT_CLIENT_RATE_LIMITS": "6/minute"}
    with api_server(default_index_dir, standin.url, work, env) as url:
        log = work / "api.log"
        deadline = time.monotonic() + 120
        while log.read_text(encoding="utf-8").count("Application startup complete") < 2:
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")[-3000:]
            time.sleep(0.5)
        yield url, log


def _post(url: str, body: dict[str, str]) -> httpx.Response:
    # A connection of its own per request, so the kernel may hand it to either worker.
    return httpx.post(f"{url}/api/chat", json=body, timeout=30)


@pytest.mark.e2e
def test_one_turn_in_flight_per_conversation_over_both_workers(two_workers: tuple[str, Path],
                                                               standin: RasaStandIn) -> None:
    url, _ = two_workers
    token = _post(url, {"message": "出口展会有补贴吗?"}).json()["sender"]
    standin.delay = 1.5
    results: list[httpx.Response] = []

    def send(n: int) -> None:
        results.append(_post(url, {"sender": token, "message": f"同时{n}"}))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(5)]
    try:
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join()
    finally:
        standin.delay = 0
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 429, 429, 429, 429], [r.text for r in results]
    assert {r.json()["code"] for r in results if r.status_code == 429} == {"turn_in_flight"}


@pytest.mark.e2e
def test_a_clients_budget_is_counted_over_both_workers(two_workers: tuple[str, Path],
                                                      redis_server: Server) -> None:
    url, log = two_workers
    redis.Redis.from_url(redis_server.url).flushdb()  # a full budget: 6 turns a minute
    codes = [_post(url, {"message": f"问题{n}"}).status_code for n in range(10)]
    # Counted per worker, up to twelve would pass.
    assert codes == [200] * 6 + [429] * 4
    # Both workers answered turns (each line names its process).
    pids = set(re.findall(r"\[(\d+)\] INFO api\.routers\.chat: chat ", log.read_text(encoding="utf-8")))
    assert len(pids) == 2, pids


def test_several_workers_without_redis_are_refused(private_var: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYBOT_REDIS_URL", raising=False)
    code, _, err = cli("serve", "--workers", "2")
    assert code == 2 and "POLICYBOT_REDIS_URL" in err
