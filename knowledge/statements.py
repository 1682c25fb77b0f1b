"""What a user states about their enterprise in passing, read as eligibility facts.

"我们是大型国有企业,社保也交着,去年出口两百万美元" states three facts before any form
asks for them. The readers here find them; which words state which fact is data next to
each rule (knowledge/eligibility/*.yml: `cues`, `says_yes`, `says_no`), so a new way of
saying something is a line in a rule file, not code.

A cue is a word, or several that must all occur in one clause joined by "+", each with
alternatives joined by "|": "社保|社会保险+交|缴" matches "社保也交着" and "社会保险都依法
缴纳了". A cue preceded closely by a negation ("没", "不是", "尚未"…) states the opposite:
"社保没交全" is a no. A clause that asks about the condition itself ("需要交社保吗",
"是否必须参展") states nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from knowledge.quantities import INFINITY, Quantity, normalise, quantities

# A question mark stays with its clause: a clause that asks states no fact unasked.
_CLAUSE_END = re.compile(r"(?<=[??])|[,,。;;!!\n]|但是?|不过|可是")
_NEGATIONS = ("没有", "没", "不是", "不", "未", "无", "非", "尚未", "并未", "从未", "从没",
              "还没", "别")
# A negation this far before a cue word still governs it ("没去德国参展": 没 … 德国).
NEGATION_REACH = 3
# Words of a clause that asks about a condition instead of stating a fact.
_ASKS_ABOUT = re.compile(r"是否|要不要|需不需要|需要|必须|要求|用不用|不用|如果|假如|要是|的话|算不算|"
                         r"\b(?:whether|if|must|required?|requirements?|need to)\b")
_QUESTION = re.compile(r"[??]|吗|呢|能不能|可不可以|有没有|是不是|能否|可否|怎么|如何|多少|哪|什么|咋|"
                       r"^(?:is|are|can|could|do|does|did|will|would|how|what|which|when|who)\b")
_FIRST_PERSON = re.compile(r"我们|我|咱们|咱|本公司|我司|我厂|厂里|本企业|本单位|我单位|我家|"
                           r"\b(?:we|our|us|i|my)\b")
_A_NOT_A = re.compile(r"(\w)[不没]\1")
# An English negation before a cue, possibly with one word between ("have not yet laid off").
_EN_NEGATION = re.compile(r"(?:\b(?:not|no|never|without)|n't)(?:\s+\w+)?\s*$")


def clauses(text: str) -> list[str]:
    """The text cut at punctuation and at "但/不过": one statement each, normalised."""
    parts = (c.strip() for c in _CLAUSE_END.split(normalise(text).lower()))
    return [c for c in parts if re.sub(r"[\s??]", "", c)]


@dataclass(frozen=True)
class Cue:
    """Words that must all occur in one clause; each word has alternatives, and an
    alternative may name a longer phrase it must not be part of ("小企业!中小企业": 小企业,
    but not inside 中小企业)."""

    terms: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, text: str) -> Cue:
        return cls(tuple(tuple(a.strip().lower() for a in term.split("|"))
                         for term in text.split("+")))

    def find(self, clause: str) -> tuple[int, int, list[int]] | None:
        """(start, end) of what matched and where each term starts, or None unless every
        term occurs."""
        starts, ends = [], []
        for term in self.terms:
            hits = [hit for a in term if (hit := _find_word(clause, a)) is not None]
            if not hits:
                return None
            first = min(hits)
            starts.append(first[0])
            ends.append(first[1])
        return min(starts), max(ends), starts


def _find_word(clause: str, alternative: str) -> tuple[int, int] | None:
    word, _, unless = alternative.partition("!")
    at = clause.find(word)
    while at >= 0:
        context = clause.find(unless) if unless else -1
        inside = False
        while unless and context >= 0:
            if context <= at and at + len(word) <= context + len(unless):
                inside = True
                break
            context = clause.find(unless, context + 1)
        if not inside:
            return at, at + len(word)
        at = clause.find(word, at + 1)
    return None


def cue_problem(text: object) -> str | None:
    """Why a cue written in a rule file cannot work, or None."""
    if not isinstance(text, str) or not text.strip():
        return "a cue must be a non-empty phrase"
    for term in text.split("+"):
        for alternative in term.split("|"):
            word, bang, unless = alternative.partition("!")
            if not word.strip() or (bang and word.strip() not in unless):
                return (f"cue {text!r} has an empty word (around '+' or '|') or an exception "
                        "(after '!') that does not contain its word")
    return None


@cache
def _cue(text: str) -> Cue:
    return Cue.parse(text)


def negated(clause: str, starts: Iterable[int]) -> bool:
    """A negation word ends within NEGATION_REACH characters before any of the matched
    words ("没去德国参展", "经费不太充足")."""
    # "能不能", "是不是", "有没有" ask; they negate nothing.
    clause = _A_NOT_A.sub(lambda m: " " * len(m.group(0)), clause)
    for start in starts:
        if _EN_NEGATION.search(clause[max(0, start - 24):start]):
            return True
        before = clause[max(0, start - NEGATION_REACH - 2):start]
        for word in _NEGATIONS:
            at = before.rfind(word)
            if at >= 0 and len(before) - (at + len(word)) <= NEGATION_REACH:
                return True
    return False


def asks_about_condition(clause: str) -> bool:
    """"需要交社保吗", "是否必须参展", "如果没裁员的话": the clause states nothing."""
    return bool(_ASKS_ABOUT.search(clause))


def _is_question(clause: str) -> bool:
    return bool(_QUESTION.search(clause))


def _speaking_of_themselves(all_clauses: list[str]) -> bool:
    return any(_FIRST_PERSON.search(c) for c in all_clauses)


def stating_clauses(text: str, answering: bool = False) -> list[str]:
    """The clauses of a message that can state a fact about the user's enterprise: not
    those asking about a condition, and a question ("小巨人企业有配套支持吗?") only when
    the message speaks of the user's own enterprise ("我们去德国参展能补贴吗?") or
    answers a question about it (answering: "交着呢")."""
    found = clauses(text)
    personal = answering or _speaking_of_themselves(found)
    return [c for c in found
            if not asks_about_condition(c) and (personal or not _is_question(c))]


def read_boolean(text: str, says_yes: Iterable[str], says_no: Iterable[str],
                 answering: bool = False) -> bool | None:
    """What the message's clauses state with the fact's cues; the last statement wins
    (people correct themselves). A negated yes-cue is a no; a negated no-cue a yes."""
    said: bool | None = None
    for clause in stating_clauses(text, answering):
        for cues, value in ((says_no, False), (says_yes, True)):
            hits = [hit for c in cues if (hit := _cue(c).find(clause)) is not None]
            if hits:
                first = min(hits)
                said = (not value) if negated(clause, first[2]) else value
                break
    return said


def read_choice(text: str, cues: Mapping[str, Iterable[str]], answering: bool = False
                ) -> str | None:
    """The one choice the message states ("大型国有企业" -> 大型企业). A choice named under
    a negation ("不是小微企业") is ruled out; a match inside a longer one of another
    choice ("小微企业主" over "小微企业") does not count. None unless exactly one remains;
    of several clauses that each state one, the last."""
    stated: str | None = None
    for clause in stating_clauses(text, answering):
        spans: list[tuple[int, int, str, list[int]]] = []
        for choice, phrases in cues.items():
            for phrase in phrases:
                hit = _cue(phrase).find(clause)
                if hit is not None:
                    spans.append((hit[0], hit[1], choice, hit[2]))
        kept = {choice for s, e, choice, starts in spans
                if not any(c != choice and s2 <= s and e <= e2 and (e2 - s2) > (e - s)
                           for s2, e2, c, _ in spans)
                and not negated(clause, starts)}
        if len(kept) == 1:
            stated = kept.pop()
    return stated


_PEOPLE_AFTER = re.compile(r"\s*(?:(?:个|名|位|号)?\s*(?:人|员工|职工|工人|伙计|雇员)|名|"
                           r"(?:full-time\s+)?(?:employees|staff|workers|people|persons))")
_PEOPLE_BEFORE = re.compile(r"(?:员工|职工|工人|用工|人数|在册|雇了|雇员|参保|employ(?:ed)?|headcount"
                            r"(?: of)?)\D{0,4}$")


def read_headcount(text: str, answering: bool = False) -> Quantity | None:
    """A number of people: "35人", "20多个员工", "三十来人", "员工有30个"."""
    for clause in stating_clauses(text, answering):
        for q in quantities(clause):
            if q.low < 1 or q.low != int(q.low):
                continue
            if _PEOPLE_AFTER.match(clause, q.end) or _PEOPLE_BEFORE.search(clause[:q.start]):
                return q
    return None


# Currency words after a number, with what they multiply it by and the currency.
_MONEY_UNITS = [("million us dollars", 1e6, "USD"), ("million dollars", 1e6, "USD"),
                ("million usd", 1e6, "USD"), ("us dollars", 1.0, "USD"), ("usd", 1.0, "USD"),
                ("dollars", 1.0, "USD"), ("million yuan", 1e6, "CNY"), ("million rmb", 1e6, "CNY"),
                ("yuan", 1.0, "CNY"), ("rmb", 1.0, "CNY"), ("million", 1e6, ""),
                ("亿美元", 1e8, "USD"), ("万美元", 1e4, "USD"), ("万美金", 1e4, "USD"),
                ("美元", 1.0, "USD"), ("美金", 1.0, "USD"), ("亿元", 1e8, "CNY"),
                ("万元", 1e4, "CNY"), ("万块", 1e4, "CNY"), ("亿", 1e8, ""), ("万", 1e4, ""),
                ("块钱", 1.0, "CNY"), ("块", 1.0, "CNY"), ("元", 1.0, "CNY")]
# Units a rule may state a money fact in: what one of them is worth, in which currency.
MONEY_FACT_UNITS = {"元": (1.0, "CNY"), "万元": (1e4, "CNY"), "亿元": (1e8, "CNY"),
                    "美元": (1.0, "USD"), "万美元": (1e4, "USD"), "亿美元": (1e8, "USD")}


@dataclass(frozen=True)
class Money:
    low: float  # in whole yuan or dollars
    high: float
    currency: str  # CNY, USD, or "" when only 万/亿 was said
    clause: str

    def low_high_in(self, unit: str) -> tuple[float, float] | None:
        """The amount in a fact's unit ("万美元"), or None for another currency."""
        size, currency = MONEY_FACT_UNITS[unit]
        if self.currency and self.currency != currency:
            return None
        return self.low / size, self.high / size


def read_money(text: str, answering: bool = False) -> list[Money]:
    """Every amount of money with its unit: "300万美元", "两百万美元", "1.5亿元", "500万"
    (a currency left unsaid is "")."""
    found = []
    for clause in stating_clauses(text, answering):
        for q in quantities(clause):
            rest = clause[q.end:].lstrip()
            unit = next((u for u in _MONEY_UNITS if rest.startswith(u[0])), None)
            if unit is None:
                continue
            name, factor, currency = unit
            if name in ("万", "亿") and rest[len(name):].startswith(("人", "个", "名")):
                continue  # "1万人" is people
            if not currency and clause[:q.start].rstrip().endswith("$"):
                currency = "USD"  # "$5 million"
            found.append(Money(q.low * factor, q.high * factor if q.high != INFINITY else INFINITY,
                               currency, clause))
    return found
