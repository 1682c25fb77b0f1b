"""Real servers for end-to-end tests: `policybot serve` and `rasa run` on free ports.

Rasa takes about 40 s to start and minutes to train, so one trained model and one pair
of servers serve every end-to-end test of a session (fixture `live_stack` in conftest).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_MODEL = ROOT / "var" / "rasa" / "models" / "policybot.tar.gz"
TODAY = "2026-11-30"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveStack:
    api_url: str
    rasa_url: str
    work_dir: Path

    def chat(self, sender: str, message: str, timeout: float = 30) -> list[dict[str, object]]:
        """One turn through Rasa's REST channel: the bot messages it returns."""
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": message}, timeout=timeout)
        response.raise_for_status()
        return list(response.json())


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def ensure_rasa_model() -> Path:
    """Train when the bot's inputs changed (a no-op when `make` already did)."""
    subprocess.run([str(ROOT / "scripts" / "train-bot.sh")], cwd=ROOT, check=True)
    return RASA_MODEL


@contextmanager
def live_stack(index_dir: Path, work_dir: Path) -> Iterator[LiveStack]:
    model = ensure_rasa_model()
    api_port, rasa_port = free_port(), free_port()
    api_url, rasa_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{rasa_port}"
    env = {**os.environ, "POLICYBOT_INDEX_DIR": str(index_dir), "POLICYBOT_TODAY": TODAY,
           "POLICYBOT_RASA_URL": rasa_url,
           "POLICYBOT_CONVERSATIONS_DB": str(work_dir / "conversations.sqlite"),
           "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    endpoints = work_dir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{api_url}/webhook"\n'
                         f'tracker_store:\n  type: SQL\n  dialect: sqlite\n'
                         f'  db: "{work_dir / "tracker.db"}"\n', encoding="utf-8")
    api_log, rasa_log = work_dir / "api.log", work_dir / "rasa.log"
    policybot = Path(sys.executable).parent / "policybot"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with api_log.open("wb") as out:
            procs.append(subprocess.Popen([str(policybot), "serve", "--port", str(api_port)],
                                          cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
        with rasa_log.open("wb") as out:
            procs.append(subprocess.Popen(
                [str(RASA), "run", "--model", str(model), "--port", str(rasa_port),
                 "--endpoints", str(endpoints), "--credentials", "bot/credentials.yml"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
        _wait(f"{api_url}/health", procs[0], api_log, 120)
        _wait(rasa_url, procs[1], rasa_log, 240)
        yield LiveStack(api_url, rasa_url, work_dir)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
