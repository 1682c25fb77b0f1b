"""`make clean` removes what setup generated and nothing users made."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT

GENERATED = ["var/index/v1/faiss.index", "var/models/policy-static-zh/model.safetensors",
             "var/rasa/models/policybot.tar.gz", "var/log/api.log", "bot/data/generated/nlu.yml"]
USER_DATA = ["var/chat/conversations.sqlite", "var/rasa/tracker.db", "var/secrets/conversation-key"]
# Made by maintainers, not by setup: bank questions waiting for the next publish.
MAINTAINERS_DATA = ["var/kb/pending/hongqi-2023-measures.yml", "var/secrets/admin-session-key"]


def test_clean_keeps_conversations_ratings_and_secrets(tmp_path: Path) -> None:
    for name in GENERATED + USER_DATA + MAINTAINERS_DATA:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    subprocess.run(["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "clean"],
                   cwd=tmp_path, check=True, capture_output=True)
    assert [n for n in GENERATED if (tmp_path / n).exists()] == []
    assert [n for n in USER_DATA if (tmp_path / n).exists()] == USER_DATA
    assert [n for n in MAINTAINERS_DATA if (tmp_path / n).exists()] == MAINTAINERS_DATA


def test_deleting_conversations_needs_a_typed_yes(tmp_path: Path) -> None:
    for name in USER_DATA:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    make = ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "delete-conversations"]
    refused = subprocess.run(make, cwd=tmp_path, input="no\n", text=True, capture_output=True)
    assert refused.returncode != 0 and all((tmp_path / n).exists() for n in USER_DATA)
    subprocess.run(make, cwd=tmp_path, input="yes\n", text=True, capture_output=True, check=True)
    assert not any((tmp_path / n).exists() for n in USER_DATA)
