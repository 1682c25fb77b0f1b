"""Where a measure's conditions stand for this conversation, and the state a check
keeps in Rasa's slots while it asks.

Both the answer to a question (answer first, then the first open question) and the
eligibility form (one answer at a time) go through here, so a check reads the same facts
and asks the same next question whichever way it started.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.actions.base import CURRENT_MEASURES, Context
from api.actions.facts import FACTS_SLOT, needed_facts, to_slot
from api.protocol import slot_event
from knowledge.eligibility import Outcome, Rule, Verdict, evaluate
from knowledge.facts import Fact
from knowledge.models import Measure

MEASURE_SLOT = "eligibility_measure"
PENDING_SLOT = "eligibility_pending"
ANSWER_SLOT = "eligibility_answer"
REQUESTED_SLOT = "requested_slot"


@dataclass
class Assessment:
    rule: Rule
    measure: Measure
    facts: dict[str, Any]
    verdict: Verdict
    missing: list[Fact]

    @property
    def complete(self) -> bool:
        """Nothing left to ask: a condition already fails, or every fact is known."""
        return self.verdict.outcome is Outcome.NOT_MET or not self.missing

    @property
    def asking(self) -> Fact | None:
        return None if self.complete else self.missing[0]

    @property
    def anything_known(self) -> bool:
        return any(r.outcome is not Outcome.UNKNOWN for r in self.verdict.results) or \
            any(name in self.facts for name in self.rule.facts)


def rule_of(ctx: Context, measure: Measure) -> tuple[Rule, Measure] | None:
    """The rule that decides a measure, and the measure it belongs to: a measure a later
    document replaced is checked by its successor's rule when it has one."""
    catalog, rules = ctx.services.catalog, ctx.services.rules
    successor = catalog.successor(measure) if measure.superseded_by is not None else None
    for m in (successor, measure):
        if m is not None and (rule := rules.rule(m.doc_id, m.number)) is not None:
            return rule, m
    return None


def assess(ctx: Context, rule: Rule, measure: Measure, facts: dict[str, Any]) -> Assessment:
    """Each condition against the facts; what is still open, in the rule's order. A fact
    given as a range that leaves its condition open ("几十人") is asked again."""
    verdict = evaluate(rule, facts)
    open_facts = {r.condition.check.fact for r in verdict.results if r.outcome is Outcome.UNKNOWN}
    open_facts |= {b.when.fact for b in rule.benefits
                   if b.when is not None and b.when.outcome(facts) is Outcome.UNKNOWN}
    missing = [f for f in needed_facts(ctx, rule) if f.name in open_facts]
    return Assessment(rule, measure, facts, verdict, missing)


def state_events(ctx: Context, assessment: Assessment) -> list[dict[str, Any]]:
    """Slots after a check step: the facts (kept for the conversation), the measure and
    the question pending while one is open (none once the verdict is given)."""
    ref = ctx.services.catalog.ref(assessment.measure)
    asking = assessment.asking
    return [slot_event(FACTS_SLOT, to_slot(assessment.facts)),
            slot_event(CURRENT_MEASURES, [ref]),
            slot_event(MEASURE_SLOT, ref if asking else None),
            slot_event(PENDING_SLOT, asking.name if asking else None),
            slot_event(ANSWER_SLOT, None),
            slot_event(REQUESTED_SLOT, ANSWER_SLOT if asking else None)]


def ended_events() -> list[dict[str, Any]]:
    """Slots that forget a check (not the facts: they stay true of the enterprise)."""
    return [slot_event(MEASURE_SLOT, None), slot_event(PENDING_SLOT, None),
            slot_event(ANSWER_SLOT, None), slot_event(REQUESTED_SLOT, None)]
