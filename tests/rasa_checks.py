"""Running a check under Rasa's own Python (.venv-rasa, 3.10, where Rasa is installed)
from the project's tests (3.11, without Rasa): the check is a module of tests/ run from
the project root, so `bot` is the project's, and it prints its findings as one JSON line
last."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from typing import Any

from tests.conftest import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
# Rasa quiet: no telemetry, no SQLAlchemy 2.0 warnings in what the checks print.
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


@dataclass
class RasaCheck:
    result: dict[str, Any]  # the check's last output line
    log: str  # what it wrote to stderr (its logging)


def run_rasa_check(module: str, *args: str) -> RasaCheck:
    done = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", "-m", module, *args], cwd=ROOT,
        env={**os.environ, **RASA_ENV},
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return RasaCheck(json.loads(done.stdout.strip().splitlines()[-1]), done.stderr)
