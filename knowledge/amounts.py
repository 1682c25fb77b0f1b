"""Money amounts, percentages and rates as a measure states them.

Kept as found (with a parsed value where there is one) because answers quote them and
eligibility rules are checked against them; nothing is rounded or converted.
"""

from __future__ import annotations

import re

from knowledge.models import Amount

_NUMBER = r"\d+(?:\.\d+)?"
_UNITS = "万美元|亿美元|美元|亿元|万元|元/人次|元"
_RATE = re.compile(rf"每({_NUMBER})({_UNITS})[^,,。;;]{{0,8}}?({_NUMBER})({_UNITS})")
_MONEY = re.compile(rf"({_NUMBER})\s*(?:万?\s*[—–\-~～]\s*({_NUMBER})\s*)?({_UNITS})")
_PERCENT = re.compile(rf"({_NUMBER})%")
_QUALIFIERS_BEFORE = ("最高不超过", "不超过", "不高于", "最高", "最长", "低于")
_QUALIFIERS_AFTER = ("以上", "以下", "以内")


def _qualifier(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 6) : start]
    for word in _QUALIFIERS_BEFORE:
        if before.endswith(word):
            return word
    # "300万美元(含300万美元)以下": the qualifier follows an inclusive note.
    after = re.sub(r"^[((]含[^))]*[))]", "", text[end : end + 16])
    for word in _QUALIFIERS_AFTER:
        if after.startswith(word):
            return word
    return ""


def extract_amounts(text: str) -> list[Amount]:
    found: list[tuple[int, Amount]] = []
    taken: list[tuple[int, int]] = []
    for m in _RATE.finditer(text):
        found.append(
            (m.start(), Amount(text=m.group(0), value=float(m.group(3)), unit=m.group(4),
                               kind="rate", qualifier=f"每{m.group(1)}{m.group(2)}"))
        )
        taken.append(m.span())
    for m in _MONEY.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        found.append(
            (m.start(), Amount(text=m.group(0), value=float(m.group(1)), unit=m.group(3),
                               kind="money", qualifier=_qualifier(text, *m.span())))
        )
    for m in _PERCENT.finditer(text):
        found.append(
            (m.start(), Amount(text=m.group(0), value=float(m.group(1)), unit="%",
                               kind="percent", qualifier=_qualifier(text, *m.span())))
        )
    return [amount for _, amount in sorted(found, key=lambda item: item[0])]
