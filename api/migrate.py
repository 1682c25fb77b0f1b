"""Moving the embedded profile's conversations to the production profile's PostgreSQL:
`policybot migrate-conversations --to URL [--rasa-tracker PATH]`.

Two SQLite files hold a conversation: the chat proxy's transcripts with their ratings
and claims (var/chat/conversations.sqlite) and Rasa's trackers (var/rasa/tracker.db,
Rasa's `events` table: what its SQL tracker store reads back, slots and forms included).
Both are copied into the database the production profile shares, in the tables its
answer services and Rasa processes use, so a conversation continues where it stopped.

Idempotent, so it can run while the embedded profile still serves and again after it
stopped: what was copied is recorded in the target (migrated_turns: each transcript row
with the id it got and the rating it had; migrated_events: how far each tracker was
copied), a second run copies nothing twice, a later run copies only what is new, and a
rating changed since the last run is carried over. Each conversation is copied in one
transaction. A conversation that already went on in PostgreSQL is left alone (counted as
skipped): appending its older turns after its newer ones would reorder it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    inspect,
    select,
    update,
)

from api.conversation_db import claims, ensure_schema, insert_ignoring_duplicates, turns

ledger = MetaData()
migrated_turns = Table(
    "migrated_turns", ledger,
    Column("sender", Text, primary_key=True),
    Column("source_id", BigInteger, primary_key=True),
    Column("target_id", BigInteger, nullable=False),
    Column("rating", Text),
)
migrated_events = Table(
    "migrated_events", ledger,
    Column("sender_id", String(255), primary_key=True),
    Column("last_source_id", BigInteger, nullable=False),
    Column("copied", BigInteger, nullable=False),
)

# Rasa 3.6's SQL tracker store table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent),
# made here when Rasa has not run on the target yet; Rasa then finds it as its own.
rasa = MetaData()
events = Table(
    "events", rasa,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass
class ChatCounts:
    conversations: int = 0
    turns: int = 0
    ratings: int = 0
    claims: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (f"chat transcripts: {self.conversations} conversations with new turns, {self.turns} turns "
                f"copied, {self.ratings} ratings updated, {self.claims} claims copied, "
                f"{self.skipped} conversations skipped (already continued in the target)")


@dataclass
class TrackerCounts:
    conversations: int = 0
    events: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (f"Rasa trackers: {self.conversations} conversations with new events, {self.events} events "
                f"copied, {self.skipped} conversations skipped (already continued in the target)")


def target_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def _read_only(path: Path) -> Iterator[Connection]:
    """The SQLite file, opened read-only: migrating never changes the source."""
    if not path.is_file():
        raise FileNotFoundError(path)
    engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    try:
        with engine.connect() as db:
            yield db
    finally:
        engine.dispose()


def migrate_chat(source: Path, target: Engine) -> ChatCounts:
    """Copy the chat proxy's transcripts, ratings and claims from a SQLite file."""
    counts = ChatCounts()
    with target.begin() as db:
        ensure_schema(db)
        ledger.create_all(db)
    with _read_only(source) as src:
        has_turn_ids = "turn_id" in {c["name"] for c in inspect(src).get_columns("turns")}
        senders = src.execute(select(turns.c.sender).distinct().order_by(turns.c.sender)).scalars().all()
        for sender in senders:
            rows = src.execute(select(*_source_columns(has_turn_ids)).where(turns.c.sender == sender)
                               .order_by(turns.c.id)).mappings().all()
            with target.begin() as db:
                _copy_turns(db, sender, rows, counts)
        for claim in src.execute(select(claims)).mappings():
            with target.begin() as db:
                counts.claims += insert_ignoring_duplicates(db, claims, **claim)
    return counts


def _source_columns(has_turn_ids: bool) -> list[Any]:
    columns: list[Any] = [turns.c.id, turns.c.role, turns.c.text, turns.c.buttons, turns.c.custom,
                          turns.c.rating, turns.c.created_at]
    return columns + [turns.c.turn_id] if has_turn_ids else columns


def _copy_turns(db: Connection, sender: str, rows: Any, counts: ChatCounts) -> None:
    copied = {r.source_id: r for r in db.execute(
        select(migrated_turns).where(migrated_turns.c.sender == sender))}
    in_target = db.execute(select(func.count()).where(turns.c.sender == sender)).scalar_one()
    if in_target != len(copied):
        counts.skipped += 1
        return
    new = 0
    for row in rows:
        done = copied.get(row["id"])
        if done is not None:
            if row["rating"] != done.rating:
                db.execute(update(turns).where(turns.c.id == done.target_id).values(rating=row["rating"]))
                db.execute(update(migrated_turns).where(
                    migrated_turns.c.sender == sender, migrated_turns.c.source_id == row["id"])
                    .values(rating=row["rating"]))
                counts.ratings += 1
            continue
        values = {k: v for k, v in row.items() if k != "id"}
        target_id = db.execute(insert(turns).values(sender=sender, **values)
                               .returning(turns.c.id)).scalar_one()
        db.execute(insert(migrated_turns).values(sender=sender, source_id=row["id"], target_id=target_id,
                                                 rating=row["rating"]))
        new += 1
    counts.turns += new
    counts.conversations += new > 0


def migrate_tracker(source: Path, target: Engine) -> TrackerCounts:
    """Copy Rasa's SQLite tracker store (its `events` table), in each conversation's order."""
    counts = TrackerCounts()
    with target.begin() as db:
        rasa.create_all(db)
        ledger.create_all(db)
    with _read_only(source) as src:
        senders = src.execute(select(events.c.sender_id).distinct().order_by(events.c.sender_id)
                              ).scalars().all()
        for sender in senders:
            with target.begin() as db:
                _copy_events(db, src, sender, counts)
    return counts


def _copy_events(db: Connection, src: Connection, sender: str, counts: TrackerCounts) -> None:
    done = db.execute(select(migrated_events).where(migrated_events.c.sender_id == sender)).first()
    last, copied = (done.last_source_id, done.copied) if done else (0, 0)
    in_target = db.execute(select(func.count()).where(events.c.sender_id == sender)).scalar_one()
    if in_target != copied:
        counts.skipped += 1
        return
    rows = src.execute(select(events).where(events.c.sender_id == sender, events.c.id > last)
                       .order_by(events.c.id)).mappings().all()
    if not rows:
        return
    # Executed in order, so the target's new ids keep the order Rasa reads them back in.
    db.execute(insert(events), [{k: v for k, v in row.items() if k != "id"} for row in rows])
    values = {"last_source_id": rows[-1]["id"], "copied": copied + len(rows)}
    if done is None:
        db.execute(insert(migrated_events).values(sender_id=sender, **values))
    else:
        db.execute(update(migrated_events).where(migrated_events.c.sender_id == sender).values(**values))
    counts.events += len(rows)
    counts.conversations += 1
