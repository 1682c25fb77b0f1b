"""Eligibility rules (data in knowledge/eligibility/) and their evaluation.

A rule set names the facts a measure's conditions need; the dialogue asks only for
those. Each condition comes out met, not met or unknown (fact not given), so an answer
can say exactly what is missing instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.dates import parse_date
from knowledge.errors import DocumentInvalid, KnowledgeError
from knowledge.rulefiles import ALL, read_rule_files

if TYPE_CHECKING:
    from knowledge.catalog import Catalog


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class FactInvalid(KnowledgeError):
    """A user's answer cannot be read as the fact's type; hint says what to type."""

    def __init__(self, fact: str, hint: str) -> None:
        self.fact = fact
        self.hint = hint
        super().__init__(f"invalid value for {fact}: {hint}")


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    question: str
    hint: str
    choices: tuple[str, ...] = ()
    unit: str = ""
    # Phrases that state a boolean fact in passing ("没裁员"); negative cues are checked
    # first because they usually contain the positive ones.
    says_yes: tuple[str, ...] = ()
    says_no: tuple[str, ...] = ()

    def stated_in(self, text: str) -> bool | None:
        """A boolean fact stated in free text, or None when the text does not say it."""
        if any(cue in text for cue in self.says_no):
            return False
        if any(cue in text for cue in self.says_yes):
            return True
        return None

    def parse(self, answer: Any) -> Any:
        """The typed value of an answer ("25人" -> 25, "是" -> True), or FactInvalid."""
        text = str(answer).strip()
        if self.type == "integer":
            m = re.search(r"-?\d+", text.replace(",", ""))
            if m:
                return int(m.group(0))
        elif self.type == "number":
            m = re.search(r"-?\d+(?:\.\d+)?", text.replace(",", ""))
            if m:
                return float(m.group(0))
        elif self.type == "boolean":
            if isinstance(answer, bool):
                return answer
            if text in {"是", "是的", "有", "对", "参加", "缴纳", "yes", "y", "true", "1"}:
                return True
            if text in {"否", "不是", "没有", "无", "不", "未", "no", "n", "false", "0"} or \
                    text.startswith(("没", "不", "未")):
                return False
        elif self.type == "date":
            if isinstance(answer, dt.date):
                return answer
            day = parse_date(text)
            if day is not None:
                return day
        elif self.type == "choice":
            for choice in self.choices:
                if text == choice:
                    return choice
            contained = [c for c in self.choices if c in text or (text and text in c)]
            if len(contained) == 1:
                return contained[0]
        else:
            return text
        raise FactInvalid(self.name, self.hint)


@dataclass(frozen=True)
class Check:
    """One comparison of a fact with a value ("headcount_2022 le 100"), as the rules
    file writes it; unknown while the user has not given the fact."""

    fact: str
    op: str
    value: Any = None

    def outcome(self, facts: dict[str, Any]) -> Outcome:
        if facts.get(self.fact) is None:
            return Outcome.UNKNOWN
        return Outcome.MET if _apply(self.op, facts[self.fact], self.value) else Outcome.NOT_MET


@dataclass(frozen=True)
class Condition:
    id: str
    text: str
    check: Check


@dataclass(frozen=True)
class Benefit:
    text: str
    when: Check | None  # None: applies when every condition is met


@dataclass(frozen=True)
class Rule:
    doc_id: str
    number: int
    summary: str
    conditions: tuple[Condition, ...]
    benefits: tuple[Benefit, ...]

    @property
    def facts(self) -> list[str]:
        """Facts needed, in the order the conditions (then graded benefits) use them."""
        names = [c.check.fact for c in self.conditions]
        names += [b.when.fact for b in self.benefits if b.when is not None]
        return list(dict.fromkeys(names))


@dataclass
class ConditionResult:
    condition: Condition
    outcome: Outcome
    value: Any = None


@dataclass
class Verdict:
    rule: Rule
    results: list[ConditionResult]
    benefits: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        outcomes = {r.outcome for r in self.results}
        if Outcome.NOT_MET in outcomes:
            return Outcome.NOT_MET
        return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.MET

    @property
    def missing(self) -> list[str]:
        return [r.condition.check.fact for r in self.results if r.outcome is Outcome.UNKNOWN]


def evaluate(rule: Rule, facts: dict[str, Any]) -> Verdict:
    results = [ConditionResult(c, c.check.outcome(facts), facts.get(c.check.fact))
               for c in rule.conditions]
    verdict = Verdict(rule, results)
    if verdict.outcome is not Outcome.NOT_MET:
        for benefit in rule.benefits:
            if benefit.when is None:
                if verdict.outcome is Outcome.MET:
                    verdict.benefits.append(benefit.text)
            elif benefit.when.outcome(facts) is Outcome.MET:
                verdict.benefits.append(benefit.text)
    return verdict


def _apply(op: str, actual: Any, expected: Any) -> bool:
    if op in {"before", "on_or_before", "after"}:
        expected = expected if isinstance(expected, dt.date) else parse_date(str(expected))
        return {"before": actual < expected, "on_or_before": actual <= expected,
                "after": actual > expected}[op]
    if op == "between":
        low, high = expected
        return bool(low <= actual <= high)
    checks = {
        "in": lambda: actual in expected, "not_in": lambda: actual not in expected,
        "eq": lambda: actual == expected, "lt": lambda: actual < expected,
        "le": lambda: actual <= expected, "gt": lambda: actual > expected,
        "ge": lambda: actual >= expected, "true": lambda: actual is True,
        "false": lambda: actual is False,
    }
    if op not in checks:
        raise KnowledgeError(f"unknown operator {op!r} in eligibility rules")
    return bool(checks[op]())


def _read_check(data: dict[str, Any]) -> Check:
    return Check(fact=str(data["fact"]), op=str(data["op"]), value=data.get("value"))


@dataclass
class RuleBook:
    facts: dict[str, Fact]
    rules: dict[tuple[str, int], Rule]

    @classmethod
    def load(cls, directory: Path, catalog: Catalog | None = None) -> RuleBook:
        """Every rule file of `directory`, checked (knowledge/rulefiles.py; against the
        catalog's measures when one is given); DocumentInvalid listing every problem."""
        files, problems = read_rule_files(sorted(directory.glob("*.yml")), catalog)
        if problems:
            raise DocumentInvalid(problems)
        facts: dict[str, Fact] = {}
        rules: dict[tuple[str, int], Rule] = {}
        for path, data in files:
            doc_id = str(data.get("doc_id", path.stem))
            for name, spec in (data.get("facts") or {}).items():
                facts[name] = Fact(name=name, type=spec["type"], question=spec["question"],
                                   hint=spec.get("hint", ""),
                                   choices=tuple(spec.get("choices") or ()),
                                   unit=spec.get("unit", ""),
                                   says_yes=tuple(spec.get("says_yes") or ()),
                                   says_no=tuple(spec.get("says_no") or ()))
            for number, spec in (data.get("measures") or {}).items():
                conditions = tuple(Condition(c["id"], c["text"], _read_check(c))
                                   for c in spec["conditions"])
                benefits = tuple(
                    Benefit(b["text"], None if b["when"] == ALL else _read_check(b["when"]))
                    for b in spec.get("benefits") or [])
                rules[(doc_id, number)] = Rule(doc_id, number, spec["summary"], conditions, benefits)
        return cls(facts, rules)

    def rule(self, doc_id: str, number: int) -> Rule | None:
        return self.rules.get((doc_id, number))
