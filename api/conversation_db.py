"""The conversation store's tables and database engines: SQLite or PostgreSQL.

One schema for both, defined once with SQLAlchemy Core, so the same queries serve the
embedded profile (a SQLite file under var/chat/, the schema it always had: files written
by earlier releases open unchanged) and the production profile (PostgreSQL shared by
every answer-service process on every machine, POLICYBOT_DATABASE_URL).

Times stay ISO-8601 UTC text in both (`created_at`): their text order is their time
order, and the migration from SQLite copies them as they are.

What makes a store safe to share between processes is here too: every wait is bounded
(a locked SQLite file, a pool with no free connection, a slow PostgreSQL statement, a
server that does not accept the connection), stale PostgreSQL connections are tested
before use (a restarted server costs no failed request once it is back), and schema
creation is serialised between processes that start together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

metadata = MetaData()

turns = Table(
    "turns", metadata,
    Column("id", Integer().with_variant(BigInteger(), "postgresql"), primary_key=True, autoincrement=True),
    Column("sender", Text, nullable=False),
    Column("role", Text, CheckConstraint("role IN ('user', 'bot')"), nullable=False),
    Column("text", Text),
    Column("buttons", Text, nullable=False, server_default="[]"),
    Column("custom", Text),
    Column("rating", Text, CheckConstraint("rating IN ('up', 'down')")),
    Column("created_at", Text, nullable=False),
    # Added after the first release: the widget's id for a user turn, so a retried
    # request returns the stored answer instead of asking Rasa twice.
    Column("turn_id", Text),
    Index("turns_by_sender", "sender", "id"),
    # AUTOINCREMENT: SQLite never reuses a deleted row's id, so a message id handed to a
    # widget never names another message later (the first release's schema).
    sqlite_autoincrement=True,
)
turns_by_turn_id = Index("turns_by_turn_id", turns.c.sender, turns.c.turn_id, unique=True,
                         sqlite_where=turns.c.turn_id.isnot(None),
                         postgresql_where=turns.c.turn_id.isnot(None))

claims = Table(
    "claims", metadata,
    Column("sender", Text, primary_key=True),
    Column("claimed_at", Text, nullable=False),
)

# Any constant: the key of the PostgreSQL advisory lock held while the schema is made.
_SCHEMA_LOCK = 7_466_151


def is_url(location: str | Path) -> bool:
    return isinstance(location, str) and "://" in location


def engine_for(location: str | Path, timeout: float, pool_size: int = 5) -> Engine:
    """An engine for a SQLite file (a Path) or a database URL.

    `timeout` bounds every wait a request can meet: SQLite's busy wait for a lock, the
    wait for a pooled connection, a PostgreSQL connection attempt and statement."""
    if not is_url(location):
        return create_engine(f"sqlite:///{location}", pool_timeout=timeout,
                             connect_args={"timeout": timeout})
    url = make_url(str(location))
    if url.get_backend_name() != "postgresql":
        return create_engine(url, pool_timeout=timeout, pool_pre_ping=True)
    millis = max(1, int(timeout * 1000))
    return create_engine(
        url, pool_size=pool_size, max_overflow=2 * pool_size, pool_timeout=timeout,
        # A connection a restarted server dropped is found and replaced before use.
        pool_pre_ping=True, pool_recycle=1800,
        connect_args={
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={millis} -c lock_timeout={millis}",
            "application_name": "policybot",
            # A server that vanished without closing the socket is noticed within seconds.
            "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
        })


def ensure_schema(db: Connection) -> None:
    """Create what is missing: the tables, the columns added since the first release and
    their index. Concurrent starters wait for each other (PostgreSQL) or for SQLite's
    write lock, so exactly one creates each object."""
    if db.dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
    metadata.create_all(db)
    columns = {c["name"] for c in inspect(db).get_columns("turns")}
    if "turn_id" not in columns:
        db.execute(text("ALTER TABLE turns ADD COLUMN turn_id TEXT"))
    turns_by_turn_id.create(db, checkfirst=True)


def insert_ignoring_duplicates(db: Connection, table: Table, **values: Any) -> bool:
    """INSERT that does nothing when the primary key exists; whether the row was added
    (told by RETURNING: drivers do not all report a row count for INSERT)."""
    make = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = make(table).values(**values).on_conflict_do_nothing()
    return db.execute(statement.returning(*table.primary_key.columns)).first() is not None
