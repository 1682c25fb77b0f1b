"""Real servers for end-to-end tests: `policybot serve` and `rasa run` on free ports.

Rasa takes about 40 s to start and minutes to train, so one trained model and one pair
of servers serve every end-to-end test of a session (fixture `live_stack` in conftest).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api import keys
from knowledge.settings import get_settings
from knowledge.versions import LIVE, live

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
TODAY = "2026-11-30"
# Where `api_server` keeps the chat transcripts, inside its work_dir.
CONVERSATIONS_DB = "conversations.sqlite"
# The shared secret Rasa presents to the test answer servers' /webhook.
ACTION_TOKEN = secrets.token_urlsafe(24)
SIGNING_KEY = secrets.token_urlsafe(24)
# Starts with "-" on purpose: one secret in 64 does, and `--auth-token <it>` once made
# Rasa's argument parser read it as an option and refuse to start (now `--auth-token=`).
RASA_TOKEN = "-" + secrets.token_urlsafe(24)
# Every test request comes from 127.0.0.1: one client to the fair-use limits. The test
# servers allow far more than a person would send; the limits have tests of their own.
GENEROUS_LIMITS = "100000/minute"


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
    """The live knowledge-base version's Rasa model (`make setup` publishes knowledge/)."""
    version = live(get_settings())
    if version is None or version.rasa_model is None or not version.rasa_model.is_file():
        raise RuntimeError("nothing is published in var/kb: run `make setup` (it publishes knowledge/)")
    return version.rasa_model


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "POLICYBOT_ACTION_TOKEN": ACTION_TOKEN, "POLICYBOT_RASA_TOKEN": RASA_TOKEN, **extra}


@contextmanager
def rasa_server(api_url: str, tracker_db: Path, log: Path, port: int | None = None,
                model: Path | None = None, endpoints: str = "bot/endpoints.yml",
                extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`rasa run` with the live version's model (or the given one) and bot/endpoints.yml
    (or the given endpoints, e.g. bot/endpoints-prod.yml with extra_env naming its
    databases), on loopback (a free port unless given), its model API behind RASA_TOKEN,
    calling the answer service at api_url; its URL once it answers."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(**{"POLICYBOT_ACTION_URL": f"{api_url}/webhook", "POLICYBOT_TRACKER_DB": str(tracker_db),
                  **(extra_env or {})})
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(RASA), "run", "--model", str(model or ensure_rasa_model()), "--interface", "127.0.0.1",
             "--port", str(port), "--enable-api", f"--auth-token={RASA_TOKEN}",
             "--endpoints", endpoints,
             "--credentials", "bot/credentials.yml"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(url, proc, log, 240)
        yield url
    finally:
        _stop(proc)


@contextmanager
def api_server(index_dir: Path | None, rasa_url: str, work_dir: Path,
               extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`policybot serve` on a free port over the given index (None: the live version of
    its knowledge-base folder, which it follows); its URL once healthy. Its secrets come
    from the environment, so nothing is written to the developer's var/."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    index = {"POLICYBOT_INDEX_DIR": str(index_dir)} if index_dir is not None else {}
    env = _env(**{**index, "POLICYBOT_TODAY": TODAY,
                  "POLICYBOT_RASA_URL": rasa_url,
                  "POLICYBOT_CONVERSATIONS_DB": str(work_dir / CONVERSATIONS_DB),
                  "POLICYBOT_SECRET_KEY": SIGNING_KEY,
                  "POLICYBOT_CLIENT_RATE_LIMITS": GENEROUS_LIMITS,
                  "POLICYBOT_CONVERSATION_RATE_LIMITS": GENEROUS_LIMITS,
                  "POLICYBOT_HEAVY_TURN_RATE_LIMITS": GENEROUS_LIMITS,
                  "POLICYBOT_HEAVY_TURNS_IN_FLIGHT": "100", **(extra_env or {})})
    log = work_dir / "api.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "policybot"), "serve",
                                 "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(f"{url}/health", proc, log, 120)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def live_stack(index_dir: Path, work_dir: Path,
               api_env: dict[str, str] | None = None) -> Iterator[LiveStack]:
    """The answer service and Rasa, each knowing where the other is.

    Rasa's port must be known before the answer service starts (its chat proxy forwards
    there), and the answer service's before Rasa starts (the action endpoint), so the
    Rasa port is chosen first."""
    rasa_port = free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    with api_server(index_dir, rasa_url, work_dir, api_env) as api_url, \
            rasa_server(api_url, work_dir / "tracker.db", work_dir / "rasa.log", port=rasa_port):
        yield LiveStack(api_url, rasa_url, work_dir)


