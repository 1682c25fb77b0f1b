"""Measure numbers as people write them: 第44条, 措施44, 第四十四条, 44条."""

from __future__ import annotations

import re

from knowledge.numerals import parse_chinese_number

_CITATION = re.compile(
    r"第\s*([0-9]{1,3}|[一二两三四五六七八九十]{1,3})\s*条"
    r"|措施\s*([0-9]{1,3}|[一二两三四五六七八九十]{1,3})"
    r"|([0-9]{1,3})\s*条"
)


_PLAIN_NUMBER = re.compile(r"[0-9]{1,4}")


def plain_measure_number(value: str) -> int | None:
    """A measure number written as 1-4 ASCII digits ("44"), else None: "²" and "４４"
    pass str.isdigit() but are not what anyone means, and a 5,000-digit string must not
    reach int()."""
    return int(value) if _PLAIN_NUMBER.fullmatch(value) else None


def find_measure_numbers(text: str) -> list[int]:
    out = []
    for m in _CITATION.finditer(text):
        token = next(g for g in m.groups() if g)
        value = int(token) if token.isdigit() else parse_chinese_number(token)
        if value is not None and value not in out:
            out.append(value)
    return out
