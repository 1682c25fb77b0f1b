"""The windowed tracker store against Rasa's own SQL tracker store (runs under
.venv-rasa's Python 3.10, where Rasa is installed; tests/bot/test_tracker_window.py
calls it as a subprocess, as a module from the project root so `bot` is the project's).

`python -m tests.rasa_window_check SQLITE_FILE TURNS WINDOW` writes a conversation of
TURNS turns with Rasa's store (a check form opened at turn 3 that stays active, a slot
set once at turn 1, the conversation's language set at turn 2), reads it back with both
stores, has the windowed one save one more turn, and prints JSON: what each store read
(events, slots, active loop, user texts, the policies' last five states) and what Rasa's
store reads after the windowed one saved.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.components.windowed_tracker_store import WindowedSQLTrackerStore

DOMAIN = Domain.load(str(Path(__file__).resolve().parent.parent / "bot" / "domain.yml"))


def _turn(tracker: DialogueStateTracker, n: int) -> None:
    intent = ["ask_question", "check_eligibility", "ask_department"][n % 3]
    tracker.update(UserUttered(f"第{n + 1}个问题", {"name": intent, "confidence": 0.9}))
    tracker.update(ActionExecuted("action_answer_question"))
    tracker.update(SlotSet("current_measures", [50 + n % 20]))
    if n == 0:
        tracker.update(SlotSet("eligibility_facts", {"size": "small"}))
    if n == 1:
        tracker.update(SlotSet("language", "en"))
    if n == 2:
        tracker.update(ActiveLoop("eligibility_form"))
        tracker.update(SlotSet("eligibility_measure", 44))
    tracker.update(BotUttered(f"第{n + 1}个回答"))
    tracker.update(ActionExecuted("action_listen"))


def _seen(tracker: DialogueStateTracker | None) -> dict[str, Any] | None:
    if tracker is None:
        return None
    states = tracker.past_states(DOMAIN)[-5:]
    return {
        "events": len(tracker.events),
        "slots": {k: v for k, v in tracker.current_slot_values().items() if v is not None},
        "active_loop": tracker.active_loop_name,
        "latest": tracker.latest_message.text if tracker.latest_message else None,
        "texts": [e.text for e in tracker.applied_events() if isinstance(e, UserUttered)],
        "states": json.loads(json.dumps([{k: dict(v) for k, v in s.items()} for s in states],
                                        default=list)),
    }


async def main(path: str, turns: int, window: int) -> None:
    rasa = SQLTrackerStore(DOMAIN, dialect="sqlite", db=path)
    windowed = WindowedSQLTrackerStore(DOMAIN, window=window, dialect="sqlite", db=path)
    tracker = DialogueStateTracker("talker", DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    for n in range(turns):
        _turn(tracker, n)
    await rasa.save(tracker)

    before = {"rasa": _seen(await rasa.retrieve("talker")),
              "windowed": _seen(await windowed.retrieve("talker"))}
    stored = before["rasa"]["events"] if before["rasa"] else 0  # the session's events
    cut = await windowed.retrieve("talker")
    assert cut is not None
    _turn(cut, turns)
    await windowed.save(cut)
    await windowed.save(cut)  # a second save of the same turn adds nothing
    after = await rasa.retrieve("talker")
    assert after is not None
    sys.stdout.write(json.dumps({
        "stored": stored, "before": before, "after": _seen(after),
        "after_types": [e.type_name for e in list(after.events)[stored:]],
        "missing": await windowed.retrieve("nobody") is None,
    }, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
