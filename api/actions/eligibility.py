"""Eligibility check as a form: ask only the facts the chosen measure's rules need.

State lives in three slots: eligibility_measure (the measure checked), eligibility_facts
(typed facts so far) and eligibility_pending (the fact just asked). Each call reads the
answer to the pending fact (asking again with a hint if it does not parse), picks up any
other facts the message states, then either ends with a verdict (all known, or one
condition already fails) or asks the next missing fact.
"""

from __future__ import annotations

import re
from typing import Any

from api.actions.base import CURRENT_MEASURES, Action, Context, Outcome
from api.compose import Reply, departments_text, measure_payload
from api.protocol import active_loop_event, slot_event
from knowledge.citations import find_measure_numbers
from knowledge.eligibility import Fact, FactInvalid, Rule, evaluate
from knowledge.eligibility import Outcome as Verdict
from knowledge.eligibility import Verdict as Result
from knowledge.validity import describe_validity, validity_of

MEASURE_SLOT = "eligibility_measure"
FACTS_SLOT = "eligibility_facts"
PENDING_SLOT = "eligibility_pending"
FORM = "eligibility_form"
OUTCOME_TEXT = {Verdict.MET: "符合", Verdict.NOT_MET: "不符合", Verdict.UNKNOWN: "待确认"}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*万?\s*美元")
_HEADCOUNT = re.compile(r"(\d+)\s*(?:人|名|个员工|个人)")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*(?:[-/.月]\s*\d{1,2}\s*日?|月底|月末|月)?")


def _rule(ctx: Context) -> Rule | None:
    """The measure to check: slot, then 第N条 in the message, then the current measure,
    then the best search hit that has rules."""
    rules = ctx.services.rules
    doc_id = ctx.services.catalog.document().info.doc_id
    candidates: list[int] = []
    if ctx.slot(MEASURE_SLOT):
        candidates.append(int(ctx.slot(MEASURE_SLOT)))
    candidates += find_measure_numbers(ctx.text) + ctx.current_measures
    candidates += [r.measure.number for r in ctx.services.index.search(ctx.text, k=3)
                   if r.answerable]
    for number in candidates:
        rule = rules.rule(doc_id, number)
        if rule is not None:
            return rule
    return None


def _stated_facts(text: str, needed: list[Fact]) -> dict[str, Any]:
    """Facts a message states in passing ("我们在册35人", "年出口250万美元")."""
    found: dict[str, Any] = {}
    for fact in needed:
        try:
            pattern = {"number": _AMOUNT if fact.unit == "万美元" else None,
                       "integer": _HEADCOUNT}.get(fact.type)
            if pattern is not None and (m := pattern.search(text)):
                found[fact.name] = fact.parse(m.group(1))
            elif fact.type == "date" and (m := _DATE.search(text)):
                found[fact.name] = fact.parse(m.group(0))
            elif fact.type == "choice":
                hits = [c for c in fact.choices if c != "其他" and c in text]
                if len(hits) == 1:
                    found[fact.name] = hits[0]
        except FactInvalid:
            continue
    return found


def _serialise(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in facts.items()}


def _restore(raw: Any, known: dict[str, Fact]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (raw or {}).items():
        if name in known and value is not None:
            try:
                out[name] = known[name].parse(value)
            except FactInvalid:
                continue
    return out


def _ask(fact: Fact, rule: Rule, first: bool) -> Reply:
    prefix = f"我来按第{rule.number}条({rule.summary})帮您核对条件。" if first else ""
    buttons: list[dict[str, str]] = []
    if fact.type == "choice":
        buttons = [{"title": c, "payload": c} for c in fact.choices]
    elif fact.type == "boolean":
        buttons = [{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]
    return Reply(prefix + fact.question, {"citations": [rule.number], "asking": fact.name},
                 buttons)


def verdict_reply(result: Result, ctx: Context) -> Reply:
    rule = result.rule
    measure = ctx.services.catalog.measure(rule.number, rule.doc_id)
    head = {Verdict.MET: "根据您提供的情况,符合", Verdict.NOT_MET: "根据您提供的情况,不符合",
            Verdict.UNKNOWN: "目前还无法确定是否符合"}[result.outcome]
    validity = validity_of(measure)
    lines = [f"{head}{measure.citation}({rule.summary})的条件:"]
    if not validity.in_force and validity.end_date:
        lines[0] = (f"请注意:{measure.citation}已于{validity.end_date:%Y年%m月%d日}到期,"
                    f"目前无法再按该条申请。对照其条件,您的情况如下:")
    for r in result.results:
        lines.append(f"- {r.condition.text}:{OUTCOME_TEXT[r.outcome]}")
    if result.benefits:
        lines.append("可享受:" + ";".join(result.benefits))
    lines.append(describe_validity(validity))
    lines.append(f"具体办理请联系:{departments_text(measure)}。")
    return Reply("\n".join(lines), {
        "citations": [measure.number],
        "departments": measure.departments,
        "validity": [measure_payload(measure)],
        "verdict": {"outcome": result.outcome.value, "benefits": result.benefits,
                    "conditions": [{"id": r.condition.id, "text": r.condition.text,
                                    "outcome": r.outcome.value} for r in result.results]},
    })


def eligibility_step(ctx: Context) -> Outcome:
    rule = _rule(ctx)
    if rule is None:
        return Outcome([Reply("抱歉,没有找到可以核对条件的措施。请说明您想申请的政策,"
                              "例如“我能申请贷款延期还本付息吗?”", {"citations": []})],
                       [slot_event(PENDING_SLOT, None), active_loop_event(None)])
    known = ctx.services.rules.facts
    needed = [known[name] for name in rule.facts]
    facts = _restore(ctx.slot(FACTS_SLOT), known)
    first = not ctx.slot(MEASURE_SLOT)
    replies: list[Reply] = []
    pending = ctx.slot(PENDING_SLOT)
    if pending in known and not first:
        try:
            facts[pending] = known[pending].parse(ctx.text)
        except FactInvalid as exc:
            ask = _ask(known[pending], rule, first=False)
            ask.text = f"没能识别您的回答。{exc.hint}。\n{ask.text}"
            return Outcome([ask], [slot_event(PENDING_SLOT, pending)])
    facts.update({k: v for k, v in _stated_facts(ctx.text, needed).items() if k not in facts})
    result = evaluate(rule, facts)
    events = [slot_event(MEASURE_SLOT, rule.number), slot_event(FACTS_SLOT, _serialise(facts)),
              slot_event(CURRENT_MEASURES, [rule.number])]
    missing = [f for f in needed if f.name not in facts]
    if result.outcome is Verdict.NOT_MET or not missing:
        replies.append(verdict_reply(result, ctx))
        events += [slot_event(PENDING_SLOT, None), slot_event(MEASURE_SLOT, None),
                   slot_event(FACTS_SLOT, None), slot_event("requested_slot", None),
                   active_loop_event(None)]
        return Outcome(replies, events)
    replies.append(_ask(missing[0], rule, first))
    events.append(slot_event(PENDING_SLOT, missing[0].name))
    return Outcome(replies, events)


ELIGIBILITY_ACTIONS: dict[str, Action] = {
    "validate_eligibility_form": eligibility_step,
    "action_check_eligibility": eligibility_step,
}
