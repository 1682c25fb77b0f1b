"""Chat turns kept on the server, so a widget restores its conversation after a reload.

The browser keeps only its sender id (localStorage); the turns live here, in one SQLite
file under var/, because a browser may clear its cache and because operators may later
want to read what was asked and how answers were rated. Message ids handed to the widget
are this table's row ids, so feedback points at exactly one stored bot message.

Each method opens its own short-lived connection: calls come from FastAPI's thread pool
and from the event loop, and SQLite connections must not cross threads. Any database
failure (locked past the timeout, disk full, unwritable) is raised as StoreUnavailable,
which the chat routes answer with 503: the user is told to retry, nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Role = Literal["user", "bot"]
Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'bot')),
    text TEXT,
    buttons TEXT NOT NULL DEFAULT '[]',
    custom TEXT,
    rating TEXT CHECK (rating IN ('up', 'down')),
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_sender ON turns (sender, id);
CREATE TABLE IF NOT EXISTS claims (
    sender TEXT PRIMARY KEY,
    claimed_at TEXT NOT NULL
);
"""
# Added after the first release: the widget's id for a user turn, so a retried request
# returns the stored answer instead of asking Rasa twice.
_MIGRATIONS = [
    ("turns", "turn_id", "ALTER TABLE turns ADD COLUMN turn_id TEXT"),
]
_TURN_INDEX = ("CREATE UNIQUE INDEX IF NOT EXISTS turns_by_turn_id ON turns (sender, turn_id)"
               " WHERE turn_id IS NOT NULL")


class StoreUnavailable(Exception):
    """The conversation database cannot be read or written right now."""


@dataclass
class Turn:
    """One stored message: what the user typed, or one message of the bot's reply."""

    id: int
    role: Role
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    custom: dict[str, Any] | None = None
    rating: Rating | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "text": self.text, "buttons": self.buttons,
                "custom": self.custom, "rating": self.rating}


@dataclass
class BotMessage:
    """A bot message as Rasa sent it, before it has an id."""

    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


@dataclass
class Exchange:
    """A question and the bot messages that answered it (those stored before the next
    question of the same conversation): what the maintainers' report reads."""

    question_id: int
    sender: str
    text: str
    asked_at: dt.datetime
    replies: list[Turn]


