"""Chinese numerals as used in chapter, section and measure markers (一 … 九十九)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}


def parse_chinese_number(text: str) -> int | None:
    """Value of a numeral below 100 ("十三" -> 13, "二十" -> 20), None if malformed."""
    if not text:
        return None
    if "十" not in text:
        return _DIGITS.get(text) if len(text) == 1 else None
    tens_part, _, ones_part = text.partition("十")
    if "十" in ones_part or len(tens_part) > 1 or len(ones_part) > 1:
        return None
    tens = 1 if not tens_part else _DIGITS.get(tens_part)
    ones = 0 if not ones_part else _DIGITS.get(ones_part)
    if tens is None or ones is None or tens == 0 or (ones_part and ones == 0):
        return None
    return tens * 10 + ones


def to_chinese_number(value: int) -> str:
    """Inverse of parse_chinese_number for 1..99."""
    if not 0 < value < 100:
        raise ValueError(value)
    names = "零一二三四五六七八九"
    tens, ones = divmod(value, 10)
    if tens == 0:
        return names[ones]
    head = "" if tens == 1 else names[tens]
    return head + "十" + (names[ones] if ones else "")
