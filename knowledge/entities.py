"""Entities in what users write: measure numbers, dates, amounts and headcounts.

REGEX_ENTITIES are the spans Rasa's RegexEntityExtractor marks. They are written into the
generated training data (and annotate its examples), so a change here retrains the bot.
The values the actions take from a message are read from the raw message rather than
from Rasa's spans, because a fact is often stated in passing where no entity was marked
("我们有二十多个员工"): measure numbers and document years below, eligibility facts
(amounts, headcounts, dates, yes/no, kinds) in knowledge/statements.py and facts.py.

Department and enterprise-type entities are lookup tables, generated from the alias table
and the eligibility rules, not patterns.
"""

from __future__ import annotations

import re

from knowledge.numerals import parse_chinese_number

# Rasa `regex:` sections (RegexEntityExtractor, no word boundaries in Chinese).
REGEX_ENTITIES: dict[str, list[str]] = {
    "measure_number": [r"第\s*[0-9〇零一二三四五六七八九十百两]+\s*条", r"措施\s*[0-9]+",
                       r"(?:[Aa]rticle|[Mm]easure)\s+(?:[Nn]o\.\s*)?[0-9]{1,3}"],
    "date": [r"\d{4}年\d{1,2}月\d{1,2}日", r"\d{4}年\d{1,2}月", r"\d{4}-\d{1,2}-\d{1,2}",
             r"\d{1,2}月\d{1,2}日"],
    "amount": [r"\d+(?:\.\d+)?万?(?:美元|元)"],
    "headcount": [r"\d+(?:人|名)"],
}

_MEASURE_NUMBER = re.compile(
    r"第\s*([0-9]{1,3}|[一二两三四五六七八九十]{1,3})\s*条"
    r"|措施\s*([0-9]{1,3}|[一二两三四五六七八九十]{1,3})"
    r"|([0-9]{1,3})\s*条"
    r"|(?:[Aa]rticle|[Mm]easure)\s+(?:[Nn]o\.\s*)?([0-9]{1,3})"
)

_PLAIN_NUMBER = re.compile(r"[0-9]{1,4}")
# A document named by its year: "2023年文件", "2023年的政策", "2023版", "2023年第44条".
# A year followed by anything else ("2023年3月31日前到期") is a date, not a document.
_DOCUMENT_YEAR = re.compile(
    r"((?:19|20)[0-9]{2})\s*(?:年\s*的?\s*(?:文件|政策|措施|版)|年?\s*版"
    r"|年\s*的?\s*第\s*(?:[0-9]{1,3}|[一二两三四五六七八九十]{1,3})\s*条)"
)


def plain_measure_number(value: str) -> int | None:
    """A measure number written as 1-4 ASCII digits ("44"), else None: "²" and "４４"
    pass str.isdigit() but are not what anyone means, and a 5,000-digit string must not
    reach int()."""
    return int(value) if _PLAIN_NUMBER.fullmatch(value) else None


def find_measure_numbers(text: str) -> list[int]:
    """Measure numbers as people write them (第44条, 措施44, 第四十四条, 44条), each once."""
    out = []
    for m in _MEASURE_NUMBER.finditer(text):
        token = next(g for g in m.groups() if g)
        value = int(token) if token.isdigit() else parse_chinese_number(token)
        if value is not None and value not in out:
            out.append(value)
    return out


def stated_document_years(text: str) -> list[int]:
    """Years that name a document ("2023年文件第44条" -> [2023]), each once; not dates."""
    return list(dict.fromkeys(int(m.group(1)) for m in _DOCUMENT_YEAR.finditer(text)))
