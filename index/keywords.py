"""Whether a measure mentions what a query names, word for word.

The no-answer gate is a statistical verdict tuned on chat questions, and a query of bare
keywords ("出口信用保险") gives it too little text to go on. When a measure contains every
content word of the query, it plainly covers the query: the console never reports such a
query as unanswered. A broad question ("外贸企业都有哪些扶持?") is answered with the
measures that mention its topic in their text or headings (外贸 is in 第五章 "着力稳定外资
外贸"), not with whatever else happens to score well on "企业" and "扶持".
"""

from __future__ import annotations

from index.tokenize import bigrams
from knowledge.models import Measure

# Words that say what kind of help is asked for, not what about: every measure has them.
GENERIC = frozenset([
    "企业", "公司", "单位", "政策", "措施", "扶持", "支持", "补贴", "补助", "优惠", "方面", "相关",
    "申请", "享受", "帮扶", "服务", "条", "那条", "这条", "情况", "规定", "办法", "问题", "事情",
    "东西", "一下", "咨询", "了解", "区里", "政府", "我区", "能", "可以", "需要", "多少", "哪些",
    "什么", "领域"])
_GENERIC_BIGRAMS = frozenset(b for w in GENERIC for b in bigrams(w))


def content_words(words: list[str]) -> list[str]:
    """A query's words (index.tokenize.words output) without the generic ones."""
    return [w for w in words if w not in GENERIC and len(w) >= 2]


def _haystack(measure: Measure) -> str:
    return f"{measure.chapter.title}。{measure.section.title}。{measure.text}".lower()


def covers(measure: Measure, words: list[str]) -> bool:
    """Every content word occurs in the measure (text or headings)."""
    haystack = _haystack(measure)
    return bool(words) and all(w in haystack for w in words)


def touches(measure: Measure, words: list[str]) -> bool:
    """Some content word, or a specific two-character part of one ("外贸" of "外贸企业"),
    occurs in the measure."""
    haystack = _haystack(measure)
    parts = {b for w in words for b in bigrams(w) if b not in _GENERIC_BIGRAMS}
    return any(w in haystack for w in words) or any(p in haystack for p in parts)


def names_heading(measure: Measure, words: list[str]) -> bool:
    """A content word, or a specific part of one, is in the measure's chapter or section
    title: the question names a topic the document itself groups measures under."""
    headings = f"{measure.chapter.title}。{measure.section.title}".lower()
    parts = {b for w in words for b in bigrams(w) if b not in _GENERIC_BIGRAMS}
    return any(w in headings for w in words) or any(p in headings for p in parts)
