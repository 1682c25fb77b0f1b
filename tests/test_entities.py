"""Entity patterns: what Rasa marks and what the actions read must agree."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from knowledge.entities import REGEX_ENTITIES, find_measure_numbers
from knowledge.said_dates import first_date
from knowledge.statements import read_headcount, read_money

TODAY = dt.date(2026, 11, 30)


def _amount(text: str) -> float | None:
    found = read_money(text)
    span = found[0].low_high_in("万美元") if found else None
    return span[0] if span else None


def _headcount(text: str) -> float | None:
    q = read_headcount(text)
    return q.low if q else None


def _date(text: str) -> dt.date | None:
    span = first_date(text, TODAY)
    return span[0] if span else None


@pytest.mark.parametrize(("text", "numbers"), [
    ("第44条", [44]), ("措施44", [44]), ("第四十四条", [44]), ("看看44条和第 45 条", [44, 45]),
    ("第44条,就是措施44", [44]), ("第二十条", [20]), ("2023年", []),
])
def test_measure_numbers_as_people_write_them(text: str, numbers: list[int]) -> None:
    assert find_measure_numbers(text) == numbers


def _rasa_span(entity: str, text: str) -> str:
    """The span Rasa's RegexEntityExtractor would mark (first pattern that matches)."""
    for pattern in REGEX_ENTITIES[entity]:
        if m := re.search(pattern, text):
            return m.group(0)
    raise AssertionError(f"no {entity} in {text!r}")


@pytest.mark.parametrize(("entity", "text", "value"), [
    ("measure_number", "帮我查第十二条", 12),
    ("measure_number", "措施50讲的什么", 50),
    ("measure_number", "show me article 44", 44),
    ("amount", "去年出口250万美元", 250),
    ("amount", "出口额12.5万美元", 12.5),
    ("headcount", "在册35人", 35),
    ("headcount", "职工120名", 120),
    ("date", "贷款2023年3月10日到期", dt.date(2023, 3, 10)),
    ("date", "2023-03-31到期", dt.date(2023, 3, 31)),
])
def test_what_rasa_marks_the_actions_read(entity: str, text: str, value: object) -> None:
    span = _rasa_span(entity, text)
    read = {"measure_number": lambda s: find_measure_numbers(s)[0], "amount": _amount,
            "headcount": _headcount, "date": _date}[entity](span)
    assert read == value


def test_facts_stated_in_passing_are_read_where_rasa_marks_nothing() -> None:
    assert _headcount("我们有35个员工") == 35
    assert _rasa_spans_none("headcount", "我们有35个员工")
    assert _date("贷款是2023年3月底到期") == dt.date(2023, 3, 31)
    assert _amount("出口额很大") is None and _date("明天吧") is None


def _rasa_spans_none(entity: str, text: str) -> bool:
    return not any(re.search(p, text) for p in REGEX_ENTITIES[entity])
