"""Eligibility rules (data in knowledge/eligibility/) and their evaluation.

A rule set names the facts a measure's conditions need; the dialogue asks only for
those. Each condition comes out met, not met or unknown (fact not given, or given as a
range that straddles the limit: "几十人" for "20人以上"), so an answer can say exactly
what is missing instead of guessing. Facts themselves are knowledge/facts.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.dates import parse_date
from knowledge.errors import DocumentInvalid, KnowledgeError
from knowledge.facts import Fact, FactInvalid
from knowledge.rulefiles import ALL, GOVERNMENT, OPEN, RULE, read_rule_files

if TYPE_CHECKING:
    from knowledge.catalog import Catalog


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    """One comparison of a fact with a value ("headcount_2022 le 100"), as the rules
    file writes it; unknown while the user has not given the fact."""

    fact: str
    op: str
    value: Any = None

    def outcome(self, facts: dict[str, Any]) -> Outcome:
        value = facts.get(self.fact)
        if value is None:
            return Outcome.UNKNOWN
        if isinstance(value, tuple):
            return _range_outcome(self.op, value, self.value)
        return Outcome.MET if _apply(self.op, value, self.value) else Outcome.NOT_MET


_ORDERED = frozenset({"lt", "le", "gt", "ge", "before", "on_or_before", "after"})


def _range_outcome(op: str, span: tuple[Any, Any], expected: Any) -> Outcome:
    """A range is met when all of it is, not met when none of it is, else unknown.
    ("20多人" meets "20人以上"; "几十人" leaves it open.)"""
    low, high = span
    if op in _ORDERED:
        at_low, at_high = _apply(op, low, expected), _apply(op, high, expected)
        if at_low == at_high:
            return Outcome.MET if at_low else Outcome.NOT_MET
        return Outcome.UNKNOWN
    if op == "between":
        a, b = expected
        if a <= low and high <= b:
            return Outcome.MET
        return Outcome.NOT_MET if high < a or low > b else Outcome.UNKNOWN
    return Outcome.UNKNOWN  # eq, in, not_in: a range decides none of them


@dataclass(frozen=True)
class Condition:
    id: str
    text: str
    check: Check


@dataclass(frozen=True)
class Reward:
    """A benefit worked out from a fact: `gives` (in unit) for every `per` of the fact,
    up to `cap`. 第58条: 10万元 per 100万美元 of funds in place, at most 1000万元."""

    fact: str
    per: float
    gives: float
    unit: str
    cap: float | None = None
    fact_unit: str = ""  # the unit the fact is said in ("万美元"), to word the figure

    def amount(self, value: Any) -> tuple[float, float] | None:
        """The reward for a fact value (exact or range), as (low, high)."""
        low, high = value if isinstance(value, tuple) else (value, value)
        if not isinstance(low, int | float) or isinstance(low, bool):
            return None

        def one(v: float) -> float:
            reward = v / self.per * self.gives
            return min(reward, self.cap) if self.cap is not None else reward
        return one(low), one(high)


@dataclass(frozen=True)
class Benefit:
    text: str
    when: Check | None  # None: applies when every condition is met
    reward: Reward | None = None

    def stated(self, facts: dict[str, Any]) -> str:
        """The benefit's text, with the reward the user's figures give ("按300万美元计,
        可申请约30万元")."""
        if self.reward is None or facts.get(self.reward.fact) is None:
            return self.text
        value = facts[self.reward.fact]
        amount = self.reward.amount(value)
        if amount is None:
            return self.text
        said = _figure(value) + self.reward.fact_unit
        return f"{self.text}(按您说的{said}计,约{_figure(amount)}{self.reward.unit})"


def _figure(value: Any) -> str:
    """250.0 -> "250", (30.1, 39.9) -> "30.1—39.9", an open end -> "30以上"."""
    if isinstance(value, tuple):
        low, high = value
        if low == high:
            return _figure(low)
        return f"{_figure(low)}以上" if high == float("inf") else f"{_figure(low)}—{_figure(high)}"
    return f"{round(float(value), 1):g}"


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
        names += [b.reward.fact for b in self.benefits if b.reward is not None]
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
                    verdict.benefits.append(benefit.stated(facts))
            elif benefit.when.outcome(facts) is Outcome.MET:
                verdict.benefits.append(benefit.stated(facts))
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


def _read_fact(name: str, spec: dict[str, Any]) -> Fact:
    cues = spec.get("cues") or ()
    return Fact(name=name, type=spec["type"], question=spec["question"], hint=spec.get("hint", ""),
                choices=tuple(spec.get("choices") or ()), unit=spec.get("unit", ""),
                says_yes=tuple(spec.get("says_yes") or ()), says_no=tuple(spec.get("says_no") or ()),
                choice_cues=tuple((str(c), tuple(ws)) for c, ws in cues.items())
                if isinstance(cues, dict) else (),
                cues=tuple(cues) if isinstance(cues, list) else (),
                question_en=spec.get("question_en", ""))


def _read_benefit(data: dict[str, Any], facts: dict[str, Fact]) -> Benefit:
    when = None if data["when"] == ALL else _read_check(data["when"])
    reward = None
    if (r := data.get("reward")) is not None:
        reward = Reward(fact=str(r["fact"]), per=float(r["per"]), gives=float(r["gives"]),
                        unit=str(r["unit"]), cap=float(r["cap"]) if r.get("cap") is not None else None,
                        fact_unit=facts[str(r["fact"])].unit)
    return Benefit(data["text"], when, reward)


@dataclass(frozen=True)
class Classification:
    """What a measure is to an enterprise (rulefiles.KINDS): `rule` (its rule decides),
    `open` (a benefit without stated conditions: ask the department) or `government`
    (not addressed to enterprises); the note says what it is in a line."""

    kind: str
    note: str = ""

    @property
    def label(self) -> str:
        return {RULE: "可核对条件的惠企措施", OPEN: "惠企措施(文件未写明享受条件)",
                GOVERNMENT: "不直接面向企业"}[self.kind]


__all__ = ["Benefit", "Check", "Classification", "Condition", "Fact", "FactInvalid", "Outcome",
           "Reward", "Rule", "RuleBook", "Verdict", "evaluate"]


@dataclass
class RuleBook:
    facts: dict[str, Fact]
    rules: dict[tuple[str, int], Rule]
    # Measures as matching treats them; empty for a document its files do not classify.
    kinds: dict[tuple[str, int], Classification] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path, catalog: Catalog | None = None) -> RuleBook:
        """Every rule file of `directory`, checked (knowledge/rulefiles.py; against the
        catalog's measures when one is given); DocumentInvalid listing every problem."""
        files, problems = read_rule_files(sorted(directory.glob("*.yml")), catalog)
        if problems:
            raise DocumentInvalid(problems)
        facts: dict[str, Fact] = {}
        rules: dict[tuple[str, int], Rule] = {}
        kinds: dict[tuple[str, int], Classification] = {}
        for path, data in files:
            doc_id = str(data.get("doc_id", path.stem))
            for name, spec in (data.get("facts") or {}).items():
                facts[name] = _read_fact(name, spec)
        for path, data in files:
            doc_id = str(data.get("doc_id", path.stem))
            for number, spec in (data.get("measures") or {}).items():
                conditions = tuple(Condition(c["id"], c["text"], _read_check(c))
                                   for c in spec["conditions"])
                benefits = tuple(_read_benefit(b, facts) for b in spec.get("benefits") or [])
                rules[(doc_id, number)] = Rule(doc_id, number, spec["summary"], conditions, benefits)
            for number, entry in (data.get("classification") or {}).items():
                kinds[(doc_id, number)] = Classification(str(entry["kind"]), str(entry.get("note") or ""))
        return cls(facts, rules, kinds)

    def rule(self, doc_id: str, number: int) -> Rule | None:
        return self.rules.get((doc_id, number))

    def kind(self, doc_id: str, number: int) -> Classification | None:
        return self.kinds.get((doc_id, number))
