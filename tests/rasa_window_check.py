"""The windowed tracker store against Rasa's own SQL tracker store (runs under
.venv-rasa's Python 3.10, where Rasa is installed; tests/bot/test_tracker_window.py
calls it as a subprocess, as a module from the project root so `bot` is the project's).

`python -m tests.rasa_window_check SQLITE_FILE TURNS WINDOW HIDDEN_FROM` writes a
conversation of TURNS turns with Rasa's store (a check form opened at turn 3 that stays
active, a slot set once at turn 1, the conversation's language set at turn 2, every turn
from HIDDEN_FROM (0-based) on predicted by a rule), reads it back with both
stores, has the windowed one save one more turn (twice, and a copy of it), then five
more (each read only in what is new), and prints JSON: what each store read
(events, slots, active loop, user texts, the policies' last five states, with and
without the turns a rule predicted) and what Rasa's
store reads after the windowed one saved.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
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
from tests.rasa_fixtures import DOMAIN


def _turn(tracker: DialogueStateTracker, n: int, hidden_from: int) -> None:
    intent = ["ask_question", "check_eligibility", "ask_department"][n % 3]
    # From turn hidden_from on, every turn is one a rule predicted (a question asked while
    # the check waits for its answer), which the policies' history skips.
    hidden = n >= hidden_from
    tracker.update(UserUttered(f"第{n + 1}个问题", {"name": intent, "confidence": 0.9}))
    tracker.update(ActionExecuted("action_answer_question", hide_rule_turn=hidden))
    tracker.update(SlotSet("current_measures", [50 + n % 20]))
    if n == 0:
        tracker.update(SlotSet("eligibility_facts", {"size": "small"}))
    if n == 1:
        tracker.update(SlotSet("language", "en"))
    if n == 2:
        tracker.update(ActiveLoop("eligibility_form"))
        tracker.update(SlotSet("eligibility_measure", 44))
    tracker.update(BotUttered(f"第{n + 1}个回答"))
    tracker.update(ActionExecuted("action_listen", hide_rule_turn=hidden))


def _seen(tracker: DialogueStateTracker | None) -> dict[str, Any] | None:
    if tracker is None:
        return None
    states = tracker.past_states(DOMAIN)[-5:]
    # As memoization featurises, at the moment it failed once: in the next turn, after a
    # rule had the question answered and the open form ask again (rule turns left out).
    probe = DialogueStateTracker.from_events(tracker.sender_id, [*tracker.events, *_asked_again()],
                                             slots=DOMAIN.slots)
    policy_states = probe.past_states(DOMAIN, ignore_rule_only_turns=True, rule_only_data={
        "rule_only_slots": [], "rule_only_loops": []})[-5:]
    return {
        "events": len(tracker.events),
        "slots": {k: v for k, v in tracker.current_slot_values().items() if v is not None},
        "active_loop": tracker.active_loop_name,
        "latest": tracker.latest_message.text if tracker.latest_message else None,
        "texts": [e.text for e in tracker.applied_events() if isinstance(e, UserUttered)],
        "states": _plain(states),
        "policy_states": _plain(policy_states),
    }


def _asked_again() -> list[Any]:
    return [UserUttered("还有一个问题", {"name": "ask_question", "confidence": 0.9}),
            ActionExecuted("action_answer_question", hide_rule_turn=True), BotUttered("回答"),
            ActionExecuted("eligibility_form", hide_rule_turn=True)]


def _plain(states: list[Any]) -> Any:
    return json.loads(json.dumps([{k: dict(v) for k, v in s.items()} for s in states], default=list))


async def main(path: str, turns: int, window: int, hidden_from: int) -> None:
    rasa = SQLTrackerStore(DOMAIN, dialect="sqlite", db=path)
    windowed = WindowedSQLTrackerStore(DOMAIN, window=window, dialect="sqlite", db=path)
    tracker = DialogueStateTracker("talker", DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    for n in range(turns):
        _turn(tracker, n, hidden_from)
    await rasa.save(tracker)

    before = {"rasa": _seen(await rasa.retrieve("talker")),
              "windowed": _seen(await windowed.retrieve("talker"))}
    stored = before["rasa"]["events"] if before["rasa"] else 0  # the session's events
    cut = await windowed.retrieve("talker")
    assert cut is not None
    _turn(cut, turns, hidden_from)
    twin = copy.deepcopy(cut)  # a copy Rasa might save instead, taken before the save
    await windowed.save(cut)
    await windowed.save(cut)  # a second save of the same turn adds nothing
    await windowed.save(twin)  # nor does the copy
    after = await rasa.retrieve("talker")
    assert after is not None
    # Five more turns through the same store, which reads only what is new each time;
    # then what it reads beside a store that reads everything, and Rasa's.
    for n in range(turns + 1, turns + 6):
        going = await windowed.retrieve("talker")
        assert going is not None
        _turn(going, n, hidden_from)
        await windowed.save(going)
    later = {"rasa": _seen(await rasa.retrieve("talker")),
             "cached": _seen(await windowed.retrieve("talker")),
             "cold": _seen(await WindowedSQLTrackerStore(DOMAIN, window=window, dialect="sqlite",
                                                         db=path).retrieve("talker"))}
    sys.stdout.write(json.dumps({
        "stored": stored, "before": before, "after": _seen(after), "later": later,
        "after_types": [e.type_name for e in list(after.events)[stored:]],
        "missing": await windowed.retrieve("nobody") is None,
    }, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
