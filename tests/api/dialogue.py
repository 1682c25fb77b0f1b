"""Conversations through the webhook in the fast tier: Rasa's part played by a small
driver that follows bot/data/rules.yml (one action per intent, the form while it is
active, the form rejecting what is no answer and running again after the rule's action).
NLU is not played: each turn says which intent Rasa would predict, so a test can try
both labels of a message. The real Rasa plays the same conversations in tests/bot.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.api.conftest import FIXTURE, PostWebhook

FORM = "eligibility_form"
VALIDATE = "validate_eligibility_form"
# bot/data/rules.yml: the action each intent gets (the small talk is said by Rasa itself).
ACTION_OF = {"ask_question": "action_answer_question", "check_eligibility": "action_answer_question",
             "nlu_fallback": "action_answer_question", "inform": "action_answer_question",
             "ask_department": "action_answer_department",
             "ask_department_measures": "action_list_department_measures",
             "ask_measure": "action_show_measure", "ask_validity": "action_answer_validity",
             "ask_how_to_apply": "action_how_to_apply", "stop": "action_reset_eligibility",
             "affirm": "action_answer_question", "deny": "action_answer_question"}
SMALL_TALK = {"greet": "utter_greet", "thanks": "utter_thanks", "bot_challenge": "utter_iamabot",
              "goodbye": "utter_goodbye", "out_of_scope": "utter_out_of_scope"}


class Dialogue:
    """One conversation's tracker, kept as Rasa would keep it."""

    def __init__(self, post: PostWebhook) -> None:
        self.post = post
        self.recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.slots: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.active_loop: str | None = None
        self.replies: list[dict[str, Any]] = []
        self.actions: list[str] = []

    # -- one action call --------------------------------------------------------------------
    def _run(self, action: str, text: str, intent: tuple[str, float]) -> int:
        body = copy.deepcopy(self.recorded)
        body["next_action"] = action
        tracker = body["tracker"]
        tracker["latest_message"].update(text=text, entities=[],
                                         intent={"name": intent[0], "confidence": intent[1]})
        tracker["slots"] = dict(self.slots)
        tracker["events"] = list(self.events)
        tracker["active_loop"] = {"name": self.active_loop} if self.active_loop else {}
        response = self.post(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        if response.status_code == 400:
            return 400
        assert response.status_code == 200, response.json()
        self.actions.append(action)
        self.events.append({"event": "action", "name": action})
        result = response.json()
        for message in result["responses"]:
            self.replies.append(message)
            self.events.append({"event": "bot", "text": message.get("text"),
                                "data": {"custom": message.get("custom"),
                                         "buttons": message.get("buttons")}})
        for event in result["events"]:
            self.events.append(event)
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            elif event["event"] == "active_loop":
                self.active_loop = event["name"]
        return 200

    def _form(self, text: str, intent: tuple[str, float]) -> int:
        return self._run(VALIDATE, text, intent)

    # -- one user turn ----------------------------------------------------------------------
    def say(self, text: str, intent: str = "ask_question", confidence: float = 0.9) -> str:
        """The user's message with the intent NLU would give it; the bot's text back."""
        self.replies = []
        self.actions = []
        predicted = (intent, confidence)
        self.events.append({"event": "user", "text": text,
                            "parse_data": {"intent": {"name": intent, "confidence": confidence}}})
        if self.active_loop == FORM:
            if self.slots.get("requested_slot") == "eligibility_answer":
                self.slots["eligibility_answer"] = text
            if self._form(text, predicted) == 200:
                return self.text
            if intent == "stop":
                self.active_loop = None
                self.events.append({"event": "active_loop", "name": None})
                self._run("action_reset_eligibility", text, predicted)
            elif intent in SMALL_TALK:
                self.events.append({"event": "action", "name": SMALL_TALK[intent]})
                self._form(text, predicted)
            elif intent == "goodbye":
                self.active_loop = None
                return self.text
            else:
                self._run(ACTION_OF[intent], text, predicted)
            if self.active_loop == FORM:  # the rule returns to the form (or the happy path)
                self._form(text, predicted)
            return self.text
        if intent in SMALL_TALK:
            self.events.append({"event": "action", "name": SMALL_TALK[intent]})
            return ""
        self._run(ACTION_OF[intent], text, predicted)
        if self.active_loop == FORM:  # the answer started a check: the form runs once
            self._form(text, predicted)
        return self.text

    # -- what the last turn said ------------------------------------------------------------
    @property
    def text(self) -> str:
        return "\n".join(str(m.get("text") or "") for m in self.replies)

    @property
    def citations(self) -> list[int]:
        return [int(n) for m in self.replies for n in (m.get("custom") or {}).get("citations", [])]

    @property
    def buttons(self) -> list[str]:
        return [b["payload"] for m in self.replies for b in m.get("buttons") or []]

    @property
    def verdict(self) -> dict[str, Any] | None:
        return next(((m.get("custom") or {})["verdict"] for m in self.replies
                     if "verdict" in (m.get("custom") or {})), None)

    @property
    def asking(self) -> str | None:
        return next(((m.get("custom") or {})["asking"] for m in self.replies
                     if "asking" in (m.get("custom") or {})), None)
