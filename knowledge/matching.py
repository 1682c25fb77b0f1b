"""Policy matching: from what an enterprise says about itself to every measure it can use.

District portals call this a "policy calculator": the enterprise describes itself once
(its profile: the facts the eligibility rules use, knowledge/eligibility/*.yml) and gets
every measure whose rule it meets, grouped

- 符合 (eligible): every condition met and the measure in force today;
- 可能符合 (possible): nothing fails yet, some facts are still unknown;
- 已到期 (expired): nothing fails, but the measure ended (or was replaced) before today,

each with the benefit its rule gives (worked out where the rule has a formula), so that
the page, the API and the chat say the same. Measures whose document states no
conditions are listed apart (ask the department); measures not addressed to enterprises
never appear. What is still unknown is returned as questions, the fact that would
decide most measures first, so a form or a chat asks only what changes the result.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from knowledge.eligibility import Benefit, Outcome, Rule, RuleBook, Verdict, evaluate
from knowledge.errors import KnowledgeError
from knowledge.facts import Fact, FactInvalid
from knowledge.models import Measure, Validity, ValidityStatus
from knowledge.rulefiles import OPEN
from knowledge.settings import today
from knowledge.validity import validity_of

if TYPE_CHECKING:
    from knowledge.catalog import Catalog

ELIGIBLE, POSSIBLE, EXPIRED = "eligible", "possible", "expired"
GROUP_TITLES = {ELIGIBLE: "符合", POSSIBLE: "可能符合", EXPIRED: "已到期"}
# A fact that only grades the benefit of a measure already met weighs less than one that
# decides whether a measure applies at all.
_GRADING_WEIGHT = 0.25


class ProfileInvalid(KnowledgeError):
    """Profile values that are not facts of the rules or do not read as their type; each
    problem is (fact, what to send instead)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{fact}: {why}" for fact, why in problems))


def read_profile(raw: dict[str, Any], book: RuleBook, on: dt.date | None = None) -> dict[str, Any]:
    """A profile as sent (fact name -> answer: true, 30, "200万美元", [20, 29]) read with
    each fact's own parser, the one the eligibility form uses; None means not given."""
    facts: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, answer in raw.items():
        fact = book.facts.get(name)
        if fact is None:
            problems.append((name, "不是可用的条件项"))
            continue
        if answer is None:
            continue
        try:
            facts[name] = fact.parse(answer, on)
        except FactInvalid as exc:
            problems.append((name, exc.hint))
    if problems:
        raise ProfileInvalid(problems)
    return facts


@dataclass
class Match:
    """One measure against the profile: the verdict, the benefits it gives (all of the
    rule's when nothing is decided yet) and the amount where a formula works it out."""

    measure: Measure
    rule: Rule
    verdict: Verdict
    validity: Validity
    benefits: list[str]
    amount: tuple[float, float] | None = None
    amount_unit: str = ""

    @property
    def missing(self) -> list[str]:
        return list(dict.fromkeys(self.verdict.missing))


@dataclass
class Question:
    """A fact the profile lacks, the measures its answer would decide, and how much."""

    fact: Fact
    measures: list[Measure]
    weight: float


@dataclass
class MatchResult:
    as_of: dt.date
    eligible: list[Match] = field(default_factory=list)
    possible: list[Match] = field(default_factory=list)
    expired: list[Match] = field(default_factory=list)
    # Benefits whose document states no conditions: ask the responsible department.
    unconditioned: list[Measure] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def group(self, name: str) -> list[Match]:
        return {ELIGIBLE: self.eligible, POSSIBLE: self.possible, EXPIRED: self.expired}[name]


def _applies(benefit: Benefit, verdict: Verdict, facts: dict[str, Any]) -> bool:
    if benefit.when is None:
        return verdict.outcome is Outcome.MET
    return benefit.when.outcome(facts) is Outcome.MET


def _amount(rule: Rule, verdict: Verdict, facts: dict[str, Any]) -> tuple[tuple[float, float], str] | None:
    """The largest reward a formula of the rule gives for the profile's figures."""
    best: tuple[tuple[float, float], str] | None = None
    for benefit in rule.benefits:
        reward = benefit.reward
        if reward is None or facts.get(reward.fact) is None or not _applies(benefit, verdict, facts):
            continue
        amount = reward.amount(facts[reward.fact])
        if amount is None or not all(map(math.isfinite, amount)):
            continue
        if best is None or amount[1] > best[0][1]:
            best = (amount, reward.unit)
    return best


