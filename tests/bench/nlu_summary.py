"""The figures of an NLU cross-validation run, from the reports `rasa test nlu` wrote.

Run by scripts/nlu-crossval.sh after Rasa (in its own environment) has written
intent_report.json, intent_successes.json and the entity extractor's report; writes
summary.json beside them, which tests.bench.bot_figures turns into the README's lines.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from tests.bench.reports import stamp


def fallback_threshold(config: Path) -> float:
    """The FallbackClassifier's threshold in a Rasa training configuration."""
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    return float(next(c["threshold"] for c in pipeline if c["name"] == "FallbackClassifier"))


def summarise(out: Path, folds: int, seed: int, threshold: float) -> dict[str, Any]:
    intent = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    entity_reports = sorted(out.glob("*Extractor_report.json"))
    entity = json.loads(entity_reports[0].read_text(encoding="utf-8")) if entity_reports else {}
    # How often a right prediction is still too unsure for the FallbackClassifier (it then
    # goes to the retrieval answer instead of its intent's rule).
    right = json.loads((out / "intent_successes.json").read_text(encoding="utf-8"))
    unsure = sum(1 for r in right if r["intent_prediction"]["confidence"] < threshold)
    per_intent = [(name, round(v["f1-score"], 3)) for name, v in intent.items()
                  if isinstance(v, dict) and "support" in v and "avg" not in name]
    return {
        **stamp(),
        "folds": folds,
        "fold_seed": seed,
        "intent_macro_f1": round(intent["macro avg"]["f1-score"], 4),
        "intent_accuracy": round(intent.get("accuracy", 0.0), 4),
        "entity_micro_f1": round(entity.get("micro avg", {}).get("f1-score", 0.0), 4),
        "entity_macro_f1": round(entity.get("macro avg", {}).get("f1-score", 0.0), 4),
        "fallback_threshold": threshold,
        "right_but_below_threshold": round(unsure / max(len(right), 1), 4),
        "worst_intents": sorted(per_intent, key=lambda kv: kv[1])[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="the folder `rasa test nlu` wrote to")
    parser.add_argument("--folds", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    args = parser.parse_args()
    summary = summarise(args.out, args.folds, args.seed, fallback_threshold(args.config))
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    (args.out / "summary.json").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
