"""Private PostgreSQL and Redis instances for the production profile's database role.

Private, under var/prod/, started and stopped with the profile: the project never
touches a system-wide service, so a developer's machine and CI can run it without
conflicts, and a real deployment can point every address at its own managed databases
instead (POLICYBOT_DATABASE_URL, POLICYBOT_REDIS_URL; the node role never starts them).

PostgreSQL refuses to run as root, so as root its cluster belongs to, and runs as, the
`postgres` user Debian's package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from api.prod.processes import Managed, StartFailed, Supervisor, port_open

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_ROLE = "policybot"
PG_DATABASE = "policybot"


def _pg_binary(name: str) -> str:
    for candidate in (PG_BIN / name, *(Path(p) / name for p in os.environ.get("PATH", "").split(":"))):
        if candidate.is_file():
            return str(candidate)
    raise StartFailed(f"PostgreSQL's {name} not found: run `make prod-deps` (scripts/install-prod.sh)")


@dataclass(frozen=True)
class Postgres:
    data_dir: Path
    socket_dir: Path
    host: str
    port: int
    password: str

    @property
    def user(self) -> str | None:
        """Who runs the server: the postgres user when we are root."""
        return "postgres" if os.geteuid() == 0 else None

    def _own(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            shutil.chown(path, entry.pw_uid, entry.pw_gid)
            path.chmod(0o700)

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        if self.user is not None:
            argv = ["runuser", "-u", self.user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120)

    def ensure_cluster(self) -> None:
        if (self.data_dir / "PG_VERSION").is_file():
            return
        self._own(self.data_dir)
        done = self._run([_pg_binary("initdb"), "-D", str(self.data_dir), "-U", "postgres", "-E", "UTF8",
                          "--auth-local=trust", "--auth-host=scram-sha-256"])
        if done.returncode != 0:
            raise StartFailed(f"initdb failed: {done.stderr[-1500:]}")

    def start(self, supervisor: Supervisor) -> Managed:
        self.ensure_cluster()
        self._own(self.socket_dir)
        managed = supervisor.start("postgres", [
            _pg_binary("postgres"), "-D", str(self.data_dir), "-p", str(self.port),
            "-k", str(self.socket_dir), "-c", f"listen_addresses={self.host}",
            "-c", "max_connections=200"], user=self.user, stop_signal=signal.SIGINT)
        supervisor.wait(managed, port_open(self.host, self.port), 60)
        self._ensure_database()
        return managed

    def _psql(self, sql: str, database: str = "postgres") -> str:
        done = self._run([_pg_binary("psql"), "-h", str(self.socket_dir), "-p", str(self.port),
                          "-U", "postgres", "-d", database, "-tAc", sql])
        if done.returncode != 0:
            raise StartFailed(f"psql failed: {done.stderr[-1000:]}")
        return done.stdout.strip()

    def _ensure_database(self) -> None:
        password = self.password.replace("'", "''")
        if self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{PG_ROLE}'") != "1":
            self._psql(f"CREATE ROLE {PG_ROLE} LOGIN PASSWORD '{password}'")
        else:
            self._psql(f"ALTER ROLE {PG_ROLE} PASSWORD '{password}'")
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'") != "1":
            self._psql(f"CREATE DATABASE {PG_DATABASE} OWNER {PG_ROLE}")

    def url(self) -> str:
        """The SQLAlchemy URL the answer service uses."""
        return f"postgresql+psycopg://{PG_ROLE}:{self.password}@{self.host}:{self.port}/{PG_DATABASE}"


@dataclass(frozen=True)
class Redis:
    data_dir: Path
    host: str
    port: int
    password: str

    def start(self, supervisor: Supervisor) -> Managed:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server")
        if binary is None:
            raise StartFailed("redis-server not found: run `make prod-deps` (scripts/install-prod.sh)")
        # No persistence: counters, locks and turns in flight are worth nothing after a
        # restart, and the conversations themselves live in PostgreSQL.
        managed = supervisor.start("redis", [
            binary, "--port", str(self.port), "--bind", self.host, "--dir", str(self.data_dir),
            "--save", "", "--appendonly", "no", "--requirepass", self.password])
        supervisor.wait(managed, port_open(self.host, self.port), 30)
        return managed

    def url(self, db: int = 0) -> str:
        return f"redis://:{self.password}@{self.host}:{self.port}/{db}"
