"""Answer quality with the default distilled model: the real index on the real eval set."""

from __future__ import annotations

import pytest

from index.evaluate import evaluate, load_eval_set
from index.hybrid import HybridIndex

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("我们公司想去德国参展,展位费能补贴吗?", 52),
        ("我们去日本参加行业展会,人员机票能补贴一部分吗?", 52),
        ("小规模纳税人六税两费还能减半吗", 40),
        ("出口信用保险找哪个部门", 50),
        ("贷款快到期了,能申请延期还本付息吗", 44),
    ],
)
def test_examples_rank_first(default_index: HybridIndex, question: str, measure: int) -> None:
    top = default_index.search(question, k=3)
    assert top[0].measure.number == measure
    assert top[0].answerable


@pytest.mark.parametrize("question", ["护照怎么办理?", "驾照到期了去哪里换", "公积金怎么提取"])
def test_unrelated_questions_are_not_answerable(default_index: HybridIndex, question: str) -> None:
    assert not default_index.search(question, k=1)[0].answerable


def test_results_carry_matched_terms_and_one_result_per_measure(default_index: HybridIndex) -> None:
    results = default_index.search("出口信用保险保费补贴", k=5)
    assert len({r.measure.number for r in results}) == 5
    assert "出口信用保险" in results[0].terms
    data = results[0].to_json()
    assert set(data) >= {"measure", "doc_id", "score", "text", "departments", "terms"}


def test_quality_on_the_evaluation_set(default_index: HybridIndex) -> None:
    """Floors a little under today's figures (README): a regression fails loudly."""
    report = evaluate(default_index, load_eval_set())
    hybrid = report["hybrid"]
    assert hybrid["recall@1"] >= 0.93
    assert hybrid["recall@3"] >= 0.97
    assert hybrid["unanswerable_caught"] >= 0.80
    assert hybrid["answerable_refused"] <= 0.05
    assert hybrid["mrr"] > report["bm25"]["mrr"] and hybrid["mrr"] > report["dense"]["mrr"]