def _judge(measure: Measure, rule: Rule, facts: dict[str, Any], day: dt.date) -> Match:
    verdict = evaluate(rule, facts)
    benefits = verdict.benefits
    if verdict.outcome is Outcome.UNKNOWN:
        # What would follow: every benefit whose own condition the profile does not rule out.
        benefits = [b.stated(facts) for b in rule.benefits
                    if b.when is None or b.when.outcome(facts) is not Outcome.NOT_MET]
    found = _amount(rule, verdict, facts) if verdict.outcome is not Outcome.NOT_MET else None
    match = Match(measure, rule, verdict, validity_of(measure, day), benefits)
    if found is not None:
        match.amount, match.amount_unit = found
    return match


def _grading_facts(match: Match, facts: dict[str, Any]) -> list[str]:
    """Facts that would change the benefit of a measure already met (第50条's tiers)."""
    names = [b.when.fact for b in match.rule.benefits
             if b.when is not None and b.when.outcome(facts) is Outcome.UNKNOWN]
    return list(dict.fromkeys(n for n in names if n not in match.missing))


def _questions(result: MatchResult, book: RuleBook, facts: dict[str, Any]) -> list[Question]:
    """Each unknown fact weighted by the measures it would decide: a measure waiting for
    one fact counts 1 for it, one waiting for three counts a third for each; a fact that
    only grades a benefit already met counts a quarter."""
    weights: dict[str, float] = {}
    deciding: dict[str, list[Measure]] = {}
    for match in result.possible:
        missing = match.missing
        for name in missing:
            weights[name] = weights.get(name, 0.0) + 1 / len(missing)
            deciding.setdefault(name, []).append(match.measure)
    for match in result.eligible:
        for name in _grading_facts(match, facts):
            weights[name] = weights.get(name, 0.0) + _GRADING_WEIGHT
            deciding.setdefault(name, []).append(match.measure)
    order = list(book.facts)
    ranked = sorted(weights, key=lambda n: (-weights[n], -len(deciding[n]), order.index(n)))
    return [Question(book.facts[n], deciding[n], round(weights[n], 3)) for n in ranked]


def _best_first(matches: list[Match]) -> list[Match]:
    """Amount worked out first (largest first), then fewest facts still open, then the
    most conditions met (a measure for few is likelier the one meant), then document order."""
    def key(m: Match) -> tuple[float, int, int, int]:
        amount = -m.amount[1] if m.amount is not None else 0.0
        met = sum(r.outcome is Outcome.MET for r in m.verdict.results)
        return (amount, len(m.missing), -met, m.measure.number)
    return sorted(matches, key=key)


def match_profile(facts: dict[str, Any], catalog: Catalog, book: RuleBook,
                  on: dt.date | None = None) -> MatchResult:
    """Every measure of the catalog against the profile's facts (read_profile), as of
    `on` (the app's today by default, POLICYBOT_TODAY in tests)."""
    day = on or today()
    result = MatchResult(as_of=day)
    for measure in catalog.measures:
        kind = book.kind(measure.doc_id, measure.number)
        rule = book.rule(measure.doc_id, measure.number)
        replaced = measure.superseded_by is not None and day >= measure.superseded_by.since
        if replaced and catalog.successor(measure) is not None:
            continue  # its successor is matched instead
        if rule is None:
            if kind is not None and kind.kind == OPEN and not replaced:
                result.unconditioned.append(measure)
            continue
        match = _judge(measure, rule, facts, day)
        outcome = match.verdict.outcome
        if outcome is Outcome.NOT_MET:
            continue
        if match.validity.status in (ValidityStatus.EXPIRED, ValidityStatus.SUPERSEDED):
            result.expired.append(match)
        elif outcome is Outcome.MET:
            result.eligible.append(match)
        else:
            result.possible.append(match)
    result.eligible = _best_first(result.eligible)
    result.possible = _best_first(result.possible)
    result.expired = _best_first(result.expired)
    result.questions = _questions(result, book, facts)
    return result


def stated_profile(text: str, book: RuleBook, on: dt.date | None = None) -> dict[str, Any]:
    """The facts a self-description states ("我们是一家30人的服务业小微企业,年出口200万
    美元"), each read by its own cues (knowledge/statements.py): how the chat and the
    evaluation turn words into a profile. A headcount said without a year is taken as the
    headcount the rules ask about."""
    facts: dict[str, Any] = {}
    for name, fact in book.facts.items():
        value = fact.stated_in(text, on)
        if value is not None:
            facts[name] = value
    return facts
