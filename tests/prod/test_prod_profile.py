"""The production profile end to end: `policybot prod up` with PostgreSQL, Redis, two
application nodes (each two Rasa processes and two answer-service workers) and nginx,
all on loopback, driven through nginx as the website would, with faults caused for real
(a Rasa process killed, PostgreSQL and Redis restarted) and a publish under load."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bench.dialogue_eval import evaluate_dialogues, load_conversations
from tests.conftest import ROOT, SOURCE
from tests.live import ChatLoad, Profile, prod_profile
from tests.stores import reachable_temp_dir

pytestmark = pytest.mark.e2e
POLICYBOT = str(Path(sys.executable).parent / "policybot")


@pytest.fixture(scope="module")
def profile() -> Iterator[Profile]:
    work = reachable_temp_dir("policybot-prod-")  # PostgreSQL runs as its own user
    try:
        with prod_profile(work, nodes=2) as started:
            yield started
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_a_conversation_through_the_front_keeps_its_context_across_rasa_processes(profile: Profile) -> None:
    first = profile.chat("出口信用保险保费能补贴多少?")
    assert first.status_code == 200, first.text
    token = first.json()["sender"]
    assert "第50条" in first.json()["messages"][0]["text"]
    # Turns are spread over four Rasa processes: the follow-ups only work if the
    # conversation is shared through PostgreSQL (and locked through Redis).
    for _ in range(4):
        follow_up = profile.chat("那找哪个部门?", token)
        assert follow_up.status_code == 200
        assert follow_up.json()["messages"][0]["text"].startswith("第50条由")


def test_the_conversation_set_through_the_front(profile: Profile) -> None:
    """The project's multi-turn conversations (the same set and target as through Rasa
    alone, tests/bot/test_dialogue_quality.py) through nginx, the chat proxy, four Rasa
    processes, PostgreSQL's tracker store and Redis's locks."""
    tokens: dict[str, str] = {}

    def chat(sender: str, message: str) -> list[dict[str, object]]:
        response = profile.chat(message, tokens.get(sender))
        assert response.status_code == 200, response.text
        tokens[sender] = response.json()["sender"]
        return list(response.json()["messages"])

    report = evaluate_dialogues(chat, load_conversations())
    assert report["turn_accuracy"] >= 0.95, report["misses"][:10]


def test_only_public_routes_pass_the_front(profile: Profile) -> None:
    assert httpx.get(f"{profile.front}/health", timeout=10).json()["status"] == "ok"
    assert httpx.post(f"{profile.front}/webhook", json={}, timeout=10).status_code == 404
    assert httpx.get(f"{profile.front}/actions", timeout=10).status_code == 404
    assert httpx.get(f"{profile.front}/operator", timeout=10).status_code == 200


def _conversations_intact(profile: Profile, load: ChatLoad) -> None:
    """Every answered turn is stored once: no lost and no doubled turn."""
    for token, answered in load.answered_turns().items():
        history = httpx.post(f"{profile.front}/api/chat/history", json={"sender": token}, timeout=30)
        assert history.status_code == 200
        users = [t for t in history.json()["turns"] if t["role"] == "user"]
        roles = "".join(t["role"][0] for t in history.json()["turns"])
        assert len(users) == answered, (token, len(users), answered, roles)


def test_killing_a_rasa_process_under_load(profile: Profile) -> None:
    with ChatLoad(f"{profile.front}/api/chat") as load:
        time.sleep(3)
        name = sorted(n for n in profile.processes() if "-rasa-" in n)[0]
        os.killpg(profile.pid(name), signal.SIGKILL)
        time.sleep(8)
    statuses = set(load.statuses)
    assert statuses <= {200, 503}, statuses
    # At worst the turns in flight on the killed process (one per sender) are refused, and
    # a retry may be refused once more; then the other processes carry the conversations.
    assert load.statuses.count(503) <= 20, load.statuses.count(503)
    # Every sender's last turn was answered: a conversation the killed process held locked
    # waits for the lock to expire (TICKET_LOCK_LIFETIME), then goes on.
    assert load.last_status == dict.fromkeys(range(10), 200), load.last_status
    assert load.errors == []
    _conversations_intact(profile, load)


@pytest.mark.parametrize("database", ["postgres", "redis"])
def test_a_database_restart_gives_503s_then_recovers_with_nothing_lost(profile: Profile,
                                                                      database: str) -> None:
    with ChatLoad(f"{profile.front}/api/chat") as load:
        time.sleep(2)
        # PostgreSQL's fast shutdown (SIGINT), Redis's shutdown (SIGTERM): a restart, as an
        # operator or a package upgrade does it; the supervisor starts them again.
        os.killpg(profile.pid(database), signal.SIGINT if database == "postgres" else signal.SIGTERM)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # back up (the supervisor restarts it)
            time.sleep(2)
            if load.statuses[-5:] == [200] * 5:
                break
        time.sleep(2)
    assert set(load.statuses) <= {200, 503}, set(load.statuses)
    assert load.last_status == dict.fromkeys(range(10), 200), load.last_status
    assert load.errors == []
    _conversations_intact(profile, load)


def test_a_publish_under_load_switches_both_nodes(profile: Profile, tmp_path: Path) -> None:
    amended = tmp_path / SOURCE.name
    amended.write_text(SOURCE.read_text(encoding="utf-8").replace(
        "最长可延至2023年6月30日", "最长可延至2024年12月31日"), encoding="utf-8")
    with ChatLoad(f"{profile.front}/api/chat") as load:
        published = subprocess.run([POLICYBOT, "kb", "publish", str(amended), "--yes", "--json"], cwd=ROOT,
                                   env=profile.env, text=True, capture_output=True, timeout=900)
    assert published.returncode == 0, published.stderr
    version = json.loads(published.stdout)["id"]
    assert set(load.statuses) == {200} and load.errors == []
    for url in profile.api_urls:
        assert httpx.get(f"{url}/health", timeout=10).json()["kb_version"] == version
    answer = profile.chat("第44条").json()["messages"][0]["text"]
    assert "2024年12月31日" in answer
