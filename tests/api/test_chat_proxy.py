"""The chat proxy's contract: server-issued conversation tokens, limits, faults as 503,
retries answered once, bounded and non-echoing errors, CORS on every response.

The chat router runs on a bare app (no index needed) in front of a Rasa stand-in on a
real port (tests/api/rasa_standin.py), so these run in seconds; the end-to-end tests
send the same requests through the real Rasa.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conversation_ids import ConversationIds
from api.conversations import BotMessage, ConversationStore
from api.routers import chat
from tests.api.conftest import ClientFactory, client_factory, router_app, settings_for_tests
from tests.api.rasa_standin import RasaStandIn, rasa_standin
from tests.live import free_port

ORIGIN = {"Origin": "http://www.hongqi.example"}
ANSWER = BotMessage("根据第52条:“支持企业参加境外国际性展会……”", [],
                    {"citations": [52], "departments": ["区商务局"]})


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    with rasa_standin() as standin:
        yield standin


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "chat" / "conversations.sqlite"




@pytest.fixture
def make_proxy(rasa: RasaStandIn, db_path: Path) -> Iterator[ClientFactory]:
    """A TestClient on a bare app with the chat router; settings may be overridden."""
    with client_factory(lambda settings: router_app(settings, chat.router),
                        {"rasa_url": rasa.url, "conversations_db": db_path,
                         "client_rate_limits": "1000/minute", "conversation_rate_limits": "1000/minute"},
                        headers=ORIGIN) as make:
        yield make


@pytest.fixture
def proxy(make_proxy: ClientFactory) -> TestClient:
    return make_proxy()


def _ids() -> ConversationIds:
    return ConversationIds(settings_for_tests().secret_key)


def _start(proxy: TestClient, message: str = "出口展会有补贴吗?") -> str:
    response = proxy.post("/api/chat", json={"message": message})
    assert response.status_code == 200, response.text
    return str(response.json()["sender"])


# ---- conversation tokens ---------------------------------------------------------------

def test_first_message_gets_a_signed_token_that_continues_the_conversation(
        proxy: TestClient, rasa: RasaStandIn) -> None:
    first = proxy.post("/api/chat", json={"message": "出口展会有补贴吗?"})
    assert first.status_code == 200
    token = first.json()["sender"]
    raw = _ids().verify(token)
    assert raw is not None and token != raw
    assert first.json()["messages"][0]["custom"]["citations"] == [52]
    second = proxy.post("/api/chat", json={"sender": token, "message": "那找哪个部门?"})
    assert second.status_code == 200 and second.json()["sender"] == token
    # Rasa knows the conversation by its raw id, the same for both turns.
    assert [r["sender"] for r in rasa.received] == [raw, raw]
    history = proxy.post("/api/chat/history", json={"sender": token}).json()["turns"]
    assert [t["text"] for t in history if t["role"] == "user"] == ["出口展会有补贴吗?", "那找哪个部门?"]


@pytest.mark.parametrize("forged", ["web-1", "someone-elses-id.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                    "x" * 200, "abc.def.ghi"])
def test_a_token_this_server_did_not_sign_is_refused_on_every_route(
        proxy: TestClient, rasa: RasaStandIn, forged: str) -> None:
    for path, body in [("/api/chat", {"sender": forged, "message": "你好"}),
                       ("/api/chat/history", {"sender": forged}),
                       ("/api/chat/feedback", {"sender": forged, "message_id": 1, "rating": "up"})]:
        response = proxy.post(path, json=body)
        assert response.status_code == 403, path
        assert response.json() == {"code": "bad_conversation", "detail": chat.BAD_CONVERSATION}
        assert response.headers["access-control-allow-origin"] == "*"
    assert rasa.received == []


def test_a_token_signed_with_another_key_is_refused(proxy: TestClient) -> None:
    _, other = ConversationIds("another deployment's key").new()
    assert proxy.post("/api/chat/history", json={"sender": other}).status_code == 403


def test_one_conversation_cannot_read_or_rate_another(proxy: TestClient) -> None:
    alice, bob = _start(proxy, "alice asks"), _start(proxy, "bob asks")
    alice_turns = proxy.post("/api/chat/history", json={"sender": alice}).json()["turns"]
    bob_turns = proxy.post("/api/chat/history", json={"sender": bob}).json()["turns"]
    assert [t["text"] for t in bob_turns if t["role"] == "user"] == ["bob asks"]
    answer_id = alice_turns[1]["id"]
    response = proxy.post("/api/chat/feedback", json={"sender": bob, "message_id": answer_id,
                                                      "rating": "down"})
    assert response.status_code == 404
    assert proxy.post("/api/chat/feedback", json={"sender": alice, "message_id": answer_id,
                                                  "rating": "down"}).status_code == 204


def test_an_earlier_widgets_id_keeps_its_conversation_once(proxy: TestClient, db_path: Path,
                                                           rasa: RasaStandIn) -> None:
    legacy = "web-0123456789abcdef01234567"
    ConversationStore(db_path).add_exchange(legacy, "旧的问题", [ANSWER])
    taken = proxy.post("/api/chat/history", json={"sender": legacy})
    assert taken.status_code == 200
    token = taken.json()["sender"]
    assert _ids().verify(token) == legacy
    assert [t["text"] for t in taken.json()["turns"]] == ["旧的问题", ANSWER.text]
    # Signed from now on: the bare id is refused, the token continues the conversation.
    assert proxy.post("/api/chat/history", json={"sender": legacy}).status_code == 403
    assert proxy.post("/api/chat", json={"sender": token, "message": "继续"}).status_code == 200
    assert rasa.received[-1]["sender"] == legacy


def test_an_unknown_earlier_style_id_is_refused(proxy: TestClient) -> None:
    response = proxy.post("/api/chat", json={"sender": "web-ffffffffffffffffffffffff", "message": "你好"})
    assert response.status_code == 403


# ---- what reaches Rasa ----------------------------------------------------------------

@pytest.mark.parametrize(("typed", "sent"), [
    ("/restart", "\uff0frestart"),
    ('/ask_measure{"measure_number":"²"}', '\uff0fask_measure{"measure_number":"²"}'),
    ("第52条 / 第53条", "第52条 / 第53条"),
])
def test_text_starting_with_a_slash_reaches_rasa_as_text(proxy: TestClient, rasa: RasaStandIn,
                                                        typed: str, sent: str) -> None:
    token = _start(proxy)
    assert proxy.post("/api/chat", json={"sender": token, "message": typed}).status_code == 200
    assert rasa.received[-1]["message"] == sent
    turns = proxy.post("/api/chat/history", json={"sender": token}).json()["turns"]
    assert turns[-2]["text"] == typed  # the transcript keeps what the user typed


# ---- bounded, non-echoing errors ----------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({}, "message"),
    ({"message": ""}, "message"),
    ({"message": "   \n"}, "message"),
    ({"message": "问" * 2001}, "message"),
    ({"message": 5}, "message"),
    ({"message": "\ud800"}, "message"),
    ({"message": "你好", "sender": "\ud800"}, "sender"),
    ({"message": "你好", "sender": "有空格 的"}, "sender"),
    ({"message": "你好", "turn_id": "short"}, "turn_id"),
])
def test_bad_chat_body_is_422_naming_the_field_without_echoing_it(
        proxy: TestClient, body: dict[str, object], field: str) -> None:
    # json.dumps escapes a lone surrogate as "\\ud800", as a hostile client would send it.
    response = proxy.post("/api/chat", content=json.dumps(body),
                          headers={"content-type": "application/json"})
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid"
    assert [e["loc"][-1] for e in data["detail"]] == [field]
    assert set(data["detail"][0]) == {"loc", "msg", "type"}
    assert "问问" not in response.text and len(response.content) < 1000
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/history", "/api/chat/feedback"])
def test_bodies_over_16_kb_are_413_before_parsing(proxy: TestClient, rasa: RasaStandIn,
                                                  path: str) -> None:
    started = time.monotonic()
    response = proxy.post(path, content=b'{"message": "' + b"a" * 5_000_000 + b'"}',
                          headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "2000" in response.json()["detail"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert time.monotonic() - started < 2
    assert rasa.received == []


def test_a_body_without_length_is_cut_off_at_the_limit(proxy: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"message": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    response = proxy.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_the_longest_allowed_message_is_accepted(proxy: TestClient) -> None:
    assert proxy.post("/api/chat", json={"message": "问" * 2000}).status_code == 200


@pytest.mark.parametrize("message_id", [2**63, -1, 0, "1e400"])
def test_feedback_message_ids_are_bounded(proxy: TestClient, message_id: object) -> None:
    token = _start(proxy)
    response = proxy.post("/api/chat/feedback", json={"sender": token, "message_id": message_id,
                                                      "rating": "up"})
    assert response.status_code == 422


# ---- Rasa's and the store's faults ------------------------------------------------------

def test_rasa_down_is_503_in_chinese_and_stores_nothing(make_proxy: ClientFactory, db_path: Path) -> None:
    proxy = make_proxy(rasa_url=f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    response = proxy.post("/api/chat", json={"message": "出口补贴怎么申请?"})
    assert response.status_code == 503
    assert response.json() == {"code": "unavailable", "detail": chat.UNAVAILABLE}
    assert response.headers["access-control-allow-origin"] == "*"
    assert time.monotonic() - started < 5
    assert ConversationStore(db_path).history("anyone") == []


def test_rasa_that_never_answers_times_out_as_503(make_proxy: ClientFactory,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat, "RASA_TIMEOUT", httpx.Timeout(1.0, connect=1.0))
    with socket.socket() as silent:  # accepts connections (kernel backlog) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        proxy = make_proxy(rasa_url=f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        response = proxy.post("/api/chat", json={"message": "你好"})
    assert response.status_code == 503
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("status", "reply"), [
    (500, {"error": "internal"}),
    (200, {"not": "a list"}),
    (200, []),  # what Rasa answers when its tracker store fails
    (200, [{"image": "http://example.invalid/a.png"}]),
])
def test_rasa_failing_or_answering_nothing_is_503_and_nothing_is_stored(
        proxy: TestClient, rasa: RasaStandIn, db_path: Path, status: int, reply: object) -> None:
    token = _start(proxy)
    rasa.status, rasa.reply = status, reply
    response = proxy.post("/api/chat", json={"sender": token, "message": "第二个问题"})
    assert response.status_code == 503
    assert "暂时不可用" in response.json()["detail"]
    turns = proxy.post("/api/chat/history", json={"sender": token}).json()["turns"]
    assert "第二个问题" not in [t["text"] for t in turns]


def test_a_locked_store_is_503_with_cors_within_its_timeout(make_proxy: ClientFactory, db_path: Path) -> None:
    proxy = make_proxy(store_timeout=0.5)
    token = _start(proxy)
    locker = sqlite3.connect(db_path)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = proxy.post("/api/chat", json={"sender": token, "message": "第二个问题"})
        elapsed = time.monotonic() - started
        history = proxy.post("/api/chat/history", json={"sender": token})
    finally:
        locker.rollback()
        locker.close()
    assert response.status_code == 503 and history.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response.headers["access-control-allow-origin"] == "*"
    assert elapsed < 3
    # Once the lock is gone the conversation goes on.
    assert proxy.post("/api/chat", json={"sender": token, "message": "再问一次"}).status_code == 200


def test_a_store_down_before_the_turn_keeps_the_turn_from_rasa(make_proxy: ClientFactory, db_path: Path,
                                                               rasa: RasaStandIn) -> None:
    proxy = make_proxy(store_timeout=0.3)
    token = _start(proxy)
    locker = sqlite3.connect(db_path)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        response = proxy.post("/api/chat", json={"sender": token, "message": "第二个问题"})
    finally:
        locker.rollback()
        locker.close()
    assert response.status_code == 503
    assert [r["message"] for r in rasa.received] == ["出口展会有补贴吗?"]


def test_an_answer_the_store_could_not_take_is_stored_by_the_retry(make_proxy: ClientFactory, db_path: Path,
                                                                  rasa: RasaStandIn) -> None:
    """Rasa answers, then the store is locked: 503. The widget's retry (same turn_id)
    gets that answer, and Rasa is not asked a second time."""
    proxy = make_proxy(store_timeout=0.3)
    token = _start(proxy)
    body = {"sender": token, "message": "展位费补贴多少?", "turn_id": "turn-0002"}
    rasa.delay = 0.6

    async def while_rasa_answers() -> httpx.Response:
        transport = httpx.ASGITransport(app=proxy.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as client:
            pending = asyncio.create_task(client.post("/api/chat", json=body))
            await asyncio.sleep(0.3)
            locker.execute("BEGIN EXCLUSIVE")
            return await pending

    locker = sqlite3.connect(db_path, check_same_thread=False)
    try:
        failed = asyncio.run(while_rasa_answers())
    finally:
        locker.rollback()
        locker.close()
    assert failed.status_code == 503
    rasa.delay = 0
    retried = proxy.post("/api/chat", json=body)
    assert retried.status_code == 200
    assert retried.json()["messages"][0]["custom"]["citations"] == [52]
    assert [r["message"] for r in rasa.received].count("展位费补贴多少?") == 1
    turns = proxy.post("/api/chat/history", json={"sender": token}).json()["turns"]
    assert [t["role"] for t in turns] == ["user", "bot", "user", "bot"]


def test_a_store_that_cannot_be_opened_is_503(make_proxy: ClientFactory, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the store's folder should be")
    proxy = make_proxy(conversations_db=blocked / "conversations.sqlite")
    response = proxy.post("/api/chat", json={"message": "你好"})
    assert response.status_code == 503
    assert response.headers["access-control-allow-origin"] == "*"


# ---- retries and concurrency --------------------------------------------------------------

def test_a_retried_turn_is_answered_from_the_store_not_asked_twice(proxy: TestClient,
                                                                  rasa: RasaStandIn) -> None:
    token = _start(proxy)
    body = {"sender": token, "message": "展位费补贴多少?", "turn_id": "turn-0001"}
    first, again = proxy.post("/api/chat", json=body), proxy.post("/api/chat", json=body)
    assert first.status_code == again.status_code == 200
    assert again.json()["messages"] == first.json()["messages"]
    assert [r["message"] for r in rasa.received].count("展位费补贴多少?") == 1
    turns = proxy.post("/api/chat/history", json={"sender": token}).json()["turns"]
    assert [t["text"] for t in turns if t["role"] == "user"].count("展位费补贴多少?") == 1


def test_a_second_turn_while_the_first_is_answered_gets_429(make_proxy: ClientFactory,
                                                           rasa: RasaStandIn) -> None:
    proxy = make_proxy()
    token = _start(proxy)
    rasa.delay = 1.0

    async def both() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=proxy.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as client:
            first = asyncio.create_task(client.post("/api/chat", json={"sender": token, "message": "一"}))
            await asyncio.sleep(0.3)
            second = await client.post("/api/chat", json={"sender": token, "message": "二"})
            return [await first, second]

    first, second = asyncio.run(both())
    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json() == {"code": "turn_in_flight", "detail": chat.TURN_IN_FLIGHT}
    assert second.headers["retry-after"] == "1"
    assert [r["message"] for r in rasa.received][-1] == "一"


# ---- fair use -----------------------------------------------------------------------------

def test_a_client_over_its_budget_gets_429_with_retry_after(make_proxy: ClientFactory,
                                                            rasa: RasaStandIn) -> None:
    proxy = make_proxy(client_rate_limits="3/minute")
    token = _start(proxy)
    assert proxy.post("/api/chat", json={"sender": token, "message": "二"}).status_code == 200
    assert proxy.post("/api/chat", json={"message": "三 (新对话)"}).status_code == 200
    response = proxy.post("/api/chat", json={"sender": token, "message": "四"})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert response.json()["detail"] == chat.RATE_LIMITED.format(seconds=seconds)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Retry-After" in response.headers["access-control-expose-headers"]
    assert len(rasa.received) == 3


def test_long_messages_use_the_budget_faster(make_proxy: ClientFactory) -> None:
    proxy = make_proxy(client_rate_limits="9/minute")
    assert proxy.post("/api/chat", json={"message": "问" * 2000}).status_code == 200  # 9 units
    assert proxy.post("/api/chat", json={"message": "你好"}).status_code == 429


def test_a_conversation_has_its_own_budget(make_proxy: ClientFactory) -> None:
    proxy = make_proxy(conversation_rate_limits="2/minute")
    token = _start(proxy)
    assert proxy.post("/api/chat", json={"sender": token, "message": "二"}).status_code == 200
    assert proxy.post("/api/chat", json={"sender": token, "message": "三"}).status_code == 200
    assert proxy.post("/api/chat", json={"sender": token, "message": "四"}).status_code == 429
    assert proxy.post("/api/chat", json={"message": "另一个对话"}).status_code == 200


def test_an_over_budget_client_is_refused_before_its_body_is_read(make_proxy: ClientFactory) -> None:
    proxy = make_proxy(client_rate_limits="1/minute")
    assert proxy.post("/api/chat", json={"message": "一"}).status_code == 200
    response = proxy.post("/api/chat", content=b"{not even json",
                          headers={"content-type": "application/json"})
    assert response.status_code == 429  # not 422: nothing was parsed
    assert response.headers["access-control-allow-origin"] == "*"
    assert int(response.headers["retry-after"]) >= 1


def test_long_messages_share_a_global_budget(make_proxy: ClientFactory) -> None:
    proxy = make_proxy(heavy_turn_rate_limits="9/minute")
    assert proxy.post("/api/chat", json={"message": "问" * 2000}).status_code == 200
    busy = proxy.post("/api/chat", json={"message": "另一个人的长消息" * 200})
    assert busy.status_code == 429
    assert busy.json()["code"] == "busy" and "简短的问题" in busy.json()["detail"]
    assert proxy.post("/api/chat", json={"message": "短问题照常回答"}).status_code == 200


def test_one_long_message_at_a_time_reaches_rasa(make_proxy: ClientFactory, rasa: RasaStandIn) -> None:
    proxy = make_proxy()
    rasa.delay = 0.8

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=proxy.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as client:
            first = asyncio.create_task(client.post("/api/chat", json={"message": "长" * 1000}))
            await asyncio.sleep(0.3)
            second = await client.post("/api/chat", json={"message": "也很长" * 300})
            short = await client.post("/api/chat", json={"message": "短的照常"})
            return [await first, second, short]

    first, second, short = asyncio.run(together())
    assert (first.status_code, second.status_code, short.status_code) == (200, 429, 200)
    assert second.json()["code"] == "busy"


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_proxy: ClientFactory) -> None:
    # TestClient's peer is "testclient": not a trusted proxy, so a forged header is ignored
    # and both requests count against the same client.
    proxy = make_proxy(client_rate_limits="1/minute")
    assert proxy.post("/api/chat", json={"message": "一"},
                      headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 200
    assert proxy.post("/api/chat", json={"message": "二"},
                      headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 429


def test_preflight_from_another_site_is_allowed(proxy: TestClient) -> None:
    for path in ("/api/chat", "/api/chat/history", "/api/chat/feedback"):
        response = proxy.options(path, headers={"Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"
        assert "POST" in response.headers["access-control-allow-methods"]


def test_a_listed_origin_is_echoed_and_others_get_no_grant(make_proxy: ClientFactory) -> None:
    proxy = make_proxy(chat_origins="http://www.hongqi.example, https://zwfw.hongqi.example")
    allowed = proxy.post("/api/chat", json={"message": "你好"})
    assert allowed.headers["access-control-allow-origin"] == "http://www.hongqi.example"
    other = proxy.post("/api/chat", json={"message": "你好"}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


# ---- Rasa's output folded for the widget -------------------------------------------------

def test_rasa_custom_payload_is_folded_into_its_text_message() -> None:
    # Rasa's REST channel sends a response's `custom` as a separate message after the text.
    rasa_output = [
        {"recipient_id": "web-1", "text": "根据第50条:……"},
        {"recipient_id": "web-1", "custom": {"citations": [50], "departments": ["区商务局"]}},
        {"recipient_id": "web-1", "text": "贵公司上一年度出口额大约多少万美元?",
         "buttons": [{"title": "是", "payload": "是"}]},
        {"recipient_id": "web-1", "custom": {"citations": [50], "asking": "annual_export_usd_10k"}},
        {"recipient_id": "web-1", "image": "http://example.invalid/a.png"},
    ]
    messages = chat.bot_messages(rasa_output)
    assert [(m.text, m.custom) for m in messages] == [
        ("根据第50条:……", {"citations": [50], "departments": ["区商务局"]}),
        ("贵公司上一年度出口额大约多少万美元?", {"citations": [50], "asking": "annual_export_usd_10k"})]
    assert messages[1].buttons == [{"title": "是", "payload": "是"}]


def test_rasa_message_already_carrying_custom_is_kept_whole() -> None:
    messages = chat.bot_messages([{"text": "第52条由区商务局负责。", "custom": {"citations": [52]}},
                                  {"custom": {"note": "second"}}])
    assert [(m.text, m.custom) for m in messages] == [
        ("第52条由区商务局负责。", {"citations": [52]}), (None, {"note": "second"})]


def test_rasa_output_that_is_not_a_list_is_an_error() -> None:
    with pytest.raises(ValueError):
        chat.bot_messages({"error": "x"})
