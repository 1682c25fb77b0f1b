"""Policy matching (knowledge/matching.py) over the shipped rules and measures: groups,
validity on the app's today, benefits worked out, the order of the questions left."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from knowledge.catalog import Catalog
from knowledge.departments import DepartmentTable
from knowledge.eligibility import RuleBook
from knowledge.matching import (
    MatchResult,
    ProfileInvalid,
    match_profile,
    read_profile,
    stated_profile,
)
from knowledge.settings import get_settings
from tests.kbtrees import NEW, OLD, two_document_tree

BOOK = RuleBook.load(get_settings().eligibility_dir)
TODAY = dt.date(2026, 11, 30)


def matched(raw: dict[str, Any], catalog: Catalog, on: dt.date = TODAY) -> MatchResult:
    return match_profile(read_profile(raw, BOOK, on), catalog, BOOK, on)


def numbers(result: MatchResult, group: str) -> list[int]:
    return [m.measure.number for m in result.group(group)]


SMALL_SERVICE_EXPORTER = {"enterprise_type": "小微企业", "industry": "服务业", "headcount_2022": 30,
                          "annual_export_usd_10k": "200万美元"}


def test_a_small_service_exporter(catalog: Catalog) -> None:
    result = matched(SMALL_SERVICE_EXPORTER, catalog)
    assert sorted(numbers(result, "eligible")) == [41, 43, 50, 63]
    assert {45, 42, 52} <= set(numbers(result, "possible"))
    # Expired measures it would otherwise qualify for: the loan deferral and the tax cut.
    assert {44, 40, 49} <= set(numbers(result, "expired"))
    every = {n for g in ("eligible", "possible", "expired") for n in numbers(result, g)}
    assert not every & {46, 61, 64}  # industrial SMEs, jobless entrepreneurs, flexible workers
    assert not every & {72, 74, 13}  # government tasks never appear
    assert {1, 59} <= {m.number for m in result.unconditioned}
    insurance = next(m for m in result.eligible if m.measure.number == 50)
    assert insurance.benefits == ["年出口300万美元(含300万美元)以下,鼓励纳入小微企业统保平台,"
                                  "争取上级保费全额补贴"]


def test_a_measure_in_force_on_the_day_asked(catalog: Catalog) -> None:
    profile = {"enterprise_type": "小微企业", "loan_due_date": "2023-03-15"}
    assert 44 in numbers(matched(profile, catalog, dt.date(2023, 5, 1)), "eligible")
    assert 44 in numbers(matched(profile, catalog, dt.date(2023, 7, 1)), "expired")
    late = {"enterprise_type": "小微企业", "loan_due_date": "2023-04-15"}
    assert 44 not in {n for g in ("eligible", "possible", "expired")
                      for n in numbers(matched(late, catalog, dt.date(2023, 5, 1)), g)}


def test_a_reward_is_worked_out_and_ranked_first(catalog: Catalog) -> None:
    profile = {"is_foreign_invested": True, "foreign_project_form": "增资", "enterprise_type": "小微企业",
               "project_is_real_estate_or_finance": False, "investment_usd_10k": "300万美元"}
    result = matched(profile, catalog)
    first = result.eligible[0]
    assert first.measure.number == 58
    assert first.amount == (30.0, 30.0) and first.amount_unit == "万元"
    assert "约30万元" in first.benefits[0]
    capped = matched({**profile, "investment_usd_10k": 20000}, catalog).eligible[0]
    assert capped.measure.number == 58 and capped.amount is None
    assert "最高不超过1000万元" in capped.benefits[0]


def test_a_condition_not_met_leaves_the_measure_out(catalog: Catalog) -> None:
    result = matched({"enterprise_type": "大型企业", "industry": "制造业"}, catalog)
    every = {n for g in ("eligible", "possible", "expired") for n in numbers(result, g)}
    assert not every & {41, 42, 43, 44, 46, 63, 64}
    assert 34 in numbers(result, "possible")


def test_the_most_decisive_question_comes_first(catalog: Catalog) -> None:
    profile = {"enterprise_type": "小微企业", "industry": "服务业", "headcount_2022": 25,
               "has_layoffs": False}
    result = matched(profile, catalog)
    # Social insurance alone decides 第45条; a fact that alone decides two measures
    # (grain growing: 第70、71条) weighs more still.
    names = [q.fact.name for q in result.questions]
    assert names[0] == "grows_grain"
    assert names.index("pays_social_insurance") < names.index("has_sufficient_funds")
    social = next(q for q in result.questions if q.fact.name == "pays_social_insurance")
    assert [m.number for m in social.measures] == [45] and social.weight == 1.0
    answered = matched({**profile, "pays_social_insurance": "是"}, catalog)
    assert 45 in numbers(answered, "eligible")
    assert "pays_social_insurance" not in [q.fact.name for q in answered.questions]


def test_a_fact_that_grades_a_benefit_is_asked_last(catalog: Catalog) -> None:
    result = matched({"annual_export_usd_10k": 450}, catalog)
    assert 50 in numbers(result, "eligible")
    grading = next(q for q in result.questions if q.fact.name == "self_paid_export_credit_insurance")
    assert grading.weight == 0.25
    assert result.questions[-1].weight <= grading.weight


def test_an_empty_profile_decides_nothing(catalog: Catalog) -> None:
    result = matched({}, catalog)
    assert result.eligible == []
    assert len(result.possible) + len(result.expired) == len(BOOK.rules)
    assert result.questions[0].weight >= result.questions[-1].weight


@pytest.mark.parametrize(("raw", "problem"), [
    ({"turnover": 5}, ("turnover", "不是可用的条件项")),
    ({"headcount_2022": "很多"}, ("headcount_2022", "请输入整数,例如 25")),
    ({"enterprise_type": "外星企业"}, ("enterprise_type", "请从选项中选择一项")),
    ({"loan_due_date": "明年"}, ("loan_due_date", "请输入日期,例如 2023-03-15 或 2023年3月15日")),
])
def test_a_profile_value_that_does_not_read_is_refused(raw: dict[str, Any],
                                                      problem: tuple[str, str]) -> None:
    with pytest.raises(ProfileInvalid) as caught:
        read_profile(raw, BOOK, TODAY)
    assert caught.value.problems == [problem]


def test_ranges_and_words_are_read_by_each_facts_parser() -> None:
    facts = read_profile({"headcount_2022": [20, 29], "has_layoffs": "没有",
                          "annual_export_usd_10k": "两百万美元", "enterprise_type": None}, BOOK, TODAY)
    assert facts == {"headcount_2022": (20, 29), "has_layoffs": False, "annual_export_usd_10k": 200.0}


def test_a_replaced_measure_is_matched_by_its_successor(tmp_path: Path) -> None:
    tree = two_document_tree(tmp_path / "knowledge")
    catalog = Catalog.load(tree / "sources", DepartmentTable.load(tree / "departments.yml"))
    book = RuleBook.load(tree / "eligibility", catalog)
    profile = read_profile({"enterprise_type": "小微企业", "loan_due_date": "2024-05-10"}, book)
    result = match_profile(profile, catalog, book, dt.date(2024, 6, 1))
    keys = {(m.measure.doc_id, m.measure.number) for m in result.eligible}
    assert (NEW, 3) in keys and (OLD, 44) not in keys
    assert (OLD, 44) not in {(m.measure.doc_id, m.measure.number) for m in result.expired}


@pytest.mark.parametrize(("says", "facts"), [
    ("我们是一家30人的服务业小微企业,年出口200万美元,有哪些政策可以享受?",
     {"enterprise_type": "小微企业", "industry": "服务业", "headcount_2022": 30,
      "annual_export_usd_10k": 200.0}),
    ("我们是国家级专精特新小巨人,今年买了一批新设备",
     {"is_little_giant": True, "has_equipment_software_investment": True}),
    ("我们是一家民营企业,没有裁员", {"is_foreign_invested": False, "has_layoffs": False}),
    ("有哪些政策?", {}),
])
def test_a_self_description_becomes_a_profile(says: str, facts: dict[str, Any]) -> None:
    assert stated_profile(says, BOOK, TODAY) == facts
