"""Rasa's own action-response check against the compiled one (bot/components/
action_response_check.py), under .venv-rasa's Python where Rasa is installed;
tests/bot/test_action_response_check.py runs it as a module from the project root.

Prints JSON: for each response, what Rasa's check and the compiled one said (True, or
the ValidationError's message), and whether a second install kept the first.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.components import action_response_check

RESPONSES: dict[str, Any] = {
    "answer": {"events": [{"event": "slot", "name": "current_measures", "value": [50]},
                          {"event": "active_loop", "name": "eligibility_form"}],
               "responses": [{"text": "根据第50条", "buttons": [{"title": "是", "payload": "是"}],
                              "custom": {"citations": [50]}}]},
    "empty": {},
    "events not a list": {"events": {"event": "slot"}},
    "event without a type": {"events": [{"name": "language", "value": "zh"}]},
    "unknown event": {"events": [{"event": "no_such_event"}]},
    "responses not a list": {"responses": "根据第50条"},
}


def _verdict(action: RemoteAction, response: Any) -> Any:
    try:
        return action._validate_action_result(json.loads(json.dumps(response)))
    except ValidationError as exc:
        return exc.message


def main() -> None:
    action = RemoteAction("action_answer_question", None)
    rasa = {name: _verdict(action, r) for name, r in RESPONSES.items()}
    own = RemoteAction._validate_action_result
    action_response_check.install()
    installed = RemoteAction._validate_action_result
    action_response_check.install()
    compiled = {name: _verdict(action, r) for name, r in RESPONSES.items()}
    sys.stdout.write(json.dumps({"rasa": rasa, "compiled": compiled,
                                 "replaced": installed is not own,
                                 "installed_once": RemoteAction._validate_action_result is installed},
                                ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
