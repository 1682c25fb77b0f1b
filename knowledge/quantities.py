"""Numbers as people say them: digits or Chinese numerals, approximate or as a range.

"35", "三十五", "两百五", "1.5万" are exact; "二十多" (21-29), "一两百" (100-200), "几十"
(10-99), "300以上", "不到20" and "20到30" are ranges. A range is kept as a range (low,
high) rather than guessed into one number, so an eligibility check can tell "20多人" is
enough for "20人以上" but "几十人" is not yet an answer. Rough words ("三十来人",
"大概30", "30左右") count as the round number said: that is what the speaker claims.

Text is NFKC-normalised first, so full-width digits ("３０人") read as digits.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH = "零〇一二两三四五六七八九十百千"
INFINITY = math.inf


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to their plain forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def parse_numeral(token: str) -> float | None:
    """An exact number: "35", "1.5", "三十五", "两百五" (250), "一千零八", "十二"; None if
    the token is not one."""
    token = token.strip()
    if not token:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if re.fullmatch(r"\d+[十百千]", token):  # "3千"
        return float(token[:-1]) * _UNIT[token[-1]]
    if not all(c in _ZH for c in token):
        return None
    total, digit, last_unit, zero = 0, None, 10_000, False
    for char in token:
        if char in _DIGIT:
            value = _DIGIT[char]
            if digit is not None:
                return None  # "三五" is a range, not a number
            if value == 0:
                zero = True  # "一百零八": the digit after it counts ones
                continue
            digit = value
        else:
            unit = _UNIT[char]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
    if digit is not None:
        # "两百五" is 250: a digit right after a unit is one unit down.
        total += digit * (1 if zero or not total else last_unit // 10)
    return float(total)


@dataclass(frozen=True)
class Quantity:
    """A number or range a text states, with where it stands in the (normalised) text."""

    low: float
    high: float
    start: int
    end: int

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def scaled(self, factor: float) -> Quantity:
        return Quantity(self.low * factor, self.high * factor, self.start, self.end)


_NUM = rf"(?:\d+(?:\.\d+)?[十百千]?|[{_ZH}]+)"
# Order matters: the first alternative that matches at a position is taken.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(rf"(?P<a>{_NUM})\s*[万亿]?\s*(?:到|至|~|-|—|–|～)\s*(?P<b>{_NUM})")),
    ("pair", re.compile(r"(?P<a>[一二两三四五六七八])(?P<b>[二两三四五六七八九])(?P<u>[十百千万])")),
    ("some_tens", re.compile(r"几(?P<u>[十百千])")),
    ("ten_some", re.compile(r"(?P<a>[一二两三四五六七八九]?十)几")),
    ("below", re.compile(rf"(?:不到|不足|少于|低于)\s*(?P<a>{_NUM})")),
    ("above", re.compile(rf"(?:超过|多于|高于|不止|大于)\s*(?P<a>{_NUM})")),
    ("number", re.compile(rf"(?P<a>{_NUM})(?P<more>多|余|来|出头|以上|以下|以内|左右|上下)?")),
]


def _more(value: float) -> tuple[float, float]:
    """"二十多" is 21-29, "一百多" 101-199, "十多" 11-19: more than the number, below the
    next step of its last significant digit."""
    if value <= 0 or value != int(value):
        return value, value
    step = 1
    while value % (step * 10) == 0:
        step *= 10
    if step == 1:
        return value, value
    return value + 1, value + step - 1


def _read(kind: str, m: re.Match[str]) -> tuple[float, float] | None:
    groups = m.groupdict()
    a = parse_numeral(groups["a"]) if groups.get("a") and kind != "pair" else None
    if kind == "range":
        b = parse_numeral(groups["b"])
        if a is None or b is None:
            return None
        if groups["b"][-1] in "十百千" and groups["a"][-1] not in "十百千" and a < 10:
            a *= _UNIT[groups["b"][-1]]  # "二到三十" hardly occurs; "2-3千" does
        return (a, b) if a <= b else None
    if kind == "pair":
        first, second = _DIGIT[groups["a"]], _DIGIT[groups["b"]]
        if second != first + 1:
            return None
        unit = {"万": 10_000, **_UNIT}[groups["u"]]
        if groups["u"] == "万":
            return None  # "两三万" is read with its unit by whoever knows it is money
        return float(first * unit), float(second * unit)
    if kind == "some_tens":
        unit = _UNIT[groups["u"]]
        return float(unit), float(unit * 10 - 1)
    if kind == "ten_some":
        base = parse_numeral(groups["a"])
        return (base + 1, base + 9) if base is not None else None
    if a is None:
        return None
    if kind == "below":
        return 0.0, a
    if kind == "above":
        return a, INFINITY
    more = groups.get("more")
    if more in ("多", "余", "出头"):
        return _more(a)
    if more == "以上":
        return a, INFINITY
    if more in ("以下", "以内"):
        return 0.0, a
    return a, a


def quantities(text: str) -> Iterator[Quantity]:
    """Every number or range in the text, left to right, spans not overlapping."""
    position = 0
    while position < len(text):
        found = None
        for kind, pattern in _PATTERNS:
            m = pattern.match(text, position)
            if m and (value := _read(kind, m)) is not None:
                found = Quantity(value[0], value[1], m.start(), m.end())
                break
        if found is None:
            position += 1
            continue
        yield found
        position = found.end


def first_quantity(text: str) -> Quantity | None:
    return next(quantities(normalise(text)), None)
