"""Every eligibility rule: each condition met, not met and unknown, from the rule data itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from knowledge.catalog import Catalog
from knowledge.eligibility import Check, Fact, FactInvalid, Outcome, RuleBook, evaluate
from knowledge.settings import get_settings

BOOK = RuleBook.load(get_settings().eligibility_dir)
REQUIRED = {4, 6, 8, 23, 34, 35, 37, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 55, 56,
            58, 61, 63, 64, 70, 71}


def _value(check: Check, fact: Fact, met: bool) -> Any:
    """A value of the fact that satisfies (met) or violates the check."""
    v = check.value
    if check.op in {"true", "false"}:
        return (check.op == "true") == met
    if check.op in {"in", "not_in", "eq"}:
        inside = list(v) if isinstance(v, list) else [v]
        outside = [c for c in fact.choices if c not in inside] or ["__other__"]
        want_inside = met if check.op != "not_in" else not met
        return inside[0] if want_inside else outside[0]
    if check.op in {"before", "on_or_before", "after"}:
        day = v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
        earlier, later = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
        return (earlier if met else later) if check.op != "after" else (later if met else earlier)
    if check.op == "between":
        low, high = v
        return (low + high) / 2 if met else high + 1
    bump = {"lt": -1, "le": 0, "gt": 1, "ge": 0}[check.op]
    bad = {"lt": 0, "le": 1, "gt": 0, "ge": -1}[check.op]
    return v + bump if met else v + bad


def test_required_measures_have_rules(catalog: Catalog) -> None:
    assert {n for (_, n) in BOOK.rules} >= REQUIRED
    for doc_id, number in BOOK.rules:
        catalog.measure(number, doc_id)


@pytest.mark.parametrize("key", sorted(BOOK.rules))
def test_each_rule_met_not_met_unknown(key: tuple[str, int]) -> None:
    rule = BOOK.rules[key]
    all_met = {c.check.fact: _value(c.check, BOOK.facts[c.check.fact], True) for c in rule.conditions}
    verdict = evaluate(rule, all_met)
    assert verdict.outcome is Outcome.MET
    assert verdict.benefits, "a met rule must name its benefit"
    for condition in rule.conditions:
        broken = {**all_met, condition.check.fact: _value(condition.check,
                                                          BOOK.facts[condition.check.fact], False)}
        result = evaluate(rule, broken)
        assert result.outcome is Outcome.NOT_MET
        assert not result.benefits
        unknown = {k: v for k, v in all_met.items() if k != condition.check.fact}
        result = evaluate(rule, unknown)
        assert result.outcome is Outcome.UNKNOWN
        assert condition.check.fact in result.missing


def test_export_insurance_tiers() -> None:
    rule = BOOK.rule("hongqi-2023-measures", 50)
    assert rule is not None
    small = evaluate(rule, {"annual_export_usd_10k": 250.0})
    assert any("全额" in b for b in small.benefits) and not any("80%" in b for b in small.benefits)
    mid = evaluate(rule, {"annual_export_usd_10k": 450.0})
    assert any("80%" in b for b in mid.benefits) and not any("全额" in b for b in mid.benefits)


@pytest.mark.parametrize(
    ("fact", "answer", "value"),
    [("headcount_2022", "35人", 35), ("loan_due_date", "2023年3月底", dt.date(2023, 3, 31)),
     ("loan_due_date", "2023-03-15", dt.date(2023, 3, 15)), ("has_layoffs", "没有", False),
     ("pays_social_insurance", "是", True), ("enterprise_type", "我们是小微企业", "小微企业"),
     ("annual_export_usd_10k", "大概250", 250.0)],
)
def test_answers_parse(fact: str, answer: str, value: Any) -> None:
    parsed = BOOK.facts[fact].parse(answer)
    assert parsed == value


@pytest.mark.parametrize(("fact", "answer"), [("headcount_2022", "很多人"),
                                              ("loan_due_date", "过阵子吧"),
                                              ("enterprise_type", "不知道")])
def test_bad_answers_rejected_with_hint(fact: str, answer: str) -> None:
    with pytest.raises(FactInvalid) as info:
        BOOK.facts[fact].parse(answer)
    assert info.value.hint
