"""Dates as users say them, each as the span of days it can mean.

"2023年3月10日" is one day; "2023年3月" any day of March and "去年3月底" the last one
(relative to today, POLICYBOT_TODAY in tests). A condition such as "贷款在2023年3月31日
前到期" is then met when the whole span is, not met when none of it is, and otherwise
still open: the form asks for the day. A month without its year ("3月10日") is not read
in passing: which year is meant is exactly what the measure's deadline turns on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from knowledge.quantities import normalise, parse_numeral

DaySpan = tuple[dt.date, dt.date]

_MONTH = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?"
_PART = r"(?P<part>底|末|初|上旬|中旬|下旬)?"
_RELATIVE_YEAR = {"今年": 0, "去年": -1, "前年": -2, "明年": 1, "后年": 2}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_EN_MONTH = r"\b(?P<mn>" + "|".join(f"{m}|{m[:3]}\\.?" for m in _MONTH_NAMES) + r")\b"
_RELATIVE_MONTH = {"上个月": -1, "上月": -1, "这个月": 0, "本月": 0, "这月": 0, "下个月": 1,
                   "下月": 1}
_PATTERNS = [
    re.compile(r"(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(rf"(?P<y>\d{{4}})\s*年\s*的?\s*{_MONTH}\s*{_PART}"),
    re.compile(rf"(?P<ry>今年|去年|前年|明年|后年)\s*{_MONTH}\s*(?:(?P<d>\d{{1,2}})\s*[日号]|{_PART})"),
    re.compile(r"(?P<y>\d{4})\s*年?\s*(?P<end>年底|年末|底)"),
    re.compile(r"(?P<ry>今年|去年|前年|明年|后年)\s*(?P<end>年底|年末|底)"),
    re.compile(r"(?P<rm>上个?月|这个?月|本月|下个?月)\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<part>底|末|初))?"),
    re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})(?!\d)"),
    re.compile(rf"(?:(?P<d>\d{{1,2}})\s+)?{_EN_MONTH}\s+(?:(?P<d2>\d{{1,2}}),?\s+)?(?P<y>\d{{4}})"),
    re.compile(rf"(?P<part>end|beginning|start) of\s+{_EN_MONTH}\s+(?P<y>\d{{4}})"),
]
_EN_PART = {"end": "底", "beginning": "初", "start": "初"}


def _month_span(year: int, month: int, part: str | None) -> DaySpan:
    last = calendar.monthrange(year, month)[1]
    first, final = {None: (1, last), "": (1, last), "底": (last, last), "末": (last, last),
                    "初": (1, 10), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, last)}[part]
    return dt.date(year, month, first), dt.date(year, month, final)


def _span(m: re.Match[str], today: dt.date) -> DaySpan | None:
    g = m.groupdict()
    if g.get("rm"):
        months = today.year * 12 + today.month - 1 + _RELATIVE_MONTH[g["rm"]]
        year, month = divmod(months, 12)
        if g.get("d"):
            day = dt.date(year, month + 1, int(g["d"]))
            return day, day
        return _month_span(year, month + 1, g.get("part"))
    year = int(g["y"]) if g.get("y") else today.year + _RELATIVE_YEAR[g["ry"]]
    if g.get("end"):
        return dt.date(year, 12, 31), dt.date(year, 12, 31)
    if g.get("mn"):
        month = next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(g["mn"][:3]))
        said_day = g.get("d") or g.get("d2")
        if said_day:
            return dt.date(year, month, int(said_day)), dt.date(year, month, int(said_day))
        return _month_span(year, month, _EN_PART.get(g.get("part") or "", g.get("part")))
    month_value = parse_numeral(g["m"])
    if month_value is None:
        return None
    month = int(month_value)
    if g.get("d"):
        day = dt.date(year, month, int(g["d"]))
        return day, day
    return _month_span(year, month, g.get("part"))


def said_dates(text: str, today: dt.date) -> Iterator[tuple[DaySpan, int]]:
    """Every date the text states, as (span of days, where it starts), left to right."""
    text = normalise(text).lower()
    position = 0
    while position < len(text):
        for pattern in _PATTERNS:
            m = pattern.match(text, position)
            if m is None:
                continue
            try:
                span = _span(m, today)
            except ValueError:  # 2023年2月30日 is no date at all
                span = None
            if span is not None:
                yield span, m.start()
            position = m.end()
            break
        else:
            position += 1


def first_date(text: str, today: dt.date) -> DaySpan | None:
    return next((span for span, _ in said_dates(text, today)), None)
