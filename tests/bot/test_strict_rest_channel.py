"""A turn Rasa failed answers nothing through the REST channel (bot/components/
strict_rest_channel.py), which the chat proxy turns into a 503; an answered turn is
unchanged. Run under Rasa's Python (tests/rasa_channel_check.py)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.conftest import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def _check() -> dict[str, Any]:
    done = subprocess.run([str(RASA_PYTHON), "-W", "ignore", "-m", "tests.rasa_channel_check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["log"] = done.stderr
    return result


def test_a_failed_turn_answers_nothing_and_an_answered_one_is_kept() -> None:
    result = _check()
    assert result["failed"] == []
    assert [m["text"] for m in result["answered"]] == ["第52条……"]
    assert "turn of talker failed" in result["log"] and "IndexError" in result["log"]
    assert result["name"] == "rest"  # the webhook stays /webhooks/rest/webhook
