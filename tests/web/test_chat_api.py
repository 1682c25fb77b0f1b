"""The chat proxy's contract without Rasa: 503 instead of hanging, 422 reasons, history,
feedback. The router is mounted on a bare app so these run in seconds; the browser tests
exercise the same router inside `policybot serve`."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.conversations import BotMessage, ConversationStore
from api.routers import chat
from knowledge.settings import get_settings
from tests.web.servers import free_port, static_site

ANSWER = BotMessage("根据第52条:“支持企业参加境外国际性展会……”", [],
                    {"citations": [52], "departments": ["区商务局"]})
QUESTION = BotMessage("请问您属于哪类纳税主体?", [{"title": "小型微利企业", "payload": "小型微利企业"}],
                      {"citations": [40], "asking": "taxpayer_type"})


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "chat" / "conversations.sqlite")


@pytest.fixture
def rasa_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Rasa "down": nothing listens on this port."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("POLICYBOT_RASA_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def client(store: ConversationStore, rasa_url: str) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(chat.router)
    app.state.conversations = store
    with TestClient(app) as test_client:
        yield test_client


def test_rasa_down_is_503_in_chinese_and_stores_nothing(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/api/chat", json={"sender": "web-1", "message": "出口补贴怎么申请?"})
    assert response.status_code == 503
    assert "暂时不可用" in response.json()["detail"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert time.monotonic() - started < 5
    assert client.get("/api/chat/history", params={"sender": "web-1"}).json()["turns"] == []


def test_rasa_that_never_answers_times_out_as_503(client: TestClient, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    monkeypatch.setattr(chat, "RASA_TIMEOUT", httpx.Timeout(1.0, connect=1.0))
    with socket.socket() as silent:  # accepts connections (kernel backlog) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("POLICYBOT_RASA_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        get_settings.cache_clear()
        started = time.monotonic()
        response = client.post("/api/chat", json={"sender": "web-1", "message": "你好"})
    assert response.status_code == 503
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("status", "body"), [
    (500, '{"error": "internal"}'),
    (502, "<html>Bad Gateway</html>"),
    (200, "<html>a proxy's login page, not JSON</html>"),
    (200, '{"not": "a list"}'),
])
def test_rasa_failing_or_answering_nonsense_is_503(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                   status: int, body: str) -> None:
    with static_site(body, status=status, content_type="application/json") as upstream:
        monkeypatch.setenv("POLICYBOT_RASA_URL", upstream.rstrip("/"))
        get_settings.cache_clear()
        response = client.post("/api/chat", json={"sender": "web-1", "message": "你好"})
    assert response.status_code == 503
    assert "暂时不可用" in response.json()["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({"message": "你好"}, "sender"),
    ({"sender": "web 1", "message": "你好"}, "sender"),
    ({"sender": "网页", "message": "你好"}, "sender"),
    ({"sender": "a" * 65, "message": "你好"}, "sender"),
    ({"sender": "web-1"}, "message"),
    ({"sender": "web-1", "message": ""}, "message"),
    ({"sender": "web-1", "message": "   \n"}, "message"),
    ({"sender": "web-1", "message": "问" * 2001}, "message"),
    ({"sender": "web-1", "message": 5}, "message"),
])
def test_bad_chat_body_is_422_naming_the_field(client: TestClient, body: dict[str, object], field: str
                                               ) -> None:
    response = client.post("/api/chat", json=body)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
    assert response.headers["access-control-allow-origin"] == "*"


def test_longest_allowed_sender_and_message_pass_validation(client: TestClient) -> None:
    # Valid bodies get as far as Rasa, which is down here: 503, not 422.
    body = {"sender": "a_B-9" * 12 + "abcd", "message": "问" * 2000}
    assert client.post("/api/chat", json=body).status_code == 503


def test_history_returns_turns_in_order(client: TestClient, store: ConversationStore) -> None:
    stored = store.add_exchange("web-1", "出口展会有补贴吗?", [ANSWER])
    store.add_exchange("web-2", "别人的问题", [ANSWER])
    store.add_exchange("web-1", "我想核对条件", [QUESTION])
    data = client.get("/api/chat/history", params={"sender": "web-1"}).json()
    assert data["sender"] == "web-1"
    assert [(t["role"], t["text"]) for t in data["turns"]] == [
        ("user", "出口展会有补贴吗?"), ("bot", ANSWER.text),
        ("user", "我想核对条件"), ("bot", QUESTION.text)]
    assert data["turns"][1] == {"id": stored[0].id, "role": "bot", "text": ANSWER.text, "buttons": [],
                                "custom": ANSWER.custom, "rating": None}
    assert data["turns"][3]["buttons"] == QUESTION.buttons
    assert client.get("/api/chat/history", params={"sender": "nobody"}).json()["turns"] == []
    assert client.get("/api/chat/history", params={"sender": "bad id"}).status_code == 422


def test_feedback_is_stored_and_can_change(client: TestClient, store: ConversationStore) -> None:
    [answer] = store.add_exchange("web-1", "出口展会有补贴吗?", [ANSWER])
    response = client.post("/api/chat/feedback", json={"sender": "web-1", "message_id": answer.id,
                                                       "rating": "up"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert [t.rating for t in store.history("web-1")] == [None, "up"]
    client.post("/api/chat/feedback", json={"sender": "web-1", "message_id": answer.id, "rating": "down"})
    assert client.get("/api/chat/history", params={"sender": "web-1"}).json()["turns"][1]["rating"] == "down"


def test_feedback_on_a_message_that_is_not_the_senders_bot_message_is_404(
        client: TestClient, store: ConversationStore) -> None:
    [answer] = store.add_exchange("web-1", "出口展会有补贴吗?", [ANSWER])
    user_turn_id = store.history("web-1")[0].id
    for sender, message_id in [("web-2", answer.id), ("web-1", user_turn_id), ("web-1", answer.id + 99)]:
        response = client.post("/api/chat/feedback", json={"sender": sender, "message_id": message_id,
                                                           "rating": "up"})
        assert response.status_code == 404, (sender, message_id)
    assert [t.rating for t in store.history("web-1")] == [None, None]


@pytest.mark.parametrize("rating", ["good", "", None, 1])
def test_feedback_with_a_bad_rating_is_422(client: TestClient, store: ConversationStore,
                                           rating: object) -> None:
    [answer] = store.add_exchange("web-1", "出口展会有补贴吗?", [ANSWER])
    response = client.post("/api/chat/feedback", json={"sender": "web-1", "message_id": answer.id,
                                                       "rating": rating})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "rating"


def test_preflight_from_another_site_is_allowed(client: TestClient) -> None:
    for path in ("/api/chat", "/api/chat/feedback"):
        response = client.options(path, headers={"Origin": "http://www.hongqi.example",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"
        assert "POST" in response.headers["access-control-allow-methods"]
        assert response.headers["access-control-allow-headers"].lower() == "content-type"


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
