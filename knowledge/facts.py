"""Eligibility facts: what a rule needs to know, read from an answer or from free text.

A fact has a type (boolean, choice, integer, number, date), the question that asks for
it and the words that state it in passing (its cues, data in the rule file). Two ways in:

- parse(answer): the user's reply to the fact's own question ("是", "25人", "2023年3月
  底", "大概两百万美元"), or FactInvalid with a hint of what to type;
- stated_in(text): the fact as a message states it unasked ("我们是大型国有企业",
  "社保也交着", "去年出口两百万美元"), or None when the message does not say it.

A number or date can be a range: "20多人" is (21, 29), "2023年3月" the days of March.
Values are exact (35, a date) or a (low, high) tuple; knowledge.eligibility compares both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.quantities import INFINITY, Quantity, first_quantity, normalise
from knowledge.said_dates import DaySpan, first_date, said_dates
from knowledge.settings import today
from knowledge.statements import (
    MONEY_FACT_UNITS,
    Cue,
    read_boolean,
    read_choice,
    read_headcount,
    read_money,
    stating_clauses,
)

OTHER = "其他"
_YES = frozenset({"是", "是的", "对", "对的", "有", "有的", "嗯", "嗯嗯", "参加", "参加了", "缴纳",
                  "交了", "没错", "当然", "肯定", "确实", "是啊", "对啊", "有啊", "yes", "y", "yep",
                  "yeah", "true", "1", "ok"})
_NO = frozenset({"否", "不是", "没有", "无", "不", "未", "没", "不对", "并没有", "no", "n", "nope",
                 "false", "0"})
_ACKNOWLEDGE = frozenset({"好", "好的", "好吧", "行", "行吧", "可以", "没问题", "嗯呢", "对呀", "是啊",
                          "不用", "不要", "没了", "没有了", "okay", "sure", "fine", "yep", "nope"})
_OTHER_WORDS = ("其他", "其它", "都不是", "都不属于", "以上都不是", "别的")
_QUESTION = re.compile(r"[??]|吗|怎么|哪|什么|多少|能不能|可不可以|是否")


class FactInvalid(KnowledgeError):
    """A user's answer cannot be read as the fact's type; hint says what to type."""

    def __init__(self, fact: str, hint: str) -> None:
        self.fact = fact
        self.hint = hint
        super().__init__(f"invalid value for {fact}: {hint}")


def plain_yes_or_no(text: str) -> bool:
    """"好的", "是", "no": a bare yes or no, with nothing asked."""
    bare = re.sub(r"[\s。.!!~,,??]+", "", normalise(text)).lower()
    return bare in _YES or bare in _NO or bare in _ACKNOWLEDGE


def looks_like_question(text: str) -> bool:
    """A message that asks something rather than answers ("那展会补贴呢?")."""
    return bool(_QUESTION.search(normalise(text)))


def _value(low: float, high: float, integer: bool = False) -> Any:
    """An exact number, or a (low, high) range; integers stay integers."""
    cast = (lambda v: v if v == INFINITY else int(v)) if integer else float
    return cast(low) if low == high else (cast(low), cast(high))


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    question: str
    hint: str
    choices: tuple[str, ...] = ()
    unit: str = ""
    # Phrases that state a boolean fact in passing ("没裁员"), knowledge.statements cues.
    says_yes: tuple[str, ...] = ()
    says_no: tuple[str, ...] = ()
    # choice: (choice, its cues) pairs; number, integer, date: words of the clause that
    # states it ("出口" for an export amount, "到期" for a due date).
    choice_cues: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cues: tuple[str, ...] = ()
    question_en: str = ""

    # -- free text -------------------------------------------------------------------------
    def stated_in(self, text: str, on: dt.date | None = None, *, alone: bool = False) -> Any:
        """The fact as the text states it, or None. alone: the text is about this fact's
        rule only, so an amount or date without a cue word is taken too (a number fact's
        cue tells an export amount from an investment when a message has both)."""
        if self.type == "boolean":
            return read_boolean(text, self.says_yes, self.says_no)
        if self.type == "choice":
            return read_choice(text, self._choice_cues())
        if self.type == "integer":
            q = read_headcount(text) if self.unit == "人" else None
            return _value(q.low, q.high, integer=True) if q is not None else None
        if self.type == "number":
            return self._stated_amount(text, alone)
        if self.type == "date":
            return self._stated_date(text, on or today(), alone)
        return None

    def _cued(self, clause: str) -> bool:
        return any(Cue.parse(c).find(clause) is not None for c in self.cues)

    def _stated_amount(self, text: str, alone: bool) -> Any:
        if self.unit not in MONEY_FACT_UNITS:
            return None
        amounts = [m for m in read_money(text) if m.currency and m.low_high_in(self.unit)]
        cued = [m for m in amounts if self._cued(m.clause)]
        chosen = cued or (amounts if alone and len(amounts) == 1 else [])
        if not chosen:
            return None
        span = chosen[0].low_high_in(self.unit)
        assert span is not None
        return _value(*span)

    def _stated_date(self, text: str, on: dt.date, alone: bool) -> Any:
        for clause in stating_clauses(text):
            if not (self._cued(clause) or alone):
                continue
            for span, _ in said_dates(clause, on):
                return _date_value(span)
        return None

    def _choice_cues(self) -> dict[str, tuple[str, ...]]:
        """Each choice's cues, the choice's own name first (but "其他" only by its cues)."""
        extra = dict(self.choice_cues)
        return {c: ((c,) if c != OTHER else ()) + tuple(extra.get(c, ())) for c in self.choices}

    # -- answers to the fact's question ----------------------------------------------------
    def parse(self, answer: Any, on: dt.date | None = None) -> Any:
        """The typed value of an answer ("25人" -> 25, "是" -> True), or FactInvalid."""
        if isinstance(answer, list | tuple) and len(answer) == 2:
            low, high = (self.parse(v, on) for v in answer)
            return low if low == high else (low, high)
        if answer is None and self.type in ("integer", "number"):
            return INFINITY  # an open range's upper end, as serialised
        value = self._parse(answer, on or today())
        if value is None:
            raise FactInvalid(self.name, self.hint)
        return value

    def _parse(self, answer: Any, on: dt.date) -> Any:
        if self.type == "boolean" and isinstance(answer, bool):
            return answer
        if self.type == "date" and isinstance(answer, dt.date):
            return answer
        if self.type in ("integer", "number") and isinstance(answer, int | float) \
                and not isinstance(answer, bool):
            return int(answer) if self.type == "integer" else float(answer)
        text = normalise(str(answer)).strip().lower()
        if not text:
            return None
        reader = {"boolean": self._parse_boolean, "choice": self._parse_choice,
                  "integer": self._parse_integer, "number": self._parse_number,
                  "date": lambda t: _parse_date(t, on)}.get(self.type)
        return reader(text) if reader is not None else text

    def _parse_boolean(self, text: str) -> bool | None:
        bare = re.sub(r"^[。.!!~,, ]+|[。.!!~,, ]+$", "", text)
        # "没有,我们走的是统保平台": a yes or no first, then why (not "不是,我想问…吗?",
        # which turns to another question).
        first, _, rest = re.sub(r"[,,。.!!;;]", "\0", bare, count=1).partition("\0")
        answered = not rest or not looks_like_question(rest)
        if bare in _YES or (answered and first.strip() in _YES):
            return True
        if bare in _NO or (answered and first.strip() in _NO):
            return False
        if len(bare) > 6 and looks_like_question(bare):
            return None
        said = read_boolean(bare, self.says_yes, self.says_no, answering=True)
        if said is None and len(bare) <= 8:
            # The question named the topic, so an answer may give only the verb: "交着呢"
            # for "社保|社会保险+交|缴" (each cue's last word, negation still read).
            said = read_boolean(bare, _last_words(self.says_yes), _last_words(self.says_no),
                                answering=True)
        if said is not None:
            return said
        if len(bare) <= 10 and bare.startswith(("没", "不", "未", "无", "非", "还没", "并没")):
            return False
        if len(bare) <= 10 and bare.startswith(("是", "对", "嗯", "有的", "确实", "当然")):
            return True
        return None

    def _parse_choice(self, text: str) -> str | None:
        for choice in self.choices:
            if text == choice:
                return choice
        if OTHER in self.choices and text.startswith(_OTHER_WORDS):
            return OTHER
        said = read_choice(text, self._choice_cues(), answering=True)
        if said is not None:
            return said
        contained = [c for c in self.choices if c in text or text in c]
        return contained[0] if len(contained) == 1 else None

    def _parse_integer(self, text: str) -> Any:
        q: Quantity | None = read_headcount(text, answering=True) or first_quantity(text)
        if q is None or q.low != int(q.low):
            return None
        return _value(q.low, q.high, integer=True)

    def _parse_number(self, text: str) -> Any:
        if self.unit in MONEY_FACT_UNITS:
            amounts = read_money(text, answering=True)
            if amounts:
                span = amounts[0].low_high_in(self.unit)
                return _value(*span) if span is not None else None
        q = first_quantity(text)
        return _value(q.low, q.high) if q is not None else None


def _last_words(cues: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.rsplit("+", 1)[-1] for c in cues if "+" in c)


def _date_value(span: DaySpan) -> Any:
    return span[0] if span[0] == span[1] else span


def _parse_date(text: str, on: dt.date) -> Any:
    try:
        day = dt.date.fromisoformat(text)
        return day
    except ValueError:
        pass
    span = first_date(text, on)
    return _date_value(span) if span is not None else None


def serialise(value: Any) -> Any:
    """A fact value as a slot keeps it (JSON): dates as ISO strings, ranges as [low, high]
    with None for an open end."""
    if isinstance(value, tuple):
        return [serialise(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value == INFINITY:
        return None
    return value
