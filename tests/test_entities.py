"""Entity patterns: what Rasa marks and what the actions read must agree."""

from __future__ import annotations

import re

import pytest

from knowledge.dates import parse_date
from knowledge.entities import (
    REGEX_ENTITIES,
    find_measure_numbers,
    stated_amount_usd_10k,
    stated_date,
    stated_headcount,
)


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
    ("amount", "去年出口250万美元", "250"),
    ("amount", "出口额12.5万美元", "12.5"),
    ("headcount", "在册35人", "35"),
    ("headcount", "职工120名", "120"),
    ("date", "贷款2023年3月10日到期", "2023年3月10日"),
    ("date", "2023-03-31到期", "2023-03-31"),
])
def test_what_rasa_marks_the_actions_read(entity: str, text: str, value: object) -> None:
    span = _rasa_span(entity, text)
    read = {"measure_number": lambda s: find_measure_numbers(s)[0], "amount": stated_amount_usd_10k,
            "headcount": stated_headcount, "date": stated_date}[entity](span)
    assert read == value


def test_facts_stated_in_passing_are_read_where_rasa_marks_nothing() -> None:
    assert stated_headcount("我们有35个员工") == "35"
    assert _rasa_spans_none("headcount", "我们有35个员工")
    said = stated_date("贷款是2023年3月底到期")
    assert said == "2023年3月底" and parse_date(said) is not None
    assert stated_amount_usd_10k("出口额很大") is None and stated_date("明天吧") is None


def _rasa_spans_none(entity: str, text: str) -> bool:
    return not any(re.search(p, text) for p in REGEX_ENTITIES[entity])
