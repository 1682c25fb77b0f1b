"""What every action gets (the call and the services) and returns (events, replies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.compose import Reply
from api.protocol import ActionCall, slot_event
from api.services import Services
from knowledge.errors import KnowledgeError
from knowledge.language import ZH, language_of
from knowledge.models import Measure

CURRENT_MEASURES = "current_measures"
# The measures an overview just listed, for "展会那条呢?".
OFFERED_MEASURES = "offered_measures"
FORM = "eligibility_form"
LANGUAGE_SLOT = "language"
# A message this short rarely names its own topic ("还有效吗", "我们能申请吗"): it is
# about the current measure. A longer one is taken at its word.
FOLLOW_UP_MAX_CHARS = 12
# The chat proxy allows 2,000 characters; Rasa's REST channel on loopback could be sent
# more. Nothing the actions do needs more than this.
TEXT_MAX_CHARS = 2000


@dataclass
class Context:
    """One action call and the services that answer it.

    Rasa sends only the events the methods below read (bot/components/action_payload.py):
    user messages since the last restart (their text), the last bot message before the
    user's latest, and everything from the user's latest message on. A new reader of
    other events must widen that cut; tests/bot/test_action_payload.py compares what each
    reader gets from the cut and the whole tracker."""

    call: ActionCall
    services: Services

    @property
    def text(self) -> str:
        """The latest message, clipped: its cost in the actions is bounded by its size."""
        return (self.call.tracker.latest_message.text or "")[:TEXT_MAX_CHARS]

    @property
    def intent(self) -> tuple[str, float] | None:
        """The NLU intent of the latest message and its confidence, if Rasa sent one."""
        intent = self.call.tracker.latest_message.intent
        return (intent.name, intent.confidence) if intent and intent.name else None

    def entities(self, name: str) -> list[str]:
        return [str(e.value) for e in self.call.tracker.latest_message.entities
                if e.entity == name and e.value is not None]

    def slot(self, name: str) -> Any:
        return getattr(self.call.tracker.slots, name, None)

    @property
    def form_active(self) -> bool:
        return (self.call.tracker.active_loop or {}).get("name") == FORM

    def _events_since_restart(self) -> list[dict[str, Any]]:
        events = self.call.tracker.events
        start = max((i for i, e in enumerate(events) if e.get("event") == "restart"), default=-1)
        return events[start + 1:]

    @property
    def user_texts(self) -> list[str]:
        """What the user wrote in this conversation, oldest first (the latest message last,
        clipped like `text`)."""
        texts = [str(e.get("text") or "")[:TEXT_MAX_CHARS] for e in self._events_since_restart()
                 if e.get("event") == "user"]
        if not texts or texts[-1] != self.text:
            texts.append(self.text)
        return texts

    def _offered_buttons(self) -> set[str]:
        """The quick-reply payloads of the bot's last message before the user's latest."""
        events = self.call.tracker.events
        last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
        for event in reversed(events[:last_user]):
            if event.get("event") == "bot":
                return {str(b.get("payload")) for b in (event.get("data") or {}).get("buttons") or []}
        return set()

    @property
    def language(self) -> str:
        """The language to answer in: the latest message's, or for one in neither
        language ("250", "2023-03-10") or a quick reply clicked (its payload is Chinese
        whatever the conversation's language) the last one the user wrote in; Chinese
        at first."""
        texts = self.user_texts
        if texts and texts[-1] in self._offered_buttons():
            texts = texts[:-1]
        for text in reversed(texts):
            if (lang := language_of(text)) is not None:
                return lang
        return ZH

    def language_events(self) -> list[dict[str, Any]]:
        """Set the language slot (bot/domain.yml: the responses Rasa says itself follow
        it) when the conversation's language is not the one it holds (Chinese unset)."""
        language = self.language
        if language == (self.slot(LANGUAGE_SLOT) or ZH):
            return []
        return [slot_event(LANGUAGE_SLOT, language)]

    def since_user_message(self) -> list[dict[str, Any]]:
        """Tracker events after the latest user message, oldest first."""
        events = self.call.tracker.events
        last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
        return events[last_user + 1:]

    def said_this_turn(self) -> list[dict[str, Any]]:
        """The custom payloads of what the bot said since the user's latest message."""
        return [((e.get("data") or {}).get("custom") or {}) for e in self.since_user_message()
                if e.get("event") == "bot"]

    @property
    def current_measures(self) -> list[int | str]:
        """The conversation's measures as the slot keeps them (Catalog.ref: numbers, or
        "doc_id#number" keys when several documents are loaded)."""
        return list(self.call.tracker.slots.current_measures or [])

    def measures(self, refs: list[int | str]) -> list[Measure]:
        """The measures slot values name, skipping any the catalog no longer has (a
        conversation may outlive a published version)."""
        out = []
        for ref in refs:
            try:
                out.append(self.services.catalog.by_ref(ref))
            except KnowledgeError:
                continue
        return out


@dataclass
class ActionResult:
    """Replies for the user and events for Rasa's tracker. (Not an eligibility Outcome,
    which is whether one condition is met.)"""

    replies: list[Reply] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


Action = Callable[[Context], ActionResult]
