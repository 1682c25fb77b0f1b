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
written: `save` appends only the events created after the load, counted in this process
(the lock store lets one process at a time run a conversation's turn), so a save costs
no query to count what is stored already (Rasa's own store counts, a tenth of a turn's
CPU on PostgreSQL).

Configured in bot/endpoints.yml (`type: bot.components.windowed_tracker_store.
WindowedSQLTrackerStore`, `window:` in events); everything else is SQLTrackerStore's.
Being the one piece of this project every `rasa run` loads, it also installs Rasa's
action-response check with its validator built once (action_response_check.py), the
cut tracker sent with each action call (action_payload.py) and the kept-alive
connections it goes over (action_connections.py).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from bot.components import action_connections, action_payload, action_response_check

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 60  # events: six to ten turns
# Turns the policies see (memoization: max_history 4 in config.yml) and more, kept whole
# in the window if they lie at most _REACH windows back.
_POLICY_TURNS = 6
_REACH = 4
_LOADS_REMEMBERED = 10_000  # conversations whose last load a save may still need
_SESSIONS_CACHED = 1_000  # conversations whose events this process keeps between turns
_LOAD_MARK = "_policybot_window_load"
Row = dict[str, Any]  # one stored event, as Rasa serialises it
# Events after which the messages said so far are no longer simply the earlier ones plus
# the new (DialogueStateTracker.applied_events).
_UNDOING = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted)

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


def _turn_starts_at(rows: list[Row], i: int) -> bool:
    """rows[i] is a user message right after the listen that waited for it."""
    before = rows[i - 1]
    return (rows[i].get("event") == UserUttered.type_name and before.get("event") == ActionExecuted.type_name
            and before.get("name") == ACTION_LISTEN_NAME)


def _seen_by_policies(row: Row) -> bool:
    return row.get("event") == ActionExecuted.type_name and not row.get("hide_rule_turn")


def window_start(rows: list[Row], window: int) -> int:
    """Where the kept events begin (0: all of them): at the listen before a user message,
    the earliest within the last `window` events, or further back (up to _REACH windows)
    while the window holds fewer than _POLICY_TURNS turns the policies see.

    The policies skip turns a rule predicted (`hide_rule_turn`: every question asked
    while a check's form waits for an answer), so the states memoization looks back on
    can lie further back than any fixed number of events. A window of the last 60 events
    once held none of them: Rasa's featuriser failed (IndexError) and the turn was
    answered but never saved, so the next follow-up used the measure before it."""
    if len(rows) <= window:
        return 0
    inside = len(rows) - window
    earliest = max(1, len(rows) - _REACH * window)
    seen, within = 0, 0
    for i in range(len(rows) - 1, earliest - 1, -1):
        seen += _seen_by_policies(rows[i])
        if not _turn_starts_at(rows, i):
            continue
        if i - 1 >= inside:
            within = i - 1  # the earliest turn within the last `window` events so far
        elif seen + _seen_by_policies(rows[i - 1]) >= _POLICY_TURNS:
            enough = sum(map(_seen_by_policies, rows[within:])) >= _POLICY_TURNS
            return within if enough else i - 1
    return 0 if earliest == 1 else within  # the whole session is within reach: keep it


def _show_one_turn(events: list[Event]) -> None:
    """When the window holds fewer turns the policies see than they look back on (a form
    ignored for longer than the reach), its first turn is shown to them, so they predict
    from a short history instead of failing on an empty one (Rasa's featuriser can end
    with no state at all then). Only the loaded copy changes; nothing is saved."""
    actions = [e for e in events if isinstance(e, ActionExecuted)]
    if actions and sum(not a.hide_rule_turn for a in actions) < _POLICY_TURNS:
        actions[0].hide_rule_turn = False


def _events(rows: list[Row]) -> list[Event]:
    return [e for e in map(event_from_dict, rows) if e is not None]


def _said(event: UserUttered) -> UserUttered:
    """A user message before the window as the answer service reads it (text, intent,
    entities), without the NLU's full ranking it no longer needs: a long conversation's
    early messages then cost little to send with every action call."""
    return UserUttered(event.text, event.intent, event.entities, timestamp=event.timestamp,
                       input_channel=event.input_channel, message_id=event.message_id)


@dataclass
class _Load:
    """A tracker's load: the first `loaded` of its events were read (or stand for what
    was read), and `saved` of the events after them were saved since. Shared by the
    tracker and any copy of it Rasa saves instead (never deep-copied), so a second save of
    the turn, by either, appends only what is newer."""

    loaded: int
    saved: int = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> _Load:
        return self


