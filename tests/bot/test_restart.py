"""Conversations live in Rasa's SQLite tracker store, so a restart does not lose them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.live import LiveStack, rasa_server

pytestmark = pytest.mark.e2e


def _say(rasa_url: str, sender: str, text: str) -> str:
    response = httpx.post(f"{rasa_url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=30)
    return "\n".join(str(m.get("text", "")) for m in response.json())


def test_follow_up_after_a_rasa_restart(live_stack: LiveStack, tmp_path: Path) -> None:
    with rasa_server(live_stack.api_url, tmp_path / "tracker.db", tmp_path / "rasa.log") as url:
        assert "第40条" in _say(url, "restart-1", "小规模纳税人的六税两费减半还能享受吗?")
    assert (tmp_path / "tracker.db").stat().st_size > 0
    with rasa_server(live_stack.api_url, tmp_path / "tracker.db", tmp_path / "rasa.log") as url:
        reply = _say(url, "restart-1", "那找哪个部门?")
    assert reply.startswith("第40条由"), reply
