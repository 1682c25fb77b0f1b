"""What Rasa sends the answer service with an action call, whole and cut (bot/components/
action_payload.py), under .venv-rasa's Python; tests/bot/test_action_payload.py runs it
as a module and reads both with the answer service's own Context.

Sessions: the recorded one of tests/bot/fixtures/form-left-open-session.json, and the
same followed by a restart, a matching list with quick replies and a pick from it. For
every prefix of a session that ends with an action (when Rasa calls the answer service)
both event lists are printed, and Rasa's own call format is compared with the cut one.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    Restarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from bot.components import action_payload
from tests.rasa_fixtures import DOMAIN, recorded_events

PARSE = {"name": "ask_question", "confidence": 0.9}
AFTER = [ActionExecuted("action_restart"), Restarted(), ActionExecuted("action_listen"),
         UserUttered("We export machinery. Which measures fit us?", PARSE),
         ActionExecuted("action_match_profile"),
         BotUttered("1. 第44条 2. 第50条", {"buttons": [{"title": "第44条", "payload": "第44条"}],
                                              "custom": {"match": True, "citations": [44, 50]}}),
         SlotSet("offered_measures", [44, 50]), ActionExecuted("action_listen"),
         UserUttered("第2个怎么申请?", PARSE), ActionExecuted("action_how_to_apply"),
         BotUttered("第50条……", {"custom": {"citations": [50]}}), ActionExecuted("action_listen"),
         UserUttered("第44条", PARSE), ActionExecuted("action_show_measure")]


def _prefixes(events: list[Event]) -> list[dict[str, Any]]:
    out = []
    for end in range(1, len(events) + 1):
        if not isinstance(events[end - 1], ActionExecuted):
            continue
        tracker = DialogueStateTracker.from_events("talker", events[:end], DOMAIN.slots)
        out.append({"full": [e.as_dict() for e in tracker.events],
                    "cut": action_payload.events_for_action_server(tracker.events)})
    return out


def main() -> None:
    recorded = [Event.from_parameters(e) for e in recorded_events()]
    tracker = DialogueStateTracker.from_events("talker", [*recorded, *AFTER], DOMAIN.slots)
    action = RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:1/webhook"))
    rasas = action._action_call_format(tracker, DOMAIN)
    action_payload.install()
    ours = RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:1/webhook"))._action_call_format(
        tracker, DOMAIN)
    installed = RemoteAction._action_call_format
    action_payload.install()
    rasas_events, our_events = rasas["tracker"].pop("events"), ours["tracker"].pop("events")
    sys.stdout.write(json.dumps({
        "sessions": {"recorded": _prefixes(recorded), "after": _prefixes([*recorded, *AFTER])},
        "same_besides_events": json.loads(json.dumps(rasas)) == json.loads(json.dumps(ours)),
        "events_sent": [len(rasas_events), len(our_events)],
        "bytes_sent": [len(json.dumps({**rasas, "events": rasas_events})),
                       len(json.dumps({**ours, "events": our_events}))],
        "whole_state_events": len(tracker.current_state(EventVerbosity.ALL)["events"]),
        "installed_once": RemoteAction._action_call_format is installed,
    }, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main()
