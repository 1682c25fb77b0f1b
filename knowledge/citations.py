"""Measure numbers as people write them: 第44条, 措施44, 第四十四条, 44条."""

from __future__ import annotations

import re

from knowledge.numerals import parse_chinese_number

_CITATION = re.compile(
    r"第\s*([0-9]{1,3}|[一二两三四五六七八九十]{1,3})\s*条"
    r"|措施\s*([0-9]{1,3}|[一二两三四五六七八九十]{1,3})"
    r"|([0-9]{1,3})\s*条"
)


def find_measure_numbers(text: str) -> list[int]:
    out = []
    for m in _CITATION.finditer(text):
        token = next(g for g in m.groups() if g)
        value = int(token) if token.isdigit() else parse_chinese_number(token)
        if value is not None and value not in out:
            out.append(value)
    return out
