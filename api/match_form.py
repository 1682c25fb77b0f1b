"""The /match page's form: posted fields -> a profile, and the fields to show next.

The page asks only what matters: the facts already given (so they can be changed) and
the few unknown facts that would decide most measures (knowledge.matching ranks them),
revealed as answers come in. A sentence about the enterprise ("我们是一家30人的服务业小微
企业…") fills the facts it states. Each value is read by the fact's own parser; one that
does not read is shown again with the fact's hint instead of failing the page. Nothing
is kept on the server: the browser keeps the profile (api/web/static/match.js).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from knowledge.eligibility import RuleBook
from knowledge.facts import Fact, FactInvalid
from knowledge.matching import MatchResult, stated_profile
from knowledge.quantities import INFINITY

SAYS = "says"
MAX_SAYS = 500
MAX_VALUE = 100
ASK_AT_ONCE = 4  # unknown facts offered at a time, most decisive first
BOOLEAN_CHOICES = ("是", "否")


@dataclass
class Field:
    name: str
    type: str
    question: str
    hint: str
    choices: tuple[str, ...]
    value: str = ""
    error: str = ""

    @property
    def as_select(self) -> bool:
        return self.type in ("choice", "boolean")


@dataclass
class Posted:
    says: str
    facts: dict[str, Any]
    shown: dict[str, str]   # fact -> the text to show in its field
    errors: dict[str, str]  # fact -> hint, for a value that did not read


def parse_body(body: bytes) -> dict[str, str]:
    """A url-encoded body's fields, first value each, at most a hundred fields."""
    text = body.decode("utf-8", errors="replace")
    try:
        fields = parse_qs(text, keep_blank_values=False, max_num_fields=100)
    except ValueError:
        return {}
    return {k: v[0] for k, v in fields.items()}


def display(fact: Fact, value: Any) -> str:
    """A fact value as text its parser reads back: 是/否, 200, 21-29, 20以上, 2023年3月."""
    if isinstance(value, bool):
        return BOOLEAN_CHOICES[0] if value else BOOLEAN_CHOICES[1]
    if isinstance(value, tuple):
        low, high = value
        if isinstance(low, dt.date):
            whole_month = low.day == 1 and (high + dt.timedelta(days=1)).day == 1 and \
                low.month == high.month
            return f"{low.year}年{low.month}月" if whole_month else low.isoformat()
        return f"{display(fact, low)}以上" if high == INFINITY else \
            f"{display(fact, low)}-{display(fact, high)}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def read_form(fields: dict[str, str], book: RuleBook, on: dt.date | None = None) -> Posted:
    """The profile the form states: the sentence's facts, then each field (a field the
    user filled wins over the sentence). Unknown field names are ignored."""
    says = fields.get(SAYS, "").strip()[:MAX_SAYS]
    facts = stated_profile(says, book, on) if says else {}
    shown = {name: display(book.facts[name], v) for name, v in facts.items()}
    errors: dict[str, str] = {}
    for name, raw in fields.items():
        fact = book.facts.get(name)
        text = raw.strip()
        if fact is None or not text:
            continue
        shown[name] = text[:MAX_VALUE]
        if len(text) > MAX_VALUE:
            errors[name] = f"请不超过{MAX_VALUE}个字"
            facts.pop(name, None)
            continue
        try:
            facts[name] = fact.parse(text, on)
        except FactInvalid as exc:
            errors[name] = exc.hint
            facts.pop(name, None)
    return Posted(says, facts, shown, errors)


def fields_to_show(posted: Posted, result: MatchResult, book: RuleBook) -> tuple[list[Field], list[Field]]:
    """(facts given, facts to ask next): those given in the rules' order, then the most
    decisive unknown ones."""
    def field(fact: Fact) -> Field:
        choices = fact.choices if fact.type == "choice" else BOOLEAN_CHOICES if \
            fact.type == "boolean" else ()
        return Field(fact.name, fact.type, fact.question, fact.hint, choices,
                     posted.shown.get(fact.name, ""), posted.errors.get(fact.name, ""))
    given = [field(f) for name, f in book.facts.items() if name in posted.shown]
    asking = [field(q.fact) for q in result.questions if q.fact.name not in posted.shown]
    return given, asking[:ASK_AT_ONCE]
