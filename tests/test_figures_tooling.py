"""The tooling that writes the README's figures: summaries and the block splice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.bot_figures import markdown
from tests.bench.nlu_summary import fallback_threshold, summarise
from tests.bench.readme_figures import MissingBlock, splice
from tests.conftest import ROOT

README = """intro
<!-- figures:eval:start -->
old eval
<!-- figures:eval:end -->
middle
<!-- figures:bot:start -->
old bot
<!-- figures:bot:end -->
"""


def test_splice_replaces_only_the_named_block() -> None:
    text = splice(README, "eval", "\nnew eval\n\n")
    assert "new eval" in text and "old eval" not in text
    assert "old bot" in text and text.startswith("intro\n") and "middle" in text
    assert splice(text, "eval", "new eval") == text


def test_splice_refuses_an_unknown_block() -> None:
    with pytest.raises(MissingBlock):
        splice(README, "bench", "x")


def test_the_project_config_has_a_fallback_threshold() -> None:
    assert 0 < fallback_threshold(ROOT / "config.yml") < 1


def test_nlu_summary_from_rasa_reports(tmp_path: Path) -> None:
    intent = {"greet": {"f1-score": 1.0, "support": 10}, "ask_validity": {"f1-score": 0.8, "support": 5},
              "macro avg": {"f1-score": 0.9, "support": 15}, "accuracy": 0.93}
    (tmp_path / "intent_report.json").write_text(json.dumps(intent))
    (tmp_path / "RegexEntityExtractor_report.json").write_text(
        json.dumps({"micro avg": {"f1-score": 1.0}, "macro avg": {"f1-score": 0.5}}))
    right = [{"intent_prediction": {"confidence": c}} for c in (0.9, 0.3, 0.8, 0.95)]
    (tmp_path / "intent_successes.json").write_text(json.dumps(right))
    summary = summarise(tmp_path, folds=5, seed=0, threshold=0.45)
    assert summary["intent_macro_f1"] == 0.9 and summary["intent_accuracy"] == 0.93
    assert summary["entity_micro_f1"] == 1.0 and summary["entity_macro_f1"] == 0.5
    assert summary["right_but_below_threshold"] == 0.25
    assert summary["worst_intents"] == [("ask_validity", 0.8), ("greet", 1.0)]


def test_bot_figures_markdown() -> None:
    nlu = {"date": "2026-11-30", "machine": "x86_64, 2 cores", "folds": 5, "fold_seed": 0,
           "intent_macro_f1": 0.93, "intent_accuracy": 0.94, "entity_micro_f1": 1.0,
           "worst_intents": [["a", 0.8], ["b", 0.85], ["c", 0.9], ["d", 0.95]],
           "fallback_threshold": 0.45, "right_but_below_threshold": 0.025}
    chat = {"answerable": 155, "first_citation_correct": 0.948, "any_citation_correct": 0.961,
            "unanswerable": 35, "unanswerable_without_citation": 0.943}
    dialogue = {"conversations": 60, "turns": 172, "turn_accuracy": 0.9767,
                "conversation_accuracy": 0.95, "by_kind": {"english": 1.0, "stop": 0.9, "keywords": 0.8,
                                                           "validity": 0.95}}
    bench = {"levels": [{"concurrency": 1, "turns": 200, "p50_ms": 60.0, "p95_ms": 75.7,
                         "turns_per_s": 16.9}]}
    text = markdown(nlu, chat, dialogue, bench)
    assert "Weakest intents: a 0.8, b 0.85, c 0.9." in text
    assert "(answered by retrieval instead): 2.5%." in text
    assert "first citation correct 94.8%" in text
    assert "172 turns in `knowledge/evaluation/conversations.yml`): turns right 97.7%" in text
    assert "weakest kinds: keywords 80%, stop 90%, validity 95%." in text
    assert "Target: intent macro-F1" not in text  # replaced by the end-to-end figures
    assert text.endswith("| 1 | 200 | 60.0 ms | 75.7 ms | 16.9 |\n")


def test_a_report_is_stamped_and_saved_with_its_markdown(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.bench import reports

    monkeypatch.setattr(reports, "BENCH_DIR", tmp_path / "bench")
    out = reports.save("x", {**reports.stamp(), "turns": 3}, "| a |\n")
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["turns"] == 3 and saved["machine"].endswith("cores") and len(saved["date"]) == 10
    assert (tmp_path / "bench" / "x.md").read_text(encoding="utf-8") == "| a |\n"