class ConversationStore:
    def __init__(self, path: Path, timeout: float = 2.0) -> None:
        self.path = path
        self.timeout = timeout
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create {path.parent}: {exc}") from exc
        with self._connect() as db:
            db.executescript(_SCHEMA)
            for table, column, statement in _MIGRATIONS:
                columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    db.execute(statement)
            db.execute(_TURN_INDEX)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc
        try:
            with db:  # commits on success, rolls back on error
                yield db
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"{self.path}: {exc}") from exc
        finally:
            db.close()

    def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers a read."""
        with self._connect() as db:
            db.execute("SELECT 1 FROM turns LIMIT 1").fetchall()

    def has_conversation(self, sender: str) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT 1 FROM turns WHERE sender = ? LIMIT 1", (sender,)).fetchone()
        return row is not None

    def claim(self, sender: str) -> bool:
        """Mark a conversation as taken over by a signed token; True only the first time."""
        with self._connect() as db:
            cursor = db.execute("INSERT OR IGNORE INTO claims (sender, claimed_at) VALUES (?, ?)",
                                (sender, _now()))
            return cursor.rowcount == 1

    def answered(self, sender: str, turn_id: str) -> tuple[int, list[Turn]] | None:
        """(question row id, the bot turns stored after it) for this user turn; None when
        the turn was never stored. No bot turns: the question is stored, its answer not."""
        with self._connect() as db:
            row = db.execute("SELECT id FROM turns WHERE sender = ? AND turn_id = ? AND role = 'user'",
                             (sender, turn_id)).fetchone()
            if row is None:
                return None
            following = db.execute(
                "SELECT id, role, text, buttons, custom, rating FROM turns"
                " WHERE sender = ? AND id > ? ORDER BY id", (sender, row[0])).fetchall()
        turns = []
        for found in following:
            if found[1] != "bot":
                break
            turns.append(_turn(found))
        return int(row[0]), turns

    def add_question(self, sender: str, text: str, turn_id: str | None = None) -> int:
        """Store what the user asked, before Rasa is asked: a store that cannot take the
        question then fails the turn before Rasa has processed it (a retry is not a
        second turn for Rasa). Returns the row id the answer is stored after."""
        with self._connect() as db:
            cursor = db.execute("INSERT INTO turns (sender, role, text, created_at, turn_id)"
                                " VALUES (?, 'user', ?, ?, ?)", (sender, text, _now(), turn_id))
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def remove_question(self, question_id: int) -> None:
        """Forget a question Rasa could not answer (the widget shows the error instead)."""
        with self._connect() as db:
            db.execute("DELETE FROM turns WHERE id = ? AND role = 'user'", (question_id,))

    def add_replies(self, sender: str, replies: list[BotMessage]) -> list[Turn]:
        """Store the bot's messages (one transaction); returns them with their ids."""
        now = _now()
        stored: list[Turn] = []
        with self._connect() as db:
            for reply in replies:
                cursor = db.execute(
                    "INSERT INTO turns (sender, role, text, buttons, custom, created_at)"
                    " VALUES (?, 'bot', ?, ?, ?, ?)",
                    (sender, reply.text, json.dumps(reply.buttons, ensure_ascii=False),
                     None if reply.custom is None else json.dumps(reply.custom, ensure_ascii=False),
                     now))
                assert cursor.lastrowid is not None
                stored.append(Turn(cursor.lastrowid, "bot", reply.text, reply.buttons, reply.custom))
        return stored

    def add_exchange(self, sender: str, user_text: str, replies: list[BotMessage],
                     turn_id: str | None = None) -> list[Turn]:
        """A question and its answer (for imports and tests); returns the bot turns."""
        self.add_question(sender, user_text, turn_id)
        return self.add_replies(sender, replies)

    def history(self, sender: str, limit: int = 200) -> list[Turn]:
        """The sender's latest turns, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, role, text, buttons, custom, rating FROM turns WHERE sender = ?"
                " ORDER BY id DESC LIMIT ?", (sender, limit)).fetchall()
        return [_turn(row) for row in reversed(rows)]

    def exchanges(self, since: dt.datetime | None = None) -> list[Exchange]:
        """Every question asked at or after `since` (all when None), with its answer,
        newest first."""
        after = (since or dt.datetime.min.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, role, text, buttons, custom, rating, created_at, sender FROM turns"
                " WHERE created_at >= ? ORDER BY sender, id",
                (after.isoformat(timespec="seconds"),)).fetchall()
        out: list[Exchange] = []
        current: Exchange | None = None
        for row in rows:
            if row[1] == "user":
                current = Exchange(row[0], row[7], row[2] or "", dt.datetime.fromisoformat(row[6]), [])
                out.append(current)
            elif current is not None and current.sender == row[7]:
                current.replies.append(_turn(row[:6]))
        out.sort(key=lambda e: e.question_id, reverse=True)
        return out

    def rate(self, sender: str, message_id: int, rating: Rating) -> bool:
        """Record (or change) the rating of one of the sender's bot messages.

        False when no such bot message belongs to this sender, so nobody can rate
        another person's conversation by guessing ids.
        """
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE turns SET rating = ? WHERE id = ? AND sender = ? AND role = 'bot'",
                (rating, message_id, sender))
            return cursor.rowcount == 1


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _turn(row: tuple[Any, ...]) -> Turn:
    """A row of (id, role, text, buttons, custom, rating) as a Turn."""
    return Turn(row[0], row[1], row[2], json.loads(row[3]),
                None if row[4] is None else json.loads(row[4]), row[5])
