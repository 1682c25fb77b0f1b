"""An application node of the production profile: answer-service workers and Rasa processes.

A node is one machine's share of the work: `policybot serve` with several worker
processes, and several `rasa run` processes on loopback, each serving the live
knowledge-base version's model and calling this node's answer service for actions. The
Rasa processes share conversations through PostgreSQL and per-conversation locks through
Redis, so any of them can take any turn; the answer service spreads turns over them and
moves to the next when one does not answer. Everything a node needs from elsewhere is
an address: the databases, the shared knowledge-base folder, the front's address.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from api.prod.processes import Managed, Supervisor, http_ok
from knowledge.settings import PROJECT_ROOT

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
ENDPOINTS = PROJECT_ROOT / "bot" / "endpoints-prod.yml"
CREDENTIALS = PROJECT_ROOT / "bot" / "credentials.yml"


@dataclass(frozen=True)
class Node:
    name: str
    api_port: int
    rasa_ports: list[int]
    workers: int
    database_url: str
    redis_url: str
    front_address: str  # whose X-Forwarded-For this node believes
    rasa_model: Path
    secrets: dict[str, str]  # action_token, rasa_token, secret_key

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def app_env(self, base: dict[str, str]) -> dict[str, str]:
        redis = urlsplit(self.redis_url)
        return {
            **base,
            "POLICYBOT_DATABASE_URL": self.database_url,
            "POLICYBOT_REDIS_URL": self.redis_url,
            "POLICYBOT_RATE_LIMIT_STORAGE": f"async+redis://{redis.netloc}{redis.path}",
            "POLICYBOT_RASA_URL": ",".join(self.rasa_urls),
            "POLICYBOT_TRUSTED_PROXIES": self.front_address,
            "POLICYBOT_ACTION_TOKEN": self.secrets["action_token"],
            "POLICYBOT_RASA_TOKEN": self.secrets["rasa_token"],
            "POLICYBOT_SECRET_KEY": self.secrets["secret_key"],
            # Rasa's models are loaded by the node (api/live_version.py), one worker of it.
            "POLICYBOT_MANAGE_RASA": "1",
        }

    def rasa_env(self, base: dict[str, str]) -> dict[str, str]:
        database = urlsplit(self.database_url)
        redis = urlsplit(self.redis_url)
        return {
            **base,
            "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "SANIC_WORKERS": "1",
            # A killed Rasa process leaves its conversation locks in Redis; Rasa's default
            # 60 s lifetime would stall those conversations past the chat proxy's 30 s
            # timeout. No turn holds a lock anywhere near 15 s.
            "TICKET_LOCK_LIFETIME": "15",
            "POLICYBOT_ACTION_URL": f"{self.api_url}/webhook",
            "POLICYBOT_ACTION_TOKEN": self.secrets["action_token"],
            "POLICYBOT_PG_HOST": database.hostname or "127.0.0.1",
            "POLICYBOT_PG_PORT": str(database.port or 5432),
            "POLICYBOT_PG_DB": database.path.lstrip("/"),
            "POLICYBOT_PG_USER": database.username or "",
            "POLICYBOT_PG_PASSWORD": database.password or "",
            "POLICYBOT_REDIS_HOST": redis.hostname or "127.0.0.1",
            "POLICYBOT_REDIS_PORT": str(redis.port or 6379),
            "POLICYBOT_REDIS_PASSWORD": redis.password or "",
        }

    def start(self, supervisor: Supervisor, base_env: dict[str, str] | None = None) -> list[Managed]:
        base = dict(base_env or os.environ)
        started = []
        api = supervisor.start(f"{self.name}-api", [
            str(Path(sys.executable).parent / "policybot"), "serve", "--host", "127.0.0.1",
            "--port", str(self.api_port), "--workers", str(self.workers)], env=self.app_env(base),
            cwd=PROJECT_ROOT)
        supervisor.wait(api, http_ok(f"{self.api_url}/health"), 180)
        started.append(api)
        for port in self.rasa_ports:
            # "--auth-token=<token>": a token starting with "-" would read as an option.
            rasa = supervisor.start(f"{self.name}-rasa-{port}", [
                str(RASA), "run", "--model", str(self.rasa_model), "--interface", "127.0.0.1",
                "--port", str(port), "--enable-api", f"--auth-token={self.secrets['rasa_token']}",
                "--endpoints", str(ENDPOINTS), "--credentials", str(CREDENTIALS)],
                env=self.rasa_env(base), cwd=PROJECT_ROOT)
            started.append(rasa)
        for rasa, port in zip(started[1:], self.rasa_ports, strict=True):
            supervisor.wait(rasa, http_ok(f"http://127.0.0.1:{port}/"), 300)
        return started
