"""Eligibility check as a form: ask only the facts the chosen measure's rules need.

The Rasa form has one required slot, eligibility_answer, filled from the user's text;
which fact that text answers is decided here, so the questions can depend on the measure.
State lives in three more slots: eligibility_measure (the measure checked),
eligibility_facts (typed facts so far) and eligibility_pending (the fact just asked).

Each call reads the answer to the pending fact, picks up any other facts the message
states, then ends with a verdict (all known, or one condition already fails) or asks the
next missing fact (setting requested_slot, so Rasa waits for it and asks nothing itself).
An answer that does not parse is asked again with a hint, unless the message is plainly
something else (a question, "算了"): then the action is rejected (HTTP 400) and Rasa's
rules answer it and come back to the form, which re-asks the pending question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from api.actions.base import CURRENT_MEASURES, FOLLOW_UP_MAX_CHARS, Action, ActionResult, Context
from api.compose import Reply, cited, departments_text, measure_payload, nothing_cited
from api.protocol import ActionRejected, active_loop_event, slot_event
from knowledge.eligibility import Fact, FactInvalid, Outcome, Rule, Verdict, evaluate
from knowledge.entities import stated_amount_usd_10k, stated_date, stated_headcount
from knowledge.formatting import zh_date
from knowledge.mentions import named_measures
from knowledge.models import Measure
from knowledge.validity import describe_validity, validity_of

FORM = "eligibility_form"
MEASURE_SLOT = "eligibility_measure"
FACTS_SLOT = "eligibility_facts"
PENDING_SLOT = "eligibility_pending"
ANSWER_SLOT = "eligibility_answer"
REQUESTED_SLOT = "requested_slot"
_FORM_STEPS = frozenset({FORM, "action_listen", "action_extract_slots", "validate_eligibility_form"})
# Intents that mean "not an answer to your question" when the text does not parse.
# out_of_scope is not one: mid-form, an unparsed off-topic-looking text ("明天吧") is far
# more often a bad answer, which deserves the hint rather than a refusal.
DIGRESSIONS = frozenset({"stop", "ask_question", "ask_department", "ask_department_measures",
                         "ask_measure", "ask_validity", "ask_how_to_apply",
                         "greet", "goodbye", "thanks", "bot_challenge"})
DIGRESSION_MIN_CONFIDENCE = 0.5
# A long message NLU is unsure about is a free question (Rasa's nlu_fallback -> retrieval).
FALLBACK_QUESTION_MIN_CHARS = 8
OUTCOME_TEXT = {Outcome.MET: "符合", Outcome.NOT_MET: "不符合", Outcome.UNKNOWN: "待确认"}


def _since_user_message(ctx: Context) -> list[dict[str, Any]]:
    """Tracker events after the latest user message, oldest first."""
    events = ctx.call.tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[last_user + 1:]


def _just_activated(ctx: Context) -> bool:
    """Rasa activated the form on this very message: an active_loop event for it follows
    the latest user message. Slots left by an earlier, abandoned check are then stale."""
    return any(e.get("event") == "active_loop" and e.get("name") == FORM
               for e in _since_user_message(ctx))


def _back_from_digression(ctx: Context) -> bool:
    """Another action ran since the user's message (the form was rejected, a rule answered
    the question): the message was not an answer, so the pending fact is asked again."""
    return any(e.get("event") == "action" and e.get("name") not in _FORM_STEPS
               for e in _since_user_message(ctx))


def _rule(ctx: Context, fresh: bool) -> Rule | None:
    """The measure to check: slot (unless starting afresh), then 第N条 in the message.
    Then, for a short message ("我们符合吗"), the current measure before the search hits;
    for a longer one, which names its own topic ("我能申请贷款延期还本付息吗?" right after
    a question about trade fairs), the search hits first. A measure a later document
    replaced is checked by the rule of the measure that replaced it, if it has one."""
    rules = ctx.services.rules
    catalog = ctx.services.catalog
    for measure in _candidates(ctx, fresh):
        successor = catalog.successor(measure) if measure.superseded_by is not None else None
        for m in (successor, measure):
            rule = rules.rule(m.doc_id, m.number) if m is not None else None
            if rule is not None:
                return rule
    return None


def _candidates(ctx: Context, fresh: bool) -> Iterator[Measure]:
    """Measures in order of preference, lazily: inside a running check the slot decides,
    and the answer ("小微企业") is not searched at all."""
    if not fresh and ctx.slot(MEASURE_SLOT):
        yield from ctx.measures([ctx.slot(MEASURE_SLOT)])
    yield from named_measures(ctx.text, ctx.services.catalog)[0]

    def searched() -> Iterator[Measure]:
        yield from (r.measure for r in ctx.services.index.search(ctx.text, k=3) if r.answerable)

    if len(ctx.text) <= FOLLOW_UP_MAX_CHARS:
        yield from ctx.measures(ctx.current_measures)
        yield from searched()
    else:
        yield from searched()
        yield from ctx.measures(ctx.current_measures)


def _stated_facts(text: str, needed: list[Fact]) -> dict[str, Any]:
    """Facts a message states in passing ("我们在册35人", "年出口250万美元")."""
    found: dict[str, Any] = {}
    for fact in needed:
        try:
            reader: Callable[[str], str | None] | None = {
                "number": stated_amount_usd_10k if fact.unit == "万美元" else None,
                "integer": stated_headcount, "date": stated_date}.get(fact.type)
            if reader is not None and (mention := reader(text)) is not None:
                found[fact.name] = fact.parse(mention)
            elif fact.type == "choice":
                hits = [c for c in fact.choices if c != "其他" and c in text]
                if len(hits) == 1:
                    found[fact.name] = hits[0]
            elif fact.type == "boolean" and (said := fact.stated_in(text)) is not None:
                found[fact.name] = said
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


def _ask(fact: Fact, rule: Rule, measure: Measure, first: bool, again: bool = False) -> Reply:
    prefix = f"我来按{measure.citation}({rule.summary})帮您核对条件。" if first else ""
    if again:
        prefix = f"我们继续核对{measure.citation}的条件。"
    buttons: list[dict[str, str]] = []
    if fact.type == "choice":
        buttons = [{"title": c, "payload": c} for c in fact.choices]
    elif fact.type == "boolean":
        buttons = [{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]
    return Reply(prefix + fact.question, {**cited([measure]), "asking": fact.name}, buttons)


def verdict_reply(verdict: Verdict, ctx: Context) -> Reply:
    rule = verdict.rule
    measure = ctx.services.catalog.measure(rule.number, rule.doc_id)
    head = {Outcome.MET: "根据您提供的情况,符合", Outcome.NOT_MET: "根据您提供的情况,不符合",
            Outcome.UNKNOWN: "目前还无法确定是否符合"}[verdict.outcome]
    validity = validity_of(measure)
    lines = [f"{head}{measure.citation}({rule.summary})的条件:"]
    if not validity.in_force and validity.end_date:
        lines.insert(0, f"请注意:{measure.citation}已于{zh_date(validity.end_date)}到期,"
                        f"目前无法再按该条申请,以下仅供对照。")
    for r in verdict.results:
        lines.append(f"- {r.condition.text}:{OUTCOME_TEXT[r.outcome]}")
    if verdict.benefits:
        lines.append("可享受:" + ";".join(verdict.benefits))
    lines.append(describe_validity(validity))
    lines.append(f"具体办理请联系:{departments_text(measure)}。")
    return Reply("\n".join(lines), {
        **cited([measure]),
        "departments": measure.departments,
        "validity": [measure_payload(measure)],
        "verdict": {"outcome": verdict.outcome.value, "benefits": verdict.benefits,
                    "conditions": [{"id": r.condition.id, "text": r.condition.text,
                                    "outcome": r.outcome.value} for r in verdict.results]},
    })


def _is_digression(ctx: Context) -> bool:
    """The message is something other than an answer: a recognised other intent."""
    intent = ctx.intent
    if intent is None:
        return False
    if intent[0] == "nlu_fallback":
        return len(ctx.text) >= FALLBACK_QUESTION_MIN_CHARS
    return intent[0] in DIGRESSIONS and intent[1] >= DIGRESSION_MIN_CONFIDENCE


def _asking(fact: Fact) -> list[dict[str, Any]]:
    return [slot_event(PENDING_SLOT, fact.name), slot_event(ANSWER_SLOT, None),
            slot_event(REQUESTED_SLOT, ANSWER_SLOT)]


def _closing() -> list[dict[str, Any]]:
    """Events that end the form and forget its state, so the next check starts afresh."""
    return [slot_event(PENDING_SLOT, None), slot_event(MEASURE_SLOT, None),
            slot_event(FACTS_SLOT, None), slot_event(ANSWER_SLOT, None),
            slot_event(REQUESTED_SLOT, None), active_loop_event(None)]


def eligibility_step(ctx: Context) -> ActionResult:
    first = _just_activated(ctx) or not ctx.slot(MEASURE_SLOT)
    rule = _rule(ctx, first)
    if rule is None:
        return ActionResult([Reply("抱歉,没有找到可以核对条件的措施。请说明您想申请的政策,"
                                   "例如“我能申请贷款延期还本付息吗?”", nothing_cited())], _closing())
    measure = ctx.services.catalog.measure(rule.number, rule.doc_id)
    known = ctx.services.rules.facts
    needed = [known[name] for name in rule.facts]
    facts = {} if first else _restore(ctx.slot(FACTS_SLOT), known)
    pending = ctx.slot(PENDING_SLOT)
    text = ctx.text
    if pending in known and not first:
        answer = ctx.slot(ANSWER_SLOT)
        if answer is None or _back_from_digression(ctx):
            return ActionResult([_ask(known[pending], rule, measure, first=False, again=True)],
                                _asking(known[pending]))
        text = str(answer)
        try:
            facts[pending] = known[pending].parse(text)
        except FactInvalid as exc:
            if _is_digression(ctx):
                raise ActionRejected(ctx.call.next_action,
                                     f"'{text}' is not an answer to {pending}") from exc
            ask = _ask(known[pending], rule, measure, first=False)
            ask.text = f"没能识别您的回答。{exc.hint}。\n{ask.text}"
            return ActionResult([ask], _asking(known[pending]))
    facts.update({k: v for k, v in _stated_facts(text, needed).items() if k not in facts})
    verdict = evaluate(rule, facts)
    ref = ctx.services.catalog.ref(measure)
    events = [slot_event(MEASURE_SLOT, ref), slot_event(FACTS_SLOT, _serialise(facts)),
              slot_event(CURRENT_MEASURES, [ref])]
    missing = [f for f in needed if f.name not in facts]
    if verdict.outcome is Outcome.NOT_MET or not missing:
        return ActionResult([verdict_reply(verdict, ctx)], events + _closing())
    return ActionResult([_ask(missing[0], rule, measure, first)], events + _asking(missing[0]))


def reset_eligibility(ctx: Context) -> ActionResult:
    """After the user leaves the form ("算了"): forget its state and say what is possible."""
    return ActionResult([Reply("好的,已停止条件核对。您可以继续提问,例如某项补贴怎么申请、"
                               "某个部门负责哪些措施,或输入“第44条”查看原文。", nothing_cited())],
                        _closing())


ELIGIBILITY_ACTIONS: dict[str, Action] = {
    "validate_eligibility_form": eligibility_step,
    "action_reset_eligibility": reset_eligibility,
}
