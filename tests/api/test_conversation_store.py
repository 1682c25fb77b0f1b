"""The conversation store on both engines it runs on: a SQLite file (the embedded profile,
files of earlier releases included) and PostgreSQL (the production profile, a real
server started by the test session). What the chat proxy and the report rely on must
hold on both; the faults a deployment meets (a server down, restarted, refusing
connections) must be StoreUnavailable within the store's timeout, and a restarted
server must serve again without a new store.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from api.conversations import BotMessage, ConversationStore, StoreUnavailable
from tests.live import free_port
from tests.stores import Server

ANSWER = BotMessage("根据第52条:……", [{"title": "是", "payload": "是"}], {"citations": [52]})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "chat" / "conversations.sqlite"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(location: Path | str) -> ConversationStore:
    return ConversationStore(location, timeout=2.0)


def test_a_conversation_round_trips(store: ConversationStore) -> None:
    question = store.add_question("alice", "展位费能补贴吗?", "turn-0001")
    replies = store.add_replies("alice", [ANSWER, BotMessage("还有别的问题吗?")])
    assert [r.id for r in replies] == sorted(r.id for r in replies) and replies[0].id > question
    store.add_exchange("bob", "别人的问题", [BotMessage("别人的回答")])
    history = store.history("alice")
    assert [(t.role, t.text) for t in history] == [
        ("user", "展位费能补贴吗?"), ("bot", ANSWER.text), ("bot", "还有别的问题吗?")]
    assert history[1].buttons == ANSWER.buttons and history[1].custom == {"citations": [52]}
    assert store.history("alice", limit=2)[0].text == ANSWER.text
    assert store.has_conversation("alice") and not store.has_conversation("carol")


def test_a_turn_id_finds_its_question_and_answer_once(store: ConversationStore) -> None:
    question = store.add_question("alice", "一", "turn-0001")
    assert store.answered("alice", "turn-0001") == (question, [])
    stored = store.add_replies("alice", [ANSWER])
    store.add_question("alice", "二", "turn-0002")
    store.add_replies("alice", [BotMessage("第二个回答")])
    assert store.answered("alice", "turn-0001") == (question, stored)
    assert store.answered("bob", "turn-0001") is None
    with pytest.raises(StoreUnavailable):  # one question per turn id and conversation
        store.add_question("alice", "一", "turn-0001")
    store.add_question("bob", "一", "turn-0001")  # another conversation's ids are its own


def test_a_question_rasa_could_not_answer_is_removed(store: ConversationStore) -> None:
    question = store.add_question("alice", "一")
    store.remove_question(question)
    assert store.history("alice") == []


def test_ratings_only_for_the_senders_bot_messages(store: ConversationStore) -> None:
    question = store.add_question("alice", "一")
    answer = store.add_replies("alice", [ANSWER])[0]
    assert store.rate("alice", answer.id, "down") and store.rate("alice", answer.id, "up")
    assert not store.rate("bob", answer.id, "down")
    assert not store.rate("alice", question, "down")
    assert store.history("alice")[1].rating == "up"


def test_a_legacy_id_is_claimed_once(store: ConversationStore) -> None:
    assert store.claim("web-0123") is True
    assert store.claim("web-0123") is False


def test_exchanges_for_the_report(store: ConversationStore) -> None:
    store.add_exchange("alice", "一", [ANSWER])
    store.add_exchange("bob", "二", [BotMessage("回答二"), BotMessage("补充")])
    store.add_exchange("alice", "三", [])
    found = store.exchanges()
    assert [(e.sender, e.text, [r.text for r in e.replies]) for e in found] == [
        ("alice", "三", []), ("bob", "二", ["回答二", "补充"]), ("alice", "一", [ANSWER.text])]
    assert found[0].asked_at.tzinfo is not None
    assert store.exchanges(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == []


def test_two_stores_on_one_database_see_each_other(location: Path | str) -> None:
    """Several answer-service processes share one database: what one stores, another reads,
    and concurrent writers never lose or share an id."""
    first, second = ConversationStore(location), ConversationStore(location)
    ids: list[int] = []
    errors: list[Exception] = []

    def write(store: ConversationStore, sender: str) -> None:
        try:
            for n in range(10):
                ids.append(store.add_question(sender, f"问题{n}"))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, f"user{i}"))
               for i, s in enumerate([first, second] * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 60
    assert len(second.history("user0")) == 10


def test_a_store_written_by_the_first_release_opens_with_its_data(tmp_path: Path) -> None:
    """The first release's file: no turn_id column, no index on it."""
    path = tmp_path / "conversations.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('user', 'bot')), text TEXT,
                buttons TEXT NOT NULL DEFAULT '[]', custom TEXT,
                rating TEXT CHECK (rating IN ('up', 'down')), created_at TEXT NOT NULL);
            CREATE INDEX turns_by_sender ON turns (sender, id);
            CREATE TABLE claims (sender TEXT PRIMARY KEY, claimed_at TEXT NOT NULL);
            INSERT INTO turns (sender, role, text, created_at)
                VALUES ('web-1', 'user', '旧的问题', '2026-01-05T08:00:00+00:00');
            INSERT INTO turns (sender, role, text, buttons, rating, created_at)
                VALUES ('web-1', 'bot', '旧的回答', '[]', 'up', '2026-01-05T08:00:01+00:00');
        """)
    db.close()
    store = ConversationStore(path)
    assert [(t.text, t.rating) for t in store.history("web-1")] == [("旧的问题", None), ("旧的回答", "up")]
    question = store.add_question("web-1", "新的问题", "turn-0001")
    assert question == 3 and store.answered("web-1", "turn-0001") == (3, [])
    with sqlite3.connect(path) as db:
        indexes = {row[1] for row in db.execute("PRAGMA index_list(turns)")}
    db.close()
    assert {"turns_by_sender", "turns_by_turn_id"} <= indexes


def test_ids_of_deleted_rows_are_never_reused_on_sqlite(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite")
    store.add_question("a", "一")
    last = store.add_question("a", "二")
    store.remove_question(last)
    assert store.add_question("a", "三") == last + 1


def test_a_database_that_refuses_connections_is_unavailable_at_once() -> None:
    url = f"postgresql+psycopg://policybot:x@127.0.0.1:{free_port()}/policybot"
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        ConversationStore(url, timeout=1.0)
    assert time.monotonic() - started < 3


@pytest.mark.e2e
def test_a_restarted_postgresql_serves_the_same_store_again(postgres_server: Server,
                                                            postgres_url: str) -> None:
    store = ConversationStore(postgres_url, timeout=1.0)
    store.add_exchange("alice", "重启前的问题", [ANSWER])
    postgres_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.history("alice")
        with pytest.raises(StoreUnavailable):
            store.add_question("alice", "停机时的问题")
        assert time.monotonic() - started < 5
    finally:
        postgres_server.start()
    # The pool's connections died with the server; they are replaced, not reported.
    assert [t.text for t in store.history("alice")] == ["重启前的问题", ANSWER.text]
    store.add_exchange("alice", "重启后的问题", [ANSWER])
    assert len(store.history("alice")) == 4
