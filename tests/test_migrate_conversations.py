"""`policybot migrate-conversations`: the embedded profile's SQLite conversations (chat
transcripts with ratings and claims, Rasa's tracker store) copied into a real
PostgreSQL, idempotently. Rasa's trackers are written and read back by Rasa's own SQL
tracker store (tests/rasa_trackers.py, a module run under .venv-rasa), so the copy is checked by the
reader that will continue the conversations.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from api.conversations import BotMessage, ConversationStore
from tests.conftest import ROOT, cli
from tests.rasa_checks import RASA_ENV, RASA_PYTHON

pytestmark = pytest.mark.e2e

ANSWER = BotMessage("根据第52条:……", [{"title": "是", "payload": "是"}], {"citations": [52]})


def rasa_tool(*args: str) -> Any:
    done = subprocess.run([str(RASA_PYTHON), "-m", "tests.rasa_trackers", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **RASA_ENV})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout) if done.stdout.strip() else None


def migrate(url: str, chat: Path, tracker: Path) -> dict[str, int]:
    """Run the command; its counts by name ("turns copied", …, "chat skipped", "rasa skipped")."""
    code, out, err = cli("migrate-conversations", "--to", url, "--from", str(chat), "--rasa-tracker",
                         str(tracker))
    assert code == 0, err
    chat_line, rasa_line = out.splitlines()
    found = {what: int(n) for n, what in re.findall(
        r"(\d+) (turns copied|ratings updated|claims copied|events copied)", out)}
    found["chat skipped"] = int(re.findall(r"(\d+) conversations skipped", chat_line)[0])
    found["rasa skipped"] = int(re.findall(r"(\d+) conversations skipped", rasa_line)[0])
    return found


def test_conversations_are_copied_once_and_new_ones_later(tmp_path: Path, postgres_url: str) -> None:
    chat, tracker = tmp_path / "conversations.sqlite", tmp_path / "tracker.db"
    source = ConversationStore(chat)
    source.add_exchange("web-alice", "展位费能补贴吗?", [ANSWER], turn_id="turn-0001")
    answer = source.history("web-alice")[-1]
    source.rate("web-alice", answer.id, "up")
    source.add_exchange("web-bob", "出口信用保险", [BotMessage("第50条……")])
    source.claim("web-bob")
    rasa_tool("write", str(tracker), "web-alice", "3")
    rasa_tool("write", str(tracker), "web-bob", "1")

    first = migrate(postgres_url, chat, tracker)
    # Each tracker: 3 events opening its session, 5 a turn.
    assert first == {"turns copied": 4, "ratings updated": 0, "claims copied": 1, "chat skipped": 0,
                     "events copied": (3 + 5 * 3) + (3 + 5 * 1), "rasa skipped": 0}
    target = ConversationStore(postgres_url)
    copied = target.history("web-alice")
    assert [(t.role, t.text, t.buttons, t.custom, t.rating) for t in copied] == [
        ("user", "展位费能补贴吗?", [], None, None),
        ("bot", ANSWER.text, ANSWER.buttons, ANSWER.custom, "up")]
    assert target.answered("web-alice", "turn-0001") == (copied[0].id, copied[1:])
    assert target.claim("web-bob") is False  # the claim came along: the bare id stays refused
    alice = rasa_tool("read", postgres_url, "web-alice")
    assert alice["texts"] == ["第1个问题", "第2个问题", "第3个问题"]
    assert alice["slots"]["current_measures"] == [52]

    assert migrate(postgres_url, chat, tracker) == {
        "turns copied": 0, "ratings updated": 0, "claims copied": 0, "chat skipped": 0,
        "events copied": 0, "rasa skipped": 0}
    assert len(target.history("web-alice")) == 2

    # The embedded profile went on: a new turn, a changed rating, a new conversation.
    source.add_exchange("web-alice", "那找哪个部门?", [BotMessage("区商务局")])
    source.rate("web-alice", answer.id, "down")
    source.add_exchange("web-carol", "新的对话", [BotMessage("新的回答")])
    rasa_tool("write", str(tracker), "web-alice", "1")
    rasa_tool("write", str(tracker), "web-carol", "2")
    third = migrate(postgres_url, chat, tracker)
    assert third["turns copied"] == 4 and third["ratings updated"] == 1
    assert third["events copied"] == 5 + (3 + 5 * 2)
    assert [(t.text, t.rating) for t in target.history("web-alice")] == [
        ("展位费能补贴吗?", None), (ANSWER.text, "down"), ("那找哪个部门?", None), ("区商务局", None)]
    alice = rasa_tool("read", postgres_url, "web-alice")
    assert alice["texts"] == ["第1个问题", "第2个问题", "第3个问题", "第4个问题"]
    assert alice["slots"]["current_measures"] == [53]
    assert rasa_tool("read", postgres_url, "web-carol")["texts"] == ["第1个问题", "第2个问题"]


def test_a_conversation_that_went_on_in_postgresql_is_left_alone(tmp_path: Path, postgres_url: str) -> None:
    chat, tracker = tmp_path / "conversations.sqlite", tmp_path / "tracker.db"
    ConversationStore(chat).add_exchange("web-dave", "旧的问题", [ANSWER])
    rasa_tool("write", str(tracker), "web-dave", "1")
    ConversationStore(postgres_url).add_exchange("web-dave", "在新系统里的问题", [ANSWER])
    counts = migrate(postgres_url, chat, tracker)
    assert counts["turns copied"] == 0 and counts["chat skipped"] == 1
    assert [t.text for t in ConversationStore(postgres_url).history("web-dave")][0] == "在新系统里的问题"


def test_the_source_files_are_not_changed(tmp_path: Path, postgres_url: str) -> None:
    chat, tracker = tmp_path / "conversations.sqlite", tmp_path / "tracker.db"
    ConversationStore(chat).add_exchange("web-erin", "问题", [ANSWER])
    rasa_tool("write", str(tracker), "web-erin", "1")
    before = chat.read_bytes(), tracker.read_bytes()
    migrate(postgres_url, chat, tracker)
    assert (chat.read_bytes(), tracker.read_bytes()) == before


def test_a_database_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    chat = tmp_path / "conversations.sqlite"
    ConversationStore(chat).add_exchange("web-a", "问题", [ANSWER])
    code, _, err = cli("migrate-conversations", "--to", "postgresql+psycopg://u:p@127.0.0.1:9/x",
                       "--from", str(chat), "--rasa-tracker", str(chat))
    assert code == 3 and "run it again" in err
