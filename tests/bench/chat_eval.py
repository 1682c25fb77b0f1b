"""Answers through the whole chat (Rasa NLU + dialogue + action server) on the project's
evaluation set: does the reply cite a gold measure, and does an unanswerable question get
no citation? Used by tests/bot/test_chat_quality.py and run by hand (`make eval-chat`, or
`python -m tests.bench.chat_eval`), which starts its own servers and writes
var/bench/chat_eval.json."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.evaluate import EvalQuestion, load_eval_set
from knowledge.settings import get_settings
from tests.bench.reports import save, stamp
from tests.live import live_stack

Chat = Callable[[str, str], list[dict[str, Any]]]


def cited(messages: list[dict[str, Any]]) -> list[int]:
    return [int(n) for m in messages for n in (m.get("custom") or {}).get("citations", [])]


def evaluate_chat(chat: Chat, questions: list[EvalQuestion]) -> dict[str, Any]:
    answerable = [q for q in questions if q.gold]
    unanswerable = [q for q in questions if not q.gold]
    first_hits = any_hits = refused = 0
    misses: list[dict[str, Any]] = []
    for i, q in enumerate(questions):
        numbers = cited(chat(f"chat-eval-{i}", q.text))
        if q.gold:
            first_hits += bool(numbers) and numbers[0] in q.gold
            any_hits += any(n in q.gold for n in numbers)
            if not numbers or numbers[0] not in q.gold:
                misses.append({"q": q.text, "gold": sorted(q.gold), "cited": numbers})
        else:
            refused += not numbers
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        "first_citation_correct": round(first_hits / len(answerable), 4),
        "any_citation_correct": round(any_hits / len(answerable), 4),
        "unanswerable": len(unanswerable),
        "unanswerable_without_citation": round(refused / max(len(unanswerable), 1), 4),
        "misses": misses,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as work, \
            live_stack(get_settings().resolved_index_dir, Path(work)) as stack:
        report = evaluate_chat(stack.chat, load_eval_set())
    report = {**stamp(), **report}
    out = save("chat_eval", report)
    print(json.dumps({k: v for k, v in report.items() if k != "misses"}, ensure_ascii=False, indent=2))
    print(f"{len(report['misses'])} misses listed in {out}")


if __name__ == "__main__":
    main()
