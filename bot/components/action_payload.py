"""The tracker Rasa sends with each action call, cut to what the answer service reads.

Rasa 3.6 sends every event of the tracker with every action call, and a turn makes one
to three calls (the answer, the check form's validation before and after it). The
window of the tracker store (windowed_tracker_store.py) reaches back over the turns the
policies skip, so late in a conversation with a check left open each call carried about
90 KB: serialised by Rasa, parsed and checked by the answer service, three times a turn,
and growing with the conversation.

The answer service (api/actions/base.py, Context, and api/actions/lookup.py) reads of the
events only: the text of every user message since the last restart (facts stated
earlier, the conversation's language), the last bot message before the user's latest
(its quick replies, a matching list), and every event from the user's latest message on
(what ran this turn). So those are sent, the earlier user messages without their NLU
parse, and nothing else before the latest user message; the rest of the call (slots,
latest message with its parse, active loop, latest action) is Rasa's own, unchanged.
tests/bot/test_action_payload.py checks that the answer service reads the same from the
cut tracker as from the whole one, at every turn of a recorded conversation.

Installed by the tracker store, like action_response_check.py; `install()` is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, Restarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

_INSTALLED = "_policybot_cut_payload"


def events_for_action_server(events: Iterable[Event]) -> list[dict[str, Any]]:
    """The events the answer service reads, as Rasa would serialise them."""
    events = list(events)  # a tracker keeps a deque
    last_user = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
    last_bot = next((i for i in range(last_user - 1, -1, -1) if isinstance(events[i], BotUttered)), None)
    earlier: list[dict[str, Any]] = []
    for i, event in enumerate(events[:last_user]):
        if isinstance(event, UserUttered):
            earlier.append({"event": UserUttered.type_name, "timestamp": event.timestamp, "text": event.text})
        elif i == last_bot or isinstance(event, Restarted):
            earlier.append(event.as_dict())
    return [*earlier, *(event.as_dict() for event in events[last_user:])]


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker,
                        domain: Domain) -> dict[str, Any]:
    """Rasa's call (RemoteAction._action_call_format) with the cut events: the tracker's
    state is taken without events, so the others are never serialised."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = events_for_action_server(tracker.events)
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
              "version": rasa.__version__}
    needs_domain = domain.does_custom_action_explicitly_need_domain(self.name())
    if not self._is_selective_domain_enabled() or needs_domain:
        result["domain"] = domain.as_dict()
    return result


def install() -> None:
    """Make RemoteAction send the cut tracker (once)."""
    if not getattr(RemoteAction._action_call_format, _INSTALLED, False):
        setattr(_action_call_format, _INSTALLED, True)
        RemoteAction._action_call_format = _action_call_format
