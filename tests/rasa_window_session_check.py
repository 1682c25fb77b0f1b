"""A real session the tracker window once broke (tests/bot/fixtures/form-left-open-session.json),
under .venv-rasa's Python; tests/bot/test_tracker_window.py runs it as a module.

The session (66 events) is stored with Rasa's own SQL tracker store, read back with it
and with the windowed store (a 60-event window), and the next turn is played on both up
to the moment the check's form has asked again: what memoization featurises then (the
last four states, rule turns left out) is printed for each, or the error. A window of
its last 60 events once left Rasa's featuriser no state at all (IndexError).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    BotUttered,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.components.windowed_tracker_store import WindowedSQLTrackerStore
from tests.rasa_fixtures import DOMAIN, recorded_events

NEXT_TURN = [UserUttered("那找哪个部门?", {"name": "ask_department", "confidence": 0.9}),
             SlotSet("eligibility_answer", None), ActionExecutionRejected("eligibility_form"),
             ActionExecuted("action_answer_department", hide_rule_turn=True), BotUttered("第50条由……负责。"),
             ActionExecuted("eligibility_form", hide_rule_turn=True)]


def _featurised(tracker: DialogueStateTracker | None) -> Any:
    if tracker is None:
        return "no tracker"
    for event in NEXT_TURN:
        tracker.update(event, DOMAIN)
    try:
        states = MaxHistoryTrackerFeaturizer(max_history=4).prediction_states(
            [tracker], DOMAIN, ignore_rule_only_turns=True,
            rule_only_data={"rule_only_slots": [], "rule_only_loops": []})
    except IndexError as exc:
        return f"IndexError: {exc}"
    return json.loads(json.dumps([{k: dict(v) for k, v in s.items()} for s in states[0]], default=list))


async def main(path: str) -> None:
    events = recorded_events()
    await SQLTrackerStore(DOMAIN, dialect="sqlite", db=path).save(
        DialogueStateTracker.from_dict("talker", events, DOMAIN.slots))
    rasa = await SQLTrackerStore(DOMAIN, dialect="sqlite", db=path).retrieve("talker")
    windowed = await WindowedSQLTrackerStore(DOMAIN, window=60, dialect="sqlite", db=path).retrieve("talker")
    sys.stdout.write(json.dumps({"events": len(events), "rasa": _featurised(rasa),
                                 "windowed": _featurised(windowed)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
