"""Chat turns kept on the server, so a widget restores its conversation after a reload.

The browser keeps only its sender id (localStorage); the turns live here, in one SQLite
file under var/, because a browser may clear its cache and because operators may later
want to read what was asked and how answers were rated. Message ids handed to the widget
are this table's row ids, so feedback points at exactly one stored bot message.

Each method opens its own short-lived connection: calls come from FastAPI's thread pool
and from the event loop, and SQLite connections must not cross threads.
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
"""


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


class ConversationStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # commits on success, rolls back on error
                yield db
        finally:
            db.close()

    def add_exchange(self, sender: str, user_text: str, replies: list[BotMessage]) -> list[Turn]:
        """Store a question and its answer together; returns the stored bot turns with ids.

        One transaction, so a failed call to Rasa never leaves a question without its
        answer (the widget shows the error instead, and the user may simply ask again).
        """
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        stored: list[Turn] = []
        with self._connect() as db:
            db.execute("INSERT INTO turns (sender, role, text, created_at) VALUES (?, 'user', ?, ?)",
                       (sender, user_text, now))
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

    def history(self, sender: str, limit: int = 200) -> list[Turn]:
        """The sender's latest turns, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, role, text, buttons, custom, rating FROM turns WHERE sender = ?"
                " ORDER BY id DESC LIMIT ?", (sender, limit)).fetchall()
        return [Turn(row[0], row[1], row[2], json.loads(row[3]),
                     None if row[4] is None else json.loads(row[4]), row[5])
                for row in reversed(rows)]

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
