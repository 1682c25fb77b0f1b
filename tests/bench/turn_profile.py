"""Where a Rasa turn's CPU time goes, from py-spy's raw (collapsed-stack) samples.

Each sampled stack is attributed to the outermost frame that names a part of a turn:
parsing the message (NLU: Rasa's graph, the tokenizer, featurizers, the classifier),
loading or saving the tracker (the tracker store and rebuilding the tracker from its
events), predicting actions (policies and their featurizers), calling the action server
(serialising the tracker for it, the HTTP client), or else "other" (Sanic, the event
loop, logging). Samples whose innermost Python frame is Sanic's serve() are the event
loop itself (uvloop, in C: polling or doing I/O); they are counted apart ("event loop"),
since py-spy cannot tell its waiting from its work.
"""

from __future__ import annotations

from collections import Counter

# (part, file fragment, function names or None for any function in that file)
RULES: list[tuple[str, str, frozenset[str] | None]] = [
    ("tracker load", "rasa/core/tracker_store.py", frozenset({
        "retrieve", "_retrieve", "retrieve_full_tracker", "get_or_create_tracker", "create_tracker"})),
    ("tracker save", "rasa/core/tracker_store.py",
     frozenset({"save", "_additional_events", "stream_events"})),
    ("tracker load", "rasa/core/processor.py", frozenset({
        "get_tracker", "fetch_tracker_with_initial_session", "fetch_tracker_and_update_session",
        "fetch_full_tracker_with_initial_session"})),
    ("tracker save", "rasa/core/processor.py", frozenset({"save_tracker"})),
    ("NLU", "rasa/core/processor.py", frozenset({"parse_message", "_parse_message_with_graph"})),
    ("action call", "rasa/core/actions/action.py", frozenset({"run"})),
    ("policies", "rasa/core/processor.py", frozenset({
        "predict_next_with_tracker_if_should", "_predict_next_with_tracker", "predict_next_with_tracker",
        "predict_next_for_sender_id"})),
    ("policies", "rasa/core/policies/", None),
]
PARTS = ("NLU", "policies", "tracker load", "tracker save", "action call", "event loop")


def part_of(stack: list[str]) -> str:
    if stack and "sanic/server/runners.py" in stack[-1]:
        return "event loop"
    for frame in stack:
        for part, path, functions in RULES:
            if path in frame and (functions is None or frame.split(" (", 1)[0].strip() in functions):
                return part
    return "other"


def breakdown(raw: str) -> dict[str, float]:
    """Share of the samples per part (the parts of PARTS and "other")."""
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        counts[part_of(stack.split(";"))] += int(number)
    total = sum(counts.values()) or 1
    return {part: round(n / total, 3) for part, n in counts.most_common()}
