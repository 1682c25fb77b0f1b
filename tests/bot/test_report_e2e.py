"""The report reads what the real chat stored: questions asked through /api/chat (Rasa and
the answer service), one rated 👎, then `policybot report` over the answer service's store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge.settings import get_settings
from tests.live import CONVERSATIONS_DB, LiveStack

pytestmark = pytest.mark.e2e
POLICYBOT = str(Path(sys.executable).parent / "policybot")


def ask(stack: LiveStack, message: str) -> dict[str, object]:
    response = httpx.post(f"{stack.api_url}/api/chat", json={"message": message}, timeout=60)
    response.raise_for_status()
    data: dict[str, object] = response.json()
    return data


def test_the_report_lists_what_the_chat_stored(live_stack: LiveStack, tmp_path: Path) -> None:
    unanswerable = "公司法定代表人变更需要带什么材料?"
    ask(live_stack, unanswerable)
    answered = ask(live_stack, "我们公司想去德国参展,展位费能补贴吗?")
    message = answered["messages"][0]  # type: ignore[index]
    assert 0 < message["custom"]["confidence"] <= 1  # the answer carries its confidence
    rated = httpx.post(f"{live_stack.api_url}/api/chat/feedback", json={
        "sender": answered["sender"], "message_id": message["id"], "rating": "down"}, timeout=10)
    assert rated.status_code == 204

    # The answer service's store; nothing else of the developer's var/ (the model is read).
    env = {**os.environ, "POLICYBOT_CONVERSATIONS_DB": str(live_stack.work_dir / CONVERSATIONS_DB),
           "POLICYBOT_VAR_DIR": str(tmp_path),
           "POLICYBOT_DISTILLED_MODEL_DIR": str(get_settings().default_model_dir.resolve())}
    result = subprocess.run([POLICYBOT, "report", "--json"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    assert group_of(groups, unanswerable)["reasons"].get("no_citation", 0) >= 1
    fair = group_of(groups, "我们公司想去德国参展,展位费能补贴吗?")
    assert fair["reasons"]["rated_down"] >= 1 and fair["cited"][0]["measure"] == 52


def group_of(groups: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """The group a question is in (other tests of the session ask through the same store)."""
    return next(g for g in groups if g["question"] == text or any(v["text"] == text for v in g["variants"]))
