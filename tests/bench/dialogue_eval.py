"""Whole conversations through the whole chat (Rasa NLU and dialogue + the answer
service): the project's set of multi-turn conversations (knowledge/evaluation/
conversations.yml), each turn judged on what its reply must do. Used by
tests/bot/test_dialogue_quality.py and run by hand (`make eval-dialogue`, or
`python -m tests.bench.dialogue_eval`), which starts its own servers and writes
var/bench/dialogue_eval.json."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.settings import PACKAGE_DIR, get_settings
from tests.bench.chat_eval import cited
from tests.bench.reports import save, stamp
from tests.live import live_stack

CONVERSATIONS = PACKAGE_DIR / "evaluation" / "conversations.yml"
ANY = "any"
Chat = Callable[[str, str], list[dict[str, Any]]]


@dataclass(frozen=True)
class Turn:
    say: str
    cites: frozenset[int] | str  # the first citation's allowed numbers; empty: none; ANY
    says: tuple[str, ...] = ()
    not_says: tuple[str, ...] = ()
    asks: str | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class Conversation:
    id: str
    kinds: tuple[str, ...]
    turns: tuple[Turn, ...]


def _cites(value: Any) -> frozenset[int] | str:
    if value is None:
        return frozenset()
    return frozenset(int(v) for v in (value if isinstance(value, list) else [value]))


def load_conversations(path: Path = CONVERSATIONS) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Conversation(str(c["id"]), tuple(c.get("kinds") or ()),
                         tuple(Turn(str(t["say"]), _cites(t["cites"]) if "cites" in t else ANY,
                                    tuple(t.get("says") or ()), tuple(t.get("not_says") or ()),
                                    t.get("asks"), t.get("verdict"))
                               for t in c["turns"]))
            for c in data]


def _custom(messages: list[dict[str, Any]], key: str) -> Any:
    return next(((m.get("custom") or {})[key] for m in messages if key in (m.get("custom") or {})),
                None)


def judge(turn: Turn, messages: list[dict[str, Any]]) -> list[str]:
    """What the reply got wrong (nothing: the turn is right)."""
    text = "\n".join(str(m.get("text") or "") for m in messages)
    numbers = cited(messages)
    wrong = []
    if turn.cites != ANY:
        assert isinstance(turn.cites, frozenset)
        if not turn.cites and numbers:
            wrong.append(f"cited {numbers}, expected nothing")
        elif turn.cites and (not numbers or numbers[0] not in turn.cites):
            wrong.append(f"cited {numbers}, expected first {sorted(turn.cites)}")
    wrong += [f"does not say {s!r}" for s in turn.says if s not in text]
    wrong += [f"says {s!r}" for s in turn.not_says if s in text]
    if turn.asks is not None and _custom(messages, "asking") != turn.asks:
        wrong.append(f"asks {_custom(messages, 'asking')!r}, expected {turn.asks!r}")
    verdict = _custom(messages, "verdict")
    if turn.verdict is not None and (verdict or {}).get("outcome") != turn.verdict:
        wrong.append(f"verdict {(verdict or {}).get('outcome')!r}, expected {turn.verdict!r}")
    return wrong


def evaluate_dialogues(chat: Chat, conversations: list[Conversation]) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    right_turns = right_conversations = 0
    by_kind: dict[str, list[int]] = {}
    misses: list[dict[str, Any]] = []
    for conversation in conversations:
        sender = f"dialogue-eval-{run}-{conversation.id}"
        all_right = True
        for i, turn in enumerate(conversation.turns):
            messages = chat(sender, turn.say)
            wrong = judge(turn, messages)
            right_turns += not wrong
            all_right &= not wrong
            for kind in conversation.kinds:
                counts = by_kind.setdefault(kind, [0, 0])
                counts[0] += not wrong
                counts[1] += 1
            if wrong:
                misses.append({"conversation": conversation.id, "turn": i + 1, "say": turn.say,
                               "wrong": wrong,
                               "reply": "\n".join(str(m.get("text") or "") for m in messages)[:400]})
        right_conversations += all_right
    turns = sum(len(c.turns) for c in conversations)
    return {
        "conversations": len(conversations),
        "turns": turns,
        "turn_accuracy": round(right_turns / max(turns, 1), 4),
        "conversation_accuracy": round(right_conversations / max(len(conversations), 1), 4),
        "by_kind": {k: round(r / n, 4) for k, (r, n) in sorted(by_kind.items())},
        "misses": misses,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as work, \
            live_stack(get_settings().resolved_index_dir, Path(work)) as stack:
        report = evaluate_dialogues(stack.chat, load_conversations())
    report = {**stamp(), **report}
    out = save("dialogue_eval", report)
    print(json.dumps({k: v for k, v in report.items() if k != "misses"}, ensure_ascii=False, indent=2))
    print(f"{len(report['misses'])} turns wrong, listed in {out}")


if __name__ == "__main__":
    main()
