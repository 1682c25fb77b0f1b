"""Facts read from what users write: numbers and ranges, money with units, dates relative
to today, cue phrases with negation, and each shipped fact read as people state it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from knowledge.eligibility import RuleBook, evaluate
from knowledge.facts import FactInvalid
from knowledge.quantities import INFINITY, first_quantity, parse_numeral
from knowledge.said_dates import first_date
from knowledge.settings import get_settings
from knowledge.statements import (
    Cue,
    clauses,
    cue_problem,
    read_boolean,
    read_choice,
    read_headcount,
    read_money,
    stating_clauses,
)

FACTS = RuleBook.load(get_settings().eligibility_dir).facts
TODAY = dt.date(2026, 11, 30)


# -- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("token", "value"), [
    ("35", 35), ("1.5", 1.5), ("三十五", 35), ("两百五", 250), ("一千零八", 1008), ("十二", 12),
    ("一千二", 1200), ("十", 10), ("二十五", 25), ("3千", 3000), ("三千零五", 3005),
    ("三五", None), ("百百", None), ("abc", None), ("", None),
])
def test_numerals(token: str, value: float | None) -> None:
    assert parse_numeral(token) == value


@pytest.mark.parametrize(("text", "low", "high"), [
    ("20多个员工", 21, 29), ("一百多人", 101, 199), ("十多个", 11, 19), ("三十来人", 30, 30),
    ("二三十人", 20, 30), ("一两百万美元", 100, 200), ("几十个人", 10, 99), ("十几个", 11, 19),
    ("二十几个", 21, 29), ("不到20人", 0, 20), ("超过300万", 300, INFINITY), ("300以上", 300, INFINITY),
    ("20到30人", 20, 30), ("300万—600万美元", 300, 600), ("３０人", 30, 30), ("大概250", 250, 250),
])
def test_quantities_exact_approximate_and_ranges(text: str, low: float, high: float) -> None:
    q = first_quantity(text)
    assert q is not None and (q.low, q.high) == (low, high)


# -- money, people, dates ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "unit", "span"), [
    ("去年出口两百万美元", "万美元", (200, 200)), ("到位资金300万美元", "万美元", (300, 300)),
    ("出口1.5亿美元", "万美元", (15000, 15000)), ("花了5万元", "万元", (5, 5)),
    ("营业额800万", "万元", (800, 800)), ("营业额800万", "万美元", (800, 800)),
    ("出口300多万美元", "万美元", (301, 399)), ("３００万美元", "万美元", (300, 300)),
])
def test_money_in_a_facts_unit(text: str, unit: str, span: tuple[float, float]) -> None:
    [money] = read_money(text)
    assert money.low_high_in(unit) == span


def test_money_of_another_currency_is_not_converted() -> None:
    [money] = read_money("投资了1000万元")
    assert money.low_high_in("万美元") is None
    assert read_money("公司有1万人") == []


@pytest.mark.parametrize(("text", "span"), [
    ("我们有35人", (35, 35)), ("20多个员工", (21, 29)), ("三十来人", (30, 30)),
    ("员工有30个", (30, 30)), ("在册１２０名", (120, 120)), ("2022年用工二十六人", (26, 26)),
])
def test_headcounts(text: str, span: tuple[int, int]) -> None:
    q = read_headcount(text)
    assert q is not None and (q.low, q.high) == span


def test_a_number_without_people_is_no_headcount() -> None:
    assert read_headcount("我们2022年成立,注册资本500万") is None


@pytest.mark.parametrize(("text", "span"), [
    ("贷款2023年3月10日到期", ((2023, 3, 10), (2023, 3, 10))),
    ("2023年2月", ((2023, 2, 1), (2023, 2, 28))),
    ("去年3月底", ((2025, 3, 31), (2025, 3, 31))),
    ("2023-03-31", ((2023, 3, 31), (2023, 3, 31))),
    ("2023年三月中旬", ((2023, 3, 11), (2023, 3, 20))),
    ("上个月", ((2026, 10, 1), (2026, 10, 31))),
    ("下个月15号", ((2026, 12, 15), (2026, 12, 15))),
    ("今年年底", ((2026, 12, 31), (2026, 12, 31))),
    ("大概2023年的3月份", ((2023, 3, 1), (2023, 3, 31))),
])
def test_dates_as_spans_of_days(text: str, span: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    assert first_date(text, TODAY) == (dt.date(*span[0]), dt.date(*span[1]))


@pytest.mark.parametrize("text", ["3月10日", "2023年2月30日", "明天吧", "十三月"])
def test_no_date_when_the_year_is_unsaid_or_the_day_impossible(text: str) -> None:
    assert first_date(text, TODAY) is None


# -- cues, negation, clauses -----------------------------------------------------------------

def test_cues_and_their_syntax() -> None:
    assert Cue.parse("社保|社会保险+交|缴").find("社会保险都依法缴纳了") is not None
    assert Cue.parse("社保+交").find("社保没问题") is None
    assert Cue.parse("小企业!中小企业").find("我们是中小企业") is None
    assert Cue.parse("小企业!中小企业").find("我们是小企业") is not None
    assert cue_problem("a+|b") and cue_problem("营业额!营业") and cue_problem("") and not cue_problem("a|b+c")


@pytest.mark.parametrize(("text", "said"), [
    ("社保都依法缴纳了", True), ("社保也交着", True), ("社保没交全", False),
    ("我们没有给员工交社保", False), ("需要交社保吗", None), ("如果没交社保的话能申请吗", None),
])
def test_boolean_statements_with_negation(text: str, said: bool | None) -> None:
    fact = FACTS["pays_social_insurance"]
    assert read_boolean(text, fact.says_yes, fact.says_no) is said


def test_a_question_states_nothing_unless_the_user_speaks_of_themselves() -> None:
    assert stating_clauses("小巨人企业有配套支持吗?") == []
    assert stating_clauses("我们是小巨人,有配套支持吗?") == ["我们是小巨人", "有配套支持吗?"]
    assert clauses("没裁员,能申请吗?还有呢") == ["没裁员", "能申请吗?", "还有呢"]


def test_the_last_statement_wins() -> None:
    fact = FACTS["has_layoffs"]
    assert read_boolean("去年裁了两个人,不对,其实没裁员", fact.says_yes, fact.says_no) is False


def test_choices_with_negation_and_longer_matches() -> None:
    cues = {"小微企业": ("小微企业", "小微"), "小微企业主": ("小微企业主",), "中型企业": ("中型",)}
    assert read_choice("我们不是小微企业,是中型企业", cues) == "中型企业"
    assert read_choice("我是小微企业主", cues) == "小微企业主"
    assert read_choice("小微还是中型说不好", cues) is None


# -- every shipped fact, stated in passing -------------------------------------------------------

STATED: list[tuple[str, str, Any]] = [
    ("enterprise_type", "我们是大型国有企业,贷款能延期吗", "大型企业"),
    ("enterprise_type", "我们是中小企业", None),
    ("enterprise_type", "我们不是小微企业,是中型企业", "中型企业"),
    ("enterprise_type", "我是开网店的", "灵活就业人员"),
    ("enterprise_type", "小微企业贷款能延期吗?", None),
    ("taxpayer_type", "我们是小规模纳税人", "增值税小规模纳税人"),
    ("taxpayer_type", "我们是一般纳税人", "其他"),
    ("industry", "我们是开火锅店的", "餐饮住宿"),
    ("organization_type", "我们是事业单位", "机关事业单位"),
    ("foreign_project_form", "我们外资这边是新设项目", "新设企业"),
    ("foreign_project_form", "我们用利润增资了", "增资"),
    ("has_layoffs", "我们没裁员", False), ("has_layoffs", "去年裁了3个人", True),
    ("has_layoffs", "一个都没裁", False),
    ("pays_social_insurance", "社保也交着", True),
    ("attends_overseas_exhibition", "我们公司想去德国参加展会,展位费能补贴吗?", True),
    ("attends_overseas_exhibition", "去德国参展能补贴吗?", None),
    ("attends_overseas_exhibition", "我们只参加广交会", False),
    ("attends_overseas_exhibition", "我们没去国外参展", False),
    ("is_foreign_invested", "我们不是外资", False), ("is_foreign_invested", "我们是港资企业", True),
    ("is_little_giant", "我们不是小巨人,只是省级专精特新", False),
    ("has_ruling_result", "我们反倾销还没初裁", False),
    ("has_sufficient_funds", "我们单位经费不太充足", False),
    ("self_paid_export_credit_insurance", "出口信保是我们自己交的保费", True),
    ("headcount_2022", "我们有20多个员工", (21, 29)),
    ("annual_export_usd_10k", "去年出口两百万美元", 200.0),
    ("annual_export_usd_10k", "到位资金300万美元", None),
    ("investment_usd_10k", "外资新设企业,到位资金300万美元", 300.0),
    ("loan_due_date", "我们贷款去年3月底到期", dt.date(2025, 3, 31)),
    ("loan_due_date", "我们2023年成立的", None),
]


@pytest.mark.parametrize(("fact", "text", "value"), STATED)
def test_facts_stated_in_passing(fact: str, text: str, value: Any) -> None:
    assert FACTS[fact].stated_in(text, TODAY) == value


def test_an_amount_without_its_cue_is_taken_only_when_it_can_mean_one_fact() -> None:
    fact = FACTS["investment_usd_10k"]
    assert fact.stated_in("我们300万美元", TODAY) is None
    assert fact.stated_in("我们300万美元", TODAY, alone=True) == 300.0


ANSWERS: list[tuple[str, str, Any]] = [
    ("headcount_2022", "35人", 35), ("headcount_2022", "二十来个", 20),
    ("headcount_2022", "20多个", (21, 29)), ("headcount_2022", "３５", 35),
    ("loan_due_date", "2023年3月底", dt.date(2023, 3, 31)),
    ("loan_due_date", "2023年3月", (dt.date(2023, 3, 1), dt.date(2023, 3, 31))),
    ("loan_due_date", "去年3月底", dt.date(2025, 3, 31)),
    ("has_layoffs", "没有", False), ("has_layoffs", "一个都没裁", False),
    ("pays_social_insurance", "是", True), ("pays_social_insurance", "交着呢", True),
    ("pays_social_insurance", "没交", False), ("pays_social_insurance", "yes", True),
    ("enterprise_type", "我们是小微企业", "小微企业"), ("enterprise_type", "大型国有企业", "大型企业"),
    ("foreign_project_form", "新设的", "新设企业"), ("organization_type", "都不是", "其他"),
    ("annual_export_usd_10k", "大概250", 250.0), ("annual_export_usd_10k", "两百万美元", 200.0),
    ("annual_export_usd_10k", "300万", 300.0), ("annual_export_usd_10k", "300多万美元", (301.0, 399.0)),
]


@pytest.mark.parametrize(("fact", "answer", "value"), ANSWERS)
def test_answers_to_the_facts_question(fact: str, answer: str, value: Any) -> None:
    assert FACTS[fact].parse(answer, TODAY) == value


@pytest.mark.parametrize(("fact", "answer"), [
    ("annual_export_usd_10k", "1000万元"), ("enterprise_type", "国企"),
    ("has_layoffs", "不是,我想问贷款延期的事能办吗?"), ("loan_due_date", "过阵子吧"),
])
def test_answers_that_do_not_say_it(fact: str, answer: str) -> None:
    with pytest.raises(FactInvalid):
        FACTS[fact].parse(answer, TODAY)


def test_ranges_decide_a_condition_only_when_all_of_them_does() -> None:
    rule = RuleBook.load(get_settings().eligibility_dir).rule("hongqi-2023-measures", 45)
    assert rule is not None
    outcomes = {value: evaluate(rule, {"headcount_2022": value}).results[1].outcome.value
                for value in [(21, 29), (10, 99), (5, 15)]}
    assert outcomes == {(21, 29): "met", (10, 99): "unknown", (5, 15): "not_met"}


def test_a_reward_follows_from_the_stated_amount() -> None:
    rule = RuleBook.load(get_settings().eligibility_dir).rule("hongqi-2023-measures", 58)
    assert rule is not None
    facts = {"is_foreign_invested": True, "foreign_project_form": "增资",
             "project_is_real_estate_or_finance": False}
    assert any("约30万元" in b for b in evaluate(rule, {**facts, "investment_usd_10k": 300.0}).benefits)
    ranged = evaluate(rule, {**facts, "investment_usd_10k": (301.0, 399.0)}).benefits
    assert any("约30.1—39.9万元" in b for b in ranged)