@dataclass
class _Session:
    """One conversation's stored session as this process last read it, and a tracker
    replayed up to its window, so the next turn reads and replays only what is new."""

    last_id: int
    rows: list[Row]
    before_window: DialogueStateTracker
    start: int = 0
    said: list[UserUttered] = field(default_factory=list)  # the user messages before it

    def advance(self, events: list[Event], domain: Domain) -> None:
        """Replay events up to the new window start; the messages they add are appended,
        or all read again when one of them undoes earlier events (a rare revert)."""
        for event in events:
            self.before_window.update(event, domain)
        if any(isinstance(e, _UNDOING) for e in events):
            self.said = [_said(e) for e in self.before_window.applied_events()
                         if isinstance(e, UserUttered)]
        else:
            self.said += [_said(e) for e in events if isinstance(e, UserUttered)]


def windowed_tracker(sender_id: str, rows: list[Row], domain: Domain, window: int,
                     known: _Session | None = None) -> tuple[DialogueStateTracker, _Session]:
    """The session replayed whole; its events cut to the state before the window, the
    earlier user messages, and the window. `known`: the same session read before (its
    rows a prefix of these), whose replay goes on from where it stopped."""
    start = window_start(rows, window)
    if known is None or start < known.start:
        known = _Session(0, rows, DialogueStateTracker(sender_id, domain.slots))
    known.advance(_events(rows[known.start:start]), domain)
    known.start, known.rows = start, rows
    tracker = DialogueStateTracker(sender_id, domain.slots)
    kept = _events(rows[start:])
    if start:
        before = known.before_window
        at = before.events[-1].timestamp if before.events else None
        initial = {slot.name: slot.initial_value for slot in domain.slots}
        state: list[Event] = [SlotSet(name, value, timestamp=at)
                              for name, value in before.current_slot_values().items()
                              if value != initial.get(name)]
        if before.active_loop_name:
            state.append(ActiveLoop(before.active_loop_name, timestamp=at))
        kept = [*state, *known.said, *kept]
        _show_one_turn(kept)
    for event in kept:
        tracker.update(event, domain)
    return tracker, known


class WindowedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers carry a bounded window of events (module docstring)."""

    def __init__(self, domain: Domain | None = None, window: int | str = DEFAULT_WINDOW,
                 **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        action_response_check.install()
        action_payload.install()
        action_connections.install()
        self.window = int(window)
        if self.window < 10:
            raise ValueError(f"tracker window {self.window}: at least 10 events")
        # sender -> its last load; also kept on the tracker itself, this is for a copy of
        # it Rasa might save instead.
        self._loads: OrderedDict[str, _Load] = OrderedDict()
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    def _rows(self, sender_id: str) -> tuple[list[Row], int, _Session | None]:
        """The session's stored events, the id of the last, and what this process knew
        of them: only rows after the last one read are fetched (events are only ever
        appended, one turn of a conversation at a time under the lock store), unless a
        new session began."""
        known = self._sessions.pop(sender_id, None)
        with self.session_scope() as session:
            if known is not None:
                new = (session.query(self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data)
                       .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id > known.last_id)
                       .order_by(self.SQLEvent.id).all())
                if all(row.type_name != SessionStarted.type_name for row in new):
                    rows = known.rows + [json.loads(row.data) for row in new]
                    return rows, (new[-1].id if new else known.last_id), known
            stored = (self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                      .with_entities(self.SQLEvent.id, self.SQLEvent.data).all())
            return [json.loads(row.data) for row in stored], (stored[-1].id if stored else 0), None

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        rows, last_id, known = self._rows(sender_id)
        if not rows or not self.domain:
            return None
        tracker, known = windowed_tracker(sender_id, rows, self.domain, self.window, known)
        known.last_id = last_id
        self._sessions[sender_id] = known
        while len(self._sessions) > _SESSIONS_CACHED:
            self._sessions.popitem(last=False)
        load = _Load(len(tracker.events))
        setattr(tracker, _LOAD_MARK, load)
        self._loads[sender_id] = load
        self._loads.move_to_end(sender_id)
        while len(self._loads) > _LOADS_REMEMBERED:
            self._loads.popitem(last=False)
        return tracker

    def _load_of(self, tracker: DialogueStateTracker) -> _Load | None:
        load: _Load | None = getattr(tracker, _LOAD_MARK, None) or self._loads.get(tracker.sender_id)
        return load

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        load = self._load_of(tracker)
        if load is not None:  # all of this tracker's events are stored now
            load.saved = max(load.saved, len(tracker.events) - load.loaded)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events created since the load and not saved yet; for a tracker this store
        did not load (a new conversation, or one whose load was forgotten), Rasa's rule:
        those after as many as are stored."""
        load = self._load_of(tracker)
        if load is None:
            query = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
            in_db = query.count()
            return itertools.islice(tracker.events, in_db, len(tracker.events))
        return itertools.islice(tracker.events, load.loaded + load.saved, len(tracker.events))
