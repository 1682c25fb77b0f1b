"""Chat turns kept on the server, so a widget restores its conversation after a reload.

The browser keeps only its sender id (localStorage); the turns live here, because a
browser may clear its cache and because operators may later want to read what was asked
and how answers were rated: in one SQLite file under var/ (the embedded profile), or in
PostgreSQL shared by every answer-service process (POLICYBOT_DATABASE_URL; tables and
engines in api/conversation_db.py). Message ids handed to the widget are this table's
row ids, so feedback points at exactly one stored bot message.

Each method is one transaction on a pooled connection: calls come from FastAPI's thread
pool. Any database failure (locked or busy past the timeout, disk full, unwritable,
server down or refusing connections) is raised as StoreUnavailable, which the chat
routes answer with 503: the user is told to retry, nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, CursorResult, Row, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from api.conversation_db import claims, engine_for, ensure_schema, insert_ignoring_duplicates, is_url, turns
from knowledge.settings import Settings

Role = Literal["user", "bot"]
Rating = Literal["up", "down"]


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
    """The chat's transcripts: a SQLite file (a Path) or a database URL (PostgreSQL).

    Safe to share between threads and processes: each method runs in one transaction on
    a pooled connection, and every failure, whatever the database or the cause, is
    StoreUnavailable."""

    def __init__(self, location: Path | str, timeout: float = 2.0, pool_size: int = 5) -> None:
        self.location = location
        self.timeout = timeout
        if not is_url(location):
            try:
                Path(location).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(f"cannot create {Path(location).parent}: {exc}") from exc
        self.engine = engine_for(location, timeout, pool_size)
        try:
            with self._connect() as db:
                ensure_schema(db)
        except StoreUnavailable:
            self.engine.dispose()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> ConversationStore:
        """PostgreSQL when POLICYBOT_DATABASE_URL is set, else the SQLite file."""
        return cls(settings.database_url or settings.resolved_conversations_db,
                   timeout=settings.store_timeout, pool_size=settings.database_pool_size)

    def __repr__(self) -> str:
        return f"ConversationStore({self.engine.url!r})"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as db:  # commits on success, rolls back on error
                yield db
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"{self.engine.url!r}: {type(exc).__name__}: {exc}") from exc

    def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers a read."""
        with self._connect() as db:
            db.execute(select(turns.c.id).limit(1)).all()

    def has_conversation(self, sender: str) -> bool:
        with self._connect() as db:
            row = db.execute(select(turns.c.id).where(turns.c.sender == sender).limit(1)).first()
        return row is not None

    def claim(self, sender: str) -> bool:
        """Mark a conversation as taken over by a signed token; True only the first time."""
        with self._connect() as db:
            return insert_ignoring_duplicates(db, claims, sender=sender, claimed_at=_now())

    def answered(self, sender: str, turn_id: str) -> tuple[int, list[Turn]] | None:
        """(question row id, the bot turns stored after it) for this user turn; None when
        the turn was never stored. No bot turns: the question is stored, its answer not."""
        with self._connect() as db:
            question = db.execute(select(turns.c.id).where(
                turns.c.sender == sender, turns.c.turn_id == turn_id, turns.c.role == "user")).scalar()
            if question is None:
                return None
            following = db.execute(select(*_TURN_COLUMNS).where(
                turns.c.sender == sender, turns.c.id > question).order_by(turns.c.id)).all()
        replies = []
        for found in following:
            if found.role != "bot":
                break
            replies.append(_turn(found))
        return int(question), replies

    def add_question(self, sender: str, text: str, turn_id: str | None = None) -> int:
        """Store what the user asked, before Rasa is asked: a store that cannot take the
        question then fails the turn before Rasa has processed it (a retry is not a
        second turn for Rasa). Returns the row id the answer is stored after."""
        with self._connect() as db:
            result = db.execute(insert(turns).values(sender=sender, role="user", text=text,
                                                     created_at=_now(), turn_id=turn_id))
            return _new_id(result)

    def remove_question(self, question_id: int) -> None:
        """Forget a question Rasa could not answer (the widget shows the error instead)."""
        with self._connect() as db:
            db.execute(delete(turns).where(turns.c.id == question_id, turns.c.role == "user"))

    def add_replies(self, sender: str, replies: list[BotMessage]) -> list[Turn]:
        """Store the bot's messages (one transaction); returns them with their ids."""
        now = _now()
        stored: list[Turn] = []
        with self._connect() as db:
            for reply in replies:
                result = db.execute(insert(turns).values(
                    sender=sender, role="bot", text=reply.text,
                    buttons=json.dumps(reply.buttons, ensure_ascii=False),
                    custom=None if reply.custom is None else json.dumps(reply.custom, ensure_ascii=False),
                    created_at=now))
                stored.append(Turn(_new_id(result), "bot", reply.text, reply.buttons,
                                   reply.custom))
        return stored

    def add_exchange(self, sender: str, user_text: str, replies: list[BotMessage],
                     turn_id: str | None = None) -> list[Turn]:
        """A question and its answer (for imports and tests); returns the bot turns."""
        self.add_question(sender, user_text, turn_id)
        return self.add_replies(sender, replies)

    def history(self, sender: str, limit: int = 200) -> list[Turn]:
        """The sender's latest turns, oldest first."""
        with self._connect() as db:
            rows = db.execute(select(*_TURN_COLUMNS).where(turns.c.sender == sender)
                              .order_by(turns.c.id.desc()).limit(limit)).all()
        return [_turn(row) for row in reversed(rows)]

    def exchanges(self, since: dt.datetime | None = None) -> list[Exchange]:
        """Every question asked at or after `since` (all when None), with its answer,
        newest first."""
        after = (since or dt.datetime.min.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        with self._connect() as db:
            rows = db.execute(select(*_TURN_COLUMNS, turns.c.created_at, turns.c.sender)
                              .where(turns.c.created_at >= after.isoformat(timespec="seconds"))
                              .order_by(turns.c.sender, turns.c.id)).all()
        out: list[Exchange] = []
        current: Exchange | None = None
        for row in rows:
            if row.role == "user":
                current = Exchange(row.id, row.sender, row.text or "",
                                   dt.datetime.fromisoformat(row.created_at), [])
                out.append(current)
            elif current is not None and current.sender == row.sender:
                current.replies.append(_turn(row))
        out.sort(key=lambda e: e.question_id, reverse=True)
        return out

    def rate(self, sender: str, message_id: int, rating: Rating) -> bool:
        """Record (or change) the rating of one of the sender's bot messages.

        False when no such bot message belongs to this sender, so nobody can rate
        another person's conversation by guessing ids.
        """
        with self._connect() as db:
            result = db.execute(update(turns).where(
                turns.c.id == message_id, turns.c.sender == sender, turns.c.role == "bot")
                .values(rating=rating).returning(turns.c.id))
            return result.first() is not None


_TURN_COLUMNS = (turns.c.id, turns.c.role, turns.c.text, turns.c.buttons, turns.c.custom, turns.c.rating)


def _new_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _turn(row: Row[*tuple[Any, ...]]) -> Turn:
    """A row with the columns of _TURN_COLUMNS as a Turn."""
    return Turn(row.id, row.role, row.text, json.loads(row.buttons),
                None if row.custom is None else json.loads(row.custom), row.rating)