@dataclass
class KbStack:
    """The assistant following a knowledge-base folder of its own, for publishing tests."""

    api_url: str
    rasa_url: str
    kb_dir: Path
    env: dict[str, str]

    def kb(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`policybot kb …` against this stack, as a maintainer runs it."""
        return subprocess.run([str(Path(sys.executable).parent / "policybot"), "kb", *args], cwd=ROOT,
                              env=self.env, text=True, capture_output=True, timeout=900)

    def ask(self, message: str) -> str:
        response = httpx.post(f"{self.api_url}/api/chat", json={"message": message}, timeout=60)
        response.raise_for_status()
        return "\n".join(str(m["text"]) for m in response.json()["messages"])


def copy_live_seed(work: Path) -> Path:
    """A knowledge-base folder of its own holding a copy of the live version (the models
    stay shared with var/kb, so nothing is rebuilt that need not be); its path."""
    seed = live(get_settings())
    if seed is None:
        raise RuntimeError("nothing is published in var/kb: run `make setup`")
    kb_dir = work / "kb"
    shutil.copytree(seed.root, kb_dir / "versions" / seed.id)
    (kb_dir / LIVE).write_text(seed.id + "\n", encoding="utf-8")
    return kb_dir


@contextmanager
def start_kb_stack(work: Path, today: str = TODAY) -> Iterator[KbStack]:
    """One answer service following a copy of the live version (copy_live_seed) and one
    Rasa with its model API on loopback."""
    kb_dir = copy_live_seed(work)
    seed = live(get_settings())
    assert seed is not None
    rasa_port = free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    shared = {"POLICYBOT_KB_DIR": str(kb_dir),
              "POLICYBOT_ARTIFACTS_DIR": str(get_settings().resolved_artifacts_dir.resolve()),
              "POLICYBOT_RASA_URL": rasa_url, "POLICYBOT_RASA_TOKEN": RASA_TOKEN, "POLICYBOT_TODAY": today}
    with api_server(None, rasa_url, work, {**shared, "POLICYBOT_KB_POLL_SECONDS": "0.5"}) as api_url, \
            rasa_server(api_url, work / "tracker.db", work / "rasa.log", port=rasa_port,
                        model=seed.rasa_model):
        yield KbStack(api_url, rasa_url, kb_dir, {**os.environ, **shared, "POLICYBOT_API_URLS": api_url})


@dataclass
class ChatLoad:
    """Ten senders asking through /api/chat in a loop until stopped; every answer counted
    (a publish or rollback must not fail one of them)."""

    url: str
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)  # conversation token -> turns answered
    last_status: dict[int, int] = field(default_factory=dict)  # sender -> its latest status
    stop: threading.Event = field(default_factory=threading.Event)

    def answered_turns(self) -> dict[str, int]:
        return dict(self.answered)

    def sender(self, i: int) -> None:
        """Asks as the widget does: every message has a turn id, and a 503 is retried with
        the same id (the widget's "重新发送"), so a turn is answered exactly once."""
        questions = ["贷款到期还不上能延期吗?", "第44条", "出口信用保险保费能补贴多少?", "那找哪个部门?"]
        token: str | None = None
        turn = 0
        with httpx.Client(timeout=60) as client:
            while not self.stop.is_set():
                body: dict[str, object] = {"message": questions[(i + turn) % len(questions)],
                                           "turn_id": f"load-{i}-{turn:06d}"}
                for _attempt in range(120):  # a minute, as a patient user
                    if token:
                        body["sender"] = token
                    try:
                        response = client.post(self.url, json=body)
                    except httpx.HTTPError as exc:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                        break
                    self.statuses.append(response.status_code)
                    self.last_status[i] = response.status_code
                    if response.status_code == 200:
                        token = response.json()["sender"]
                        self.answered[token] = self.answered.get(token, 0) + 1
                    if response.status_code != 503:
                        break
                    time.sleep(0.5)
                turn += 1

    def __enter__(self) -> ChatLoad:
        self.threads = [threading.Thread(target=self.sender, args=(i,)) for i in range(10)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(1)  # a few turns on the new version too
        self.stop.set()
        for thread in self.threads:
            thread.join()


@dataclass
class Profile:
    """A running production profile (`policybot prod up`) and how to reach it."""

    front: str
    api_urls: list[str]
    var_dir: Path
    env: dict[str, str]

    def processes(self) -> dict[str, dict[str, object]]:
        state: dict[str, dict[str, object]] = json.loads(
            (self.var_dir / "prod" / "processes.json").read_text(encoding="utf-8"))
        return state

    def pid(self, name: str) -> int:
        return int(str(self.processes()[name]["pid"]))

    def rasa_token(self) -> str:
        """The token of its Rasa processes' model API (generated under var/secrets)."""
        return (self.var_dir / "secrets" / keys.RASA_TOKEN).read_text(encoding="ascii").strip()

    def chat(self, message: str, token: str | None = None) -> httpx.Response:
        body: dict[str, object] = {"message": message}
        if token:
            body["sender"] = token
        return httpx.post(f"{self.front}/api/chat", json=body, timeout=60)


@contextmanager
def prod_profile(work: Path, nodes: int = 2, rasa: int = 2, workers: int = 2, today: str = TODAY,
                 limits: str = GENEROUS_LIMITS) -> Iterator[Profile]:
    """`policybot prod up` over a copy of the live version, every port free, its data and
    secrets under work/var; stopped (SIGTERM, as Ctrl-C) afterwards."""
    work.chmod(0o755)  # PostgreSQL runs as its own user and must reach its folder
    kb_dir = copy_live_seed(work)
    var_dir = work / "var"
    var_dir.mkdir()
    var_dir.chmod(0o755)
    pg, redis, listen, api_port, rasa_port = (free_port() for _ in range(5))
    env = {**os.environ, "POLICYBOT_VAR_DIR": str(var_dir), "POLICYBOT_KB_DIR": str(kb_dir),
           "POLICYBOT_ARTIFACTS_DIR": str(get_settings().resolved_artifacts_dir.resolve()),
           "POLICYBOT_TODAY": today, "POLICYBOT_CLIENT_RATE_LIMITS": limits,
           "POLICYBOT_CONVERSATION_RATE_LIMITS": limits, "POLICYBOT_HEAVY_TURN_RATE_LIMITS": limits}
    log_path = work / "prod.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "policybot"), "prod", "up", "--nodes", str(nodes),
             "--rasa", str(rasa), "--workers", str(workers), "--pg-port", str(pg),
             "--redis-port", str(redis), "--api-port", str(api_port), "--rasa-port", str(rasa_port),
             "--listen", f"127.0.0.1:{listen}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api_urls = [f"http://127.0.0.1:{api_port + i}" for i in range(nodes)]
    deadline = time.monotonic() + 900
    try:
        while b"is running" not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text(errors="replace")[-4000:])
            time.sleep(2)
        yield Profile(f"http://127.0.0.1:{listen}", api_urls, var_dir,
                      {**env, "POLICYBOT_API_URLS": ",".join(api_urls)})
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
