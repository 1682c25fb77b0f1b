"""The conversation evaluation set (knowledge/evaluation/conversations.yml) is data with
rules: big enough, covering what the dialogue must do, every expectation checkable, and
written for the set (not lifted from the measures, the question bank or the NLU data)."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.questions import QuestionBank
from knowledge.settings import get_settings
from tests.bench.dialogue_eval import ANY, load_conversations
from tests.conftest import ROOT

KINDS = {"answer_first", "facts_up_front", "facts_over_turns", "follow_up", "side_question",
         "topic_change", "stop", "broad_then_narrow", "english", "off_topic", "keywords",
         "department", "validity"}
# A turn sharing this many consecutive characters with a measure copies it (a policy
# named by its name, "小微企业贷款延期还本付息", is how people ask).
COPIED_CHARS = 16
# Shorter turns ("谢谢", "yes", "算了") are said the same way everywhere.
OWN_WORDING_MIN_CHARS = 10


def test_size_and_coverage() -> None:
    conversations = load_conversations()
    assert len(conversations) >= 40
    assert sum(len(c.turns) for c in conversations) >= 150
    assert len({c.id for c in conversations}) == len(conversations)
    kinds = Counter(k for c in conversations for k in c.kinds)
    assert set(kinds) == KINDS and min(kinds.values()) >= 2, kinds
    multi = [c for c in conversations if len(c.turns) >= 3]
    assert len(multi) >= 20


def test_every_expectation_can_be_checked(catalog: Catalog) -> None:
    facts = RuleBook.load(get_settings().eligibility_dir).facts
    for conversation in load_conversations():
        for turn in conversation.turns:
            if isinstance(turn.cites, frozenset):
                assert all(catalog.measure(n) for n in turn.cites)
            assert turn.asks is None or turn.asks in facts, turn
            assert turn.verdict in (None, "met", "not_met", "unknown"), turn
            assert turn.cites != ANY or turn.says or turn.not_says, f"{conversation.id}: checks nothing"


def test_turns_are_written_for_the_set(catalog: Catalog) -> None:
    """Not copied from a measure, nor from the data the bot learns or searches with."""
    bank = set(QuestionBank.load(catalog).all_texts())
    nlu = set()
    for path in (ROOT / "bot" / "data").rglob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                nlu.add(re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip()[2:]).strip())
    texts = [m.text for m in catalog.measures]
    for conversation in load_conversations():
        for turn in conversation.turns:
            if len(turn.say) >= OWN_WORDING_MIN_CHARS:
                assert turn.say not in bank and turn.say not in nlu, turn.say
            chunks = {turn.say[i:i + COPIED_CHARS] for i in range(len(turn.say) - COPIED_CHARS + 1)}
            assert not any(c in t for c in chunks for t in texts), turn.say
