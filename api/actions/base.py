"""What every action gets (the call and the services) and returns (events, replies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.compose import Reply
from api.protocol import ActionCall
from api.services import Services

CURRENT_MEASURES = "current_measures"
# A message this short rarely names its own topic ("还有效吗", "我们能申请吗"): it is
# about the current measure. A longer one is taken at its word.
FOLLOW_UP_MAX_CHARS = 12


@dataclass
class Context:
    call: ActionCall
    services: Services

    @property
    def text(self) -> str:
        return str(self.call.tracker.latest_message.get("text") or "")

    @property
    def intent(self) -> tuple[str, float] | None:
        """The NLU intent of the latest message and its confidence, if Rasa sent one."""
        intent = self.call.tracker.latest_message.get("intent") or {}
        name = intent.get("name")
        return (str(name), float(intent.get("confidence") or 0.0)) if name else None

    def entities(self, name: str) -> list[str]:
        return [str(e.get("value")) for e in self.call.tracker.latest_message.get("entities") or []
                if e.get("entity") == name and e.get("value") is not None]

    def slot(self, name: str) -> Any:
        return self.call.tracker.slots.get(name)

    @property
    def current_measures(self) -> list[int]:
        value = self.slot(CURRENT_MEASURES) or []
        return [int(v) for v in value] if isinstance(value, list) else []


@dataclass
class ActionResult:
    """Replies for the user and events for Rasa's tracker. (Not an eligibility Outcome,
    which is whether one condition is met.)"""

    replies: list[Reply] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


Action = Callable[[Context], ActionResult]
