"""Rasa's own SQL tracker store, driven by the migration tests (runs under .venv-rasa's
Python 3.10, where Rasa is installed; the tests call it as a subprocess).

`write SQLITE_FILE SENDER TURNS` appends TURNS turns to a conversation the way Rasa
stores them (user message, slot, action, bot message), starting it with a session when
it is new. `read URL SENDER` prints what Rasa's store reads back from a database, as
JSON: the number of events, the user texts and the slots. So the tests check the copy
with the reader that matters, Rasa itself, not with a query of their own.
"""

from __future__ import annotations

import asyncio
import json
import sys
from urllib.parse import urlsplit

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.rasa_fixtures import DOMAIN


async def write(path: str, sender: str, turns: int) -> None:
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=path)
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    start = sum(isinstance(e, UserUttered) for e in tracker.events)
    for n in range(start, start + turns):
        tracker.update(UserUttered(f"第{n + 1}个问题", {"name": "ask_policy", "confidence": 0.9}))
        tracker.update(ActionExecuted("action_answer_question"))
        tracker.update(SlotSet("current_measures", [50 + n]))
        tracker.update(BotUttered(f"第{n + 1}个回答"))
        tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


async def read(url: str, sender: str) -> None:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    store = SQLTrackerStore(DOMAIN, dialect="postgresql", host=parts.hostname, port=parts.port,
                            db=parts.path.lstrip("/"), username=parts.username, password=parts.password)
    tracker = await store.retrieve(sender)
    found = None if tracker is None else {
        "events": len(tracker.events),
        "texts": [e.text for e in tracker.events if isinstance(e, UserUttered)],
        "slots": {k: v for k, v in tracker.current_slot_values().items() if v is not None}}
    sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        asyncio.run(write(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        asyncio.run(read(sys.argv[2], sys.argv[3]))
