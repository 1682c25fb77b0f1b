"""The whole chat on the evaluation set: the right measure cited, nothing cited when the
documents do not answer. Target (conversation issue): at least 95% cite a gold measure first."""

from __future__ import annotations

import pytest

from index.evaluate import load_eval_set
from tests.bench.chat_eval import evaluate_chat
from tests.live import LiveStack

pytestmark = pytest.mark.e2e


def test_chat_cites_the_right_measure(live_stack: LiveStack) -> None:
    report = evaluate_chat(live_stack.chat, load_eval_set())
    assert report["first_citation_correct"] >= 0.95, report["misses"][:10]
    assert report["unanswerable_without_citation"] >= 0.80, report
