"""Whole conversations through the real Rasa and answer service: the project's
conversation set (knowledge/evaluation/conversations.yml). Target of the conversation
issue: at least 95% of turns right."""

from __future__ import annotations

import pytest

from tests.bench.dialogue_eval import evaluate_dialogues, load_conversations
from tests.live import LiveStack

pytestmark = pytest.mark.e2e


def test_conversations_are_answered_turn_by_turn(live_stack: LiveStack) -> None:
    report = evaluate_dialogues(live_stack.chat, load_conversations())
    assert report["turn_accuracy"] >= 0.95, report["misses"][:10]
