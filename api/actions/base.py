"""What every action gets (the call and the services) and returns (events, replies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.compose import Reply
from api.protocol import ActionCall
from api.services import Services
from knowledge.errors import KnowledgeError
from knowledge.models import Measure

CURRENT_MEASURES = "current_measures"
# A message this short rarely names its own topic ("还有效吗", "我们能申请吗"): it is
# about the current measure. A longer one is taken at its word.
FOLLOW_UP_MAX_CHARS = 12
# The chat proxy allows 2,000 characters; Rasa's REST channel on loopback could be sent
# more. Nothing the actions do needs more than this.
TEXT_MAX_CHARS = 2000


@dataclass
class Context:
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
