"""Dates in measure text, each with the role its wording gives it.

Roles matter more than the dates: "2023年3月31日前到期的贷款" is a condition on the
loan, while "最长可延至2023年6月30日" is when the measure's benefit ends.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from knowledge.models import DateFact, DateRole

_FULL = r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日|(底|末))?"
_DATE = re.compile(_FULL)
_RANGE = re.compile(_FULL + r"\s*[—–\-~～至到]+\s*" + _FULL)
_YEAR = re.compile(r"(\d{4})年(?!\d{1,2}月)")

_DEADLINE_BEFORE = re.compile(r"(延至|截至|截止到?|期限至|延长至|至|到)\s*$")
_DUE_AFTER = re.compile(r"^\s*(前|以前|之前)")
_REFERENCE_BEFORE = re.compile(r"(较|比|与)\s*$")


def _to_date(year: str, month: str, day: str | None, end_word: str | None, *, end: bool) -> dt.date:
    y, m = int(year), int(month)
    if day:
        return dt.date(y, m, int(day))
    if end_word or end:
        return dt.date(y, m, calendar.monthrange(y, m)[1])
    return dt.date(y, m, 1)


def extract_dates(text: str) -> list[DateFact]:
    """All dates of a measure with their roles, in order of appearance."""
    facts: list[DateFact] = []
    covered: list[tuple[int, int]] = []

    for m in _RANGE.finditer(text):
        start = _to_date(*m.group(1, 2, 3, 4), end=False)
        stop = _to_date(*m.group(5, 6, 7, 8), end=True)
        facts.append(DateFact(role=DateRole.PERIOD_START, date=start, text=m.group(0)))
        facts.append(DateFact(role=DateRole.PERIOD_END, date=stop, text=m.group(0)))
        covered.append(m.span())

    for m in _DATE.finditer(text):
        if _inside(m.span(), covered):
            continue
        before, after = text[max(0, m.start() - 6) : m.start()], text[m.end() : m.end() + 4]
        if _DUE_AFTER.match(after):
            role = DateRole.DUE_BEFORE
        elif _DEADLINE_BEFORE.search(before):
            role = DateRole.DEADLINE
        else:
            role = DateRole.DEADLINE if m.group(4) else DateRole.PERIOD_START
        date = _to_date(*m.group(1, 2, 3, 4), end=role is not DateRole.PERIOD_START)
        facts.append(DateFact(role=role, date=date, text=m.group(0)))
        covered.append(m.span())

    for m in _YEAR.finditer(text):
        if _inside(m.span(), covered):
            continue
        before = text[max(0, m.start() - 4) : m.start()]
        role = DateRole.REFERENCE_YEAR if _REFERENCE_BEFORE.search(before) else DateRole.TARGET_YEAR
        facts.append(
            DateFact(role=role, date=dt.date(int(m.group(1)), 12, 31), text=m.group(0))
        )
    facts.sort(key=lambda f: text.find(f.text))
    unique: list[DateFact] = []
    for fact in facts:
        if fact not in unique:
            unique.append(fact)
    return unique


def _inside(span: tuple[int, int], covered: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in covered)


def parse_date(text: str) -> dt.date | None:
    """A date as a user types it: 2023-03-31, 2023/3/31, 2023年3月31日, 2023年3月底."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DATE.search(text)
        if m:
            return _to_date(*m.group(1, 2, 3, 4), end=False)
    except ValueError:
        return None
    return None
