"""Rasa's own test stories (bot/tests/) against the trained model, NLU included."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.live import RASA, ROOT, ensure_rasa_model

pytestmark = pytest.mark.e2e


def test_every_story_is_predicted_exactly(tmp_path: Path) -> None:
    model = ensure_rasa_model()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    result = subprocess.run(
        [str(RASA), "test", "core", "--model", str(model), "--stories", "bot/tests",
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    failed = tmp_path / "failed_test_stories.yml"
    report = failed.read_text(encoding="utf-8") if failed.exists() else "(no report)"
    assert result.returncode == 0, f"{report}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "None of the test stories failed" in report
