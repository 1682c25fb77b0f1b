"""Private PostgreSQL and Redis servers for the tests of shared state (marker e2e).

The same classes the production profile starts its database role with
(api/prod/databases.py), each on a free loopback port in a folder of its own, so a test
meets the real engines a deployment runs on and can stop and restart them to cause the
faults users would meet (a database restarted under load, Redis gone for a while).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from api.prod.databases import PG_BIN, Postgres, Redis
from api.prod.processes import Managed, Supervisor
from tests.live import free_port


@dataclass
class Server:
    """One database server this test session started; stop() and start() it at will."""

    url: str
    supervisor: Supervisor
    launch: Postgres | Redis
    process: Managed | None = field(default=None)

    def start(self) -> None:
        self.process = self.launch.start(self.supervisor)

    def stop(self) -> None:
        """Stop the server and wait until it is gone. PostgreSQL gets SIGINT, its fast
        shutdown: SIGTERM is its smart shutdown, which waits for every client to leave,
        and the stores' pools never do."""
        if self.process is not None and isinstance(self.launch, Postgres):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.process.wait(timeout=30)
            deadline = time.monotonic() + 30
            while (self.launch.data_dir / "postmaster.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        self.supervisor.stop_all(grace=20)
        self.process = None


def reachable_temp_dir(prefix: str) -> Path:
    """A folder the postgres user can reach: as root the server runs as postgres, which
    cannot enter pytest's private temporary folders."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def postgres_available() -> bool:
    return (PG_BIN / "postgres").is_file() or shutil.which("postgres") is not None


@contextmanager
def private_postgres() -> Iterator[Server]:
    """A PostgreSQL cluster in a temporary folder, on a free port; its SQLAlchemy URL."""
    work = reachable_temp_dir("policybot-pg-")
    postgres = Postgres(work / "data", work / "run", "127.0.0.1", free_port(), secrets.token_urlsafe(16))
    server = Server(postgres.url(), Supervisor(work / "log"), postgres)
    try:
        server.start()
        # Each test gets a database of its own (new_database).
        postgres._psql("ALTER ROLE policybot CREATEDB")
        yield server
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def private_redis() -> Iterator[Server]:
    """A Redis server with a password on a free port; its redis:// URL."""
    work = reachable_temp_dir("policybot-redis-")
    redis = Redis(work / "data", "127.0.0.1", free_port(), secrets.token_urlsafe(16))
    server = Server(redis.url(), Supervisor(work / "log"), redis)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def new_database(server: Server) -> str:
    """A fresh, empty database on the server (one per test), as a SQLAlchemy URL."""
    from sqlalchemy import create_engine, make_url, text

    name = "t_" + secrets.token_hex(6)
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(server.url).set(database=name).render_as_string(hide_password=False)

