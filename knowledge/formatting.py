"""Dates and numbers as Chinese readers expect them; the one place that words them.

Replies, pages and the console's JSON all show the same date in the same words, so a
change of style (say, to 2023-06-30) happens here once.
"""

from __future__ import annotations

import datetime as dt

from knowledge.numerals import to_chinese_number

__all__ = ["zh_date", "zh_numeral"]


def zh_date(day: dt.date) -> str:
    """2023年6月30日: no leading zeros, as government documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def zh_numeral(value: int) -> str:
    """一 … 九十九 for chapter and section markers."""
    return to_chinese_number(value)
