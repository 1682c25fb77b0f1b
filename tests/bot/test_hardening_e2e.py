"""The public chat against hostile use, with the real servers: `policybot serve` and a
trained Rasa (tests/live.py), all over real HTTP on loopback."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time

import httpx
import pytest

from tests.live import CONVERSATIONS_DB, LiveStack

pytestmark = pytest.mark.e2e
ORIGIN = {"Origin": "http://www.hongqi.example"}


def _chat(stack: LiveStack, body: dict[str, object], timeout: float = 30) -> httpx.Response:
    return httpx.post(f"{stack.api_url}/api/chat", json=body, headers=ORIGIN, timeout=timeout)


def test_a_conversation_gets_its_token_and_answers_through_rasa(live_stack: LiveStack) -> None:
    first = _chat(live_stack, {"message": "出口信用保险保费能补贴多少?"})
    assert first.status_code == 200
    token = first.json()["sender"]
    assert "第50条" in first.json()["messages"][0]["text"]
    follow_up = _chat(live_stack, {"sender": token, "message": "那找哪个部门?"})
    assert follow_up.status_code == 200
    assert follow_up.json()["messages"][0]["text"].startswith("第50条由")


def test_a_30_kb_message_is_refused_quickly(live_stack: LiveStack) -> None:
    started = time.monotonic()
    response = _chat(live_stack, {"message": "补" * 10_000})  # 30 KB of UTF-8
    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == "*"
    assert time.monotonic() - started < 1


def test_a_forged_conversation_id_is_refused(live_stack: LiveStack) -> None:
    token = _chat(live_stack, {"message": "你好"}).json()["sender"]
    raw, _, signature = token.partition(".")
    for forged in (raw, f"{raw}.{signature[::-1]}", "web-0123456789abcdef01234567"):
        response = httpx.post(f"{live_stack.api_url}/api/chat/history", json={"sender": forged},
                              headers=ORIGIN, timeout=10)
        assert response.status_code == 403, forged
        assert response.json()["code"] == "bad_conversation"


def test_health_answers_while_long_messages_are_processed(live_stack: LiveStack) -> None:
    """Four 2,000-character messages at once (the longest allowed, no punctuation): the
    service keeps answering /health promptly throughout."""
    health_times: list[float] = []
    statuses: list[int] = []
    done = threading.Event()

    def send(seed: int) -> None:
        statuses.append(_chat(live_stack, {"message": "补贴申请" * 499 + str(seed)}, timeout=60).status_code)

    senders = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in senders:
        thread.start()

    def watch() -> None:
        while not done.is_set():
            started = time.monotonic()
            httpx.get(f"{live_stack.api_url}/health", timeout=10).raise_for_status()
            health_times.append(time.monotonic() - started)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for thread in senders:
        thread.join()
    done.set()
    watcher.join()
    assert statuses == [200] * 4
    assert len(health_times) >= 3
    assert max(health_times) < 1.0, health_times


def _non_loopback_address() -> str:
    """This machine's address on its outward interface (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 9))
        address = str(probe.getsockname()[0])
    assert not address.startswith("127."), "no non-loopback interface to test against"
    return address


def test_rasa_is_not_reachable_on_another_address(live_stack: LiveStack) -> None:
    port = int(live_stack.rasa_url.rsplit(":", 1)[1])
    assert httpx.get(f"{live_stack.rasa_url}/", timeout=5).status_code == 200
    with socket.socket() as outside, pytest.raises(OSError):
        outside.settimeout(3)
        outside.connect((_non_loopback_address(), port))


def test_a_locked_conversation_store_gives_503_with_cors(live_stack: LiveStack) -> None:
    token = _chat(live_stack, {"message": "你好"}).json()["sender"]
    locker = sqlite3.connect(live_stack.work_dir / CONVERSATIONS_DB)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        response = _chat(live_stack, {"sender": token, "message": "出口展会有补贴吗?"})
        health = httpx.get(f"{live_stack.api_url}/health", timeout=10).json()
    finally:
        locker.rollback()
        locker.close()
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response.headers["access-control-allow-origin"] == "*"
    assert health["status"] == "degraded" and health["checks"]["store"] == "unavailable"
    assert _chat(live_stack, {"sender": token, "message": "出口展会有补贴吗?"}).status_code == 200
