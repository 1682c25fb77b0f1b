"""Rasa's SQL tracker store with a turn whose cost does not grow with its conversation.

Measured on Rasa 3.6 (tests/bench/bench_turn_cost.py): turn 50 of a conversation cost
about 2.3 times turn 1. Two parts of a turn grow with the session's events:

- Loading the tracker: `Event.from_parameters` looks the event's class up by walking
  every subclass of `Event` (`all_subclasses`, ~140 µs per event on this machine), so a
  300-event session took ~45 ms to deserialise before any other work. Here the class is
  looked up in a table built once.
- Everything that walks `tracker.events` afterwards: the policies' state featurisation
  (run a few times per turn), the tracker Rasa serialises for every action call, the
  answer service parsing it. Here the tracker keeps only a window of recent events.

The window never changes what the conversation knows. The whole session is still
replayed, so slots, the active form, the latest message and action are exact; the
events before the window are replaced by the state they left (a `SlotSet` per slot that
differs from its initial value, the active loop) followed by the user messages they
contain (the answer service reads every fact the user has stated from them), and the
window itself starts at the listen before a user message and reaches back over the
last six turns the policies featurise (memoization looks 4 states back; turns a rule
predicted do not count), so they see the recent turns exactly as without the window. Nothing synthetic is ever
written: `save` appends only the events created after the load.

Configured in bot/endpoints.yml (`type: bot.components.windowed_tracker_store.
WindowedSQLTrackerStore`, `window:` in events); everything else is SQLTrackerStore's.
Being the one piece of this project every `rasa run` loads, it also installs Rasa's
action-response check with its validator built once (action_response_check.py).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from bot.components import action_response_check

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 60  # events: six to ten turns
# Turns the policies see (memoization: max_history 4 in config.yml) and more, kept whole
# in the window if they lie at most _REACH windows back.
_POLICY_TURNS = 6
_REACH = 4
_LOADS_REMEMBERED = 10_000  # conversations whose last load a save may still need
_LOAD_MARK = "_policybot_window_load"

_event_types: dict[str, type[Event]] = {}


def event_class(type_name: str) -> type[Event] | None:
    """Event.resolve_by_type with the class table built once: the first subclass with
    that name wins, as in Rasa's own walk (the subclasses do not change at run time)."""
    if not _event_types:
        for cls in all_subclasses(Event):
            _event_types.setdefault(cls.type_name, cls)
    return _event_types.get(type_name)


def event_from_dict(data: dict[str, Any]) -> Event | None:
    """Event.from_parameters without the subclass walk."""
    name = data.get("event")
    cls = event_class(name) if isinstance(name, str) else None
    if cls is None:
        return None if name == "topic" or name is None else Event.from_parameters(data)
    return cls._from_parameters(data)


def _turn_starts_at(events: list[Event], i: int) -> bool:
    """events[i] is a user message right after the listen that waited for it."""
    before = events[i - 1]
    return (isinstance(events[i], UserUttered) and isinstance(before, ActionExecuted)
            and before.action_name == ACTION_LISTEN_NAME)


def _window_start(events: list[Event], window: int) -> int:
    """Where the kept events begin (0: all of them): at the listen before a user message,
    at least `window` events back, and far enough back to hold the last _POLICY_TURNS
    turns the policies see, unless those lie more than _REACH windows back.

    The policies skip turns a rule predicted (`hide_rule_turn`: every question asked
    while a check's form waits for an answer), so the states memoization looks back on
    can lie further back than any fixed number of events. A window of the last 60 events
    once held none of them: Rasa's featuriser failed (IndexError) and the turn was
    answered but never saved, so the next follow-up used the measure before it."""
    if len(events) <= window:
        return 0
    latest = len(events) - window
    earliest = max(1, len(events) - _REACH * window)
    seen, shortest = 0, 0
    for i in range(len(events) - 1, earliest - 1, -1):
        event = events[i]
        if isinstance(event, ActionExecuted) and not event.hide_rule_turn:
            seen += 1
        if i <= latest and _turn_starts_at(events, i):
            if seen >= _POLICY_TURNS:
                return i - 1
            shortest = shortest or i - 1
    return shortest


def _show_one_turn(events: list[Event]) -> None:
    """When every turn in the window is one the policies skip (a form ignored for longer
    than the reach), the first is shown to them, so they predict from a short history
    instead of failing on an empty one. Only the loaded copy changes; nothing is saved."""
    actions = [e for e in events if isinstance(e, ActionExecuted)]
    if actions and all(a.hide_rule_turn for a in actions):
        actions[0].hide_rule_turn = False


def windowed_tracker(sender_id: str, events: list[Event], domain: Domain,
                     window: int) -> DialogueStateTracker:
    """The session replayed whole; its events list cut to the state before the window,
    the earlier user messages, and the window."""
    start = _window_start(events, window)
    tracker = DialogueStateTracker(sender_id, domain.slots)
    for event in events[:start]:
        tracker.update(event, domain)
    if start:
        at = events[start - 1].timestamp
        initial = {slot.name: slot.initial_value for slot in domain.slots}
        state: list[Event] = [SlotSet(name, value, timestamp=at)
                              for name, value in tracker.current_slot_values().items()
                              if value != initial.get(name)]
        if tracker.active_loop_name:
            state.append(ActiveLoop(tracker.active_loop_name, timestamp=at))
        said = [e for e in tracker.applied_events() if isinstance(e, UserUttered)]
        tracker.events = tracker._create_events([*state, *said])
        _show_one_turn(events[start:])
    for event in events[start:]:
        tracker.update(event, domain)
    return tracker


class WindowedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers carry a bounded window of events (module docstring)."""

    def __init__(self, domain: Domain | None = None, window: int | str = DEFAULT_WINDOW,
                 **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        action_response_check.install()
        self.window = int(window)
        if self.window < 10:
            raise ValueError(f"tracker window {self.window}: at least 10 events")
        # sender -> (events in the loaded tracker, events in the database then); also
        # kept on the tracker itself, this is for a copy of it Rasa might save instead.
        self._loads: OrderedDict[str, tuple[int, int]] = OrderedDict()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            stored = [json.loads(row.data) for row in rows]
        if not stored or not self.domain:
            return None
        events = [e for e in map(event_from_dict, stored) if e is not None]
        tracker = windowed_tracker(sender_id, events, self.domain, self.window)
        load = (len(tracker.events), len(stored))
        setattr(tracker, _LOAD_MARK, load)
        self._loads[sender_id] = load
        self._loads.move_to_end(sender_id)
        while len(self._loads) > _LOADS_REMEMBERED:
            self._loads.popitem(last=False)
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events created since the load: after the loaded ones and after any this
        turn already saved (the stored count grew by those)."""
        in_db = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        load = getattr(tracker, _LOAD_MARK, None) or self._loads.get(tracker.sender_id)
        if load is None:  # a new conversation, or one never cut: Rasa's own rule
            return itertools.islice(tracker.events, in_db, len(tracker.events))
        loaded, stored_then = load
        return itertools.islice(tracker.events, loaded + max(0, in_db - stored_then), len(tracker.events))
