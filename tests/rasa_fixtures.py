"""What the Rasa-side checks (tests/rasa_*.py, run under .venv-rasa's Python) share: the
bot's domain and the recorded session of tests/bot/fixtures/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.shared.core.domain import Domain

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = Domain.load(str(ROOT / "bot" / "domain.yml"))
# A real session (Rasa 3.6, this bot): a check left open while the user asks on.
RECORDED_SESSION = ROOT / "tests" / "bot" / "fixtures" / "form-left-open-session.json"


def recorded_events() -> list[dict[str, Any]]:
    """The recorded session's events, as Rasa stores them."""
    events: list[dict[str, Any]] = json.loads(RECORDED_SESSION.read_text(encoding="utf-8"))["events"]
    return events
