"""Markdown for the README's bot figures, from the reports the bot measurements write:
var/reports/nlu/summary.json, var/bench/chat_eval.json, var/bench/dialogue_eval.json and
var/bench/chat.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPORTS = {"nlu": "var/reports/nlu/summary.json", "chat": "var/bench/chat_eval.json",
           "dialogue": "var/bench/dialogue_eval.json", "bench": "var/bench/chat.json"}


def markdown(nlu: dict[str, Any], chat: dict[str, Any], dialogue: dict[str, Any],
             bench: dict[str, Any]) -> str:
    lines: list[str] = []
    out = lines.append
    worst = ", ".join(f"{name} {f1}" for name, f1 in nlu["worst_intents"][:3])
    weakest = ", ".join(f"{kind} {share:.0%}" for kind, share in
                        sorted(dialogue["by_kind"].items(), key=lambda item: item[1])[:3])
    out(f"Measured {nlu['date']} on {nlu['machine']} by `make readme-figures` "
        f"(`scripts/nlu-crossval.sh`, `tests/bench/chat_eval.py`, `tests/bench/dialogue_eval.py`, "
        f"`tests/bench/bench_chat.py`).\n")
    out(f"- Whole conversations (`make eval-dialogue`, {dialogue['conversations']} conversations, "
        f"{dialogue['turns']} turns in `knowledge/evaluation/conversations.yml`): turns right "
        f"{dialogue['turn_accuracy']:.1%}, conversations right throughout "
        f"{dialogue['conversation_accuracy']:.1%}; weakest kinds: {weakest}. (Target: 95% of turns.)")
    out(f"- Whole chat on the evaluation set ({chat['answerable']} answerable questions): first "
        f"citation correct {chat['first_citation_correct']:.1%}, a gold measure among the citations "
        f"{chat['any_citation_correct']:.1%}; {chat['unanswerable']} unanswerable questions answered "
        f"without a citation {chat['unanswerable_without_citation']:.1%}. (Target: 95% first "
        f"citation correct.)")
    out(f"- NLU, {nlu['folds']}-fold cross-validation (fold seed {nlu['fold_seed']}), a diagnostic "
        f"(the answer does not depend on ask_question against check_eligibility, and the figures "
        f"above are what users get): intent macro-F1 {nlu['intent_macro_f1']}, "
        f"accuracy {nlu['intent_accuracy']}; entity micro-F1 {nlu['entity_micro_f1']}. "
        f"Weakest intents: {worst}. Right predictions too unsure for the fallback threshold "
        f"{nlu['fallback_threshold']} (answered by retrieval instead): "
        f"{nlu['right_but_below_threshold']:.1%}.")
    out("\nChat turns through Rasa's REST channel, conversations of five turns "
        "(target at 10 senders: p50 150 ms, p95 400 ms):\n")
    out("| concurrent senders | turns | p50 | p95 | turns/s |\n|---|---|---|---|---|")
    for r in bench["levels"]:
        out(f"| {r['concurrency']} | {r['turns']} | {r['p50_ms']} ms | {r['p95_ms']} ms "
            f"| {r['turns_per_s']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    reports = {name: json.loads(Path(path).read_text(encoding="utf-8"))
               for name, path in REPORTS.items()}
    sys.stdout.write(markdown(**reports))


if __name__ == "__main__":
    main()
