"""The eligibility form: one answer at a time, for the check an answer started.

A check starts with the answer to a question (api/actions/questions.py: answer first,
then the first open question, with Rasa's form activated). The form has one required
slot, eligibility_answer, filled from the user's text; which fact that text answers is
decided here, so the questions can depend on the measure. State lives in more slots:
eligibility_measure (the measure checked), eligibility_facts (the conversation's facts)
and eligibility_pending (the fact just asked).

Each call reads the answer to the pending fact (and any other fact the message states),
then ends with the verdict (all known, or one condition already fails) or asks the next
open question (setting requested_slot, so Rasa waits for it and asks nothing itself).
When the text is no answer:

- a message NLU recognises as something else (another question, "算了") is rejected
  (HTTP 400): Rasa's rules answer it, and the form runs again afterwards, quietly if that
  answer started another check, closing if it ended this one, else asking again;
- a plain question NLU took for an answer ("展会补贴呢?" as inform) is answered here;
- a message that states other facts of the check is taken and the question asked again;
- anything else gets the question again with a hint of what to type.
"""

from __future__ import annotations

from typing import Any

from api import compose, compose_check
from api.actions.base import Action, ActionResult, Context
from api.actions.checks import (
    ANSWER_SLOT,
    MEASURE_SLOT,
    PENDING_SLOT,
    REQUESTED_SLOT,
    assess,
    ended_events,
    rule_of,
    state_events,
)
from api.actions.facts import known_facts, stated_now
from api.actions.questions import respond
from api.compose import Reply
from api.phrases import say
from api.protocol import ActionRejected, active_loop_event, slot_event
from knowledge.dialogue_cues import after_stop
from knowledge.entities import find_measure_numbers
from knowledge.facts import FactInvalid, looks_like_question

_FORM_STEPS = frozenset({"eligibility_form", "action_listen", "action_extract_slots",
                         "validate_eligibility_form"})
# Intents that mean "not an answer to your question" when the text does not parse; Rasa
# has a rule for each that answers it and returns to the form. out_of_scope is not one:
# mid-form, an unparsed off-topic-looking text ("明天吧") is far more often a bad answer.
DIGRESSIONS = frozenset({"stop", "ask_question", "check_eligibility", "ask_department",
                         "ask_department_measures", "ask_measure", "ask_validity",
                         "ask_how_to_apply", "greet", "goodbye", "thanks", "bot_challenge"})
DIGRESSION_MIN_CONFIDENCE = 0.5
# A long message NLU is unsure about is a free question (Rasa's nlu_fallback -> retrieval).
FALLBACK_QUESTION_MIN_CHARS = 8


def _back_from_digression(ctx: Context) -> bool:
    """Another action ran since the user's message (the form was rejected, a rule answered
    the message): the message was not an answer."""
    return any(e.get("event") == "action" and e.get("name") not in _FORM_STEPS
               for e in ctx.since_user_message())


def _asked_this_turn(ctx: Context) -> bool:
    return any("asking" in said for said in ctx.said_this_turn())


def _waiting() -> list[dict[str, Any]]:
    """Keep waiting for the answer to the question already asked."""
    return [slot_event(ANSWER_SLOT, None), slot_event(REQUESTED_SLOT, ANSWER_SLOT)]


def _closing() -> list[dict[str, Any]]:
    return [*ended_events(), active_loop_event(None)]


def _is_digression(ctx: Context) -> bool:
    """The message is something other than an answer, as NLU recognised it."""
    intent = ctx.intent
    if intent is None:
        return False
    if intent[0] == "nlu_fallback":
        return len(ctx.text) >= FALLBACK_QUESTION_MIN_CHARS
    return intent[0] in DIGRESSIONS and intent[1] >= DIGRESSION_MIN_CONFIDENCE


def eligibility_step(ctx: Context) -> ActionResult:
    if _asked_this_turn(ctx):
        return ActionResult([], _waiting())
    measure_ref = ctx.slot(MEASURE_SLOT)
    measures = ctx.measures([measure_ref]) if measure_ref else []
    found = rule_of(ctx, measures[0]) if measures else None
    pending = ctx.slot(PENDING_SLOT)
    known = ctx.services.rules.facts
    if found is None or pending not in known:
        # The check ended this turn (a verdict, "算了"), or its measure is gone.
        return ActionResult([], _closing())
    rule, measure = found
    lang = ctx.language
    fact = known[pending]
    if _back_from_digression(ctx):
        if after_stop(ctx.text) is not None:  # "换个问题,展会补贴怎么申请?": answered; done
            return ActionResult([], _closing())
        return ActionResult([compose_check.ask(fact, measure, lang, again=True)], _waiting())
    text = str(ctx.slot(ANSWER_SLOT) or ctx.text)
    if find_measure_numbers(text):  # "第44条" asks for a measure; it is not "44 (万美元)"
        return _answered_inline(ctx, text, measure, fact)
    facts = known_facts(ctx, rule)
    try:
        facts[pending] = fact.parse(text)
    except FactInvalid as exc:
        if _is_digression(ctx):
            raise ActionRejected(ctx.call.next_action, f"'{text}' is not an answer to {pending}") from exc
        if after_stop(text) is not None or looks_like_question(text):
            return _answered_inline(ctx, text, measure, fact)
        if not set(stated_now(ctx, rule, text)) - {pending}:
            hint = compose_check.ask(fact, measure, lang, hint=exc.hint)
            return ActionResult([hint], _waiting())
    assessment = assess(ctx, rule, measure, facts)
    events = state_events(ctx, assessment)
    if assessment.complete:
        verdict = compose_check.verdict_reply(rule, measure, assessment.verdict, lang)
        return ActionResult([verdict], [*events, active_loop_event(None)])
    asking = assessment.asking
    assert asking is not None
    noted = asking.name == pending  # other facts were taken, the question stays open
    reply = compose_check.ask(asking, measure, lang, noted=noted, benefits=assessment.verdict.benefits)
    return ActionResult([reply], events)


def _answered_inline(ctx: Context, text: str, measure: Any, fact: Any) -> ActionResult:
    """A plain question (or "算了, …") NLU took for an answer: answered here. The check
    goes on, or ends ("算了"), or is replaced by the one the question started."""
    rest = after_stop(text)
    if rest is not None:
        if not rest:
            return ActionResult([Reply(say(ctx.language, "stopped"), compose.nothing_cited())],
                                _closing())
        answered = respond(ctx, rest)
        loop = [] if answered.asking else [active_loop_event(None)]
        return ActionResult(answered.replies, [*ended_events(), *answered.events, *loop])
    answered = respond(ctx, text, checking=measure)
    if answered.checked:
        loop = [] if answered.asking else [active_loop_event(None)]
        return ActionResult(answered.replies, [*answered.events, *loop])
    again = compose_check.ask(fact, measure, ctx.language, again=True)
    return ActionResult([*answered.replies, again], [*answered.events, *_waiting()])


def reset_eligibility(ctx: Context) -> ActionResult:
    """"算了": forget the check (not the facts), and answer whatever follows it in the
    same message ("算了,展会补贴能申请吗?"), which may start another check."""
    rest = after_stop(ctx.text)
    lang = ctx.language
    if rest:
        answered = respond(ctx, rest)
        events = [*ended_events(), *answered.events]
        if answered.asking:
            events.append(active_loop_event("eligibility_form"))
        return ActionResult(answered.replies, events)
    key = "stopped" if ctx.slot(MEASURE_SLOT) or ctx.slot(PENDING_SLOT) else "stop"
    return ActionResult([Reply(say(lang, key), compose.nothing_cited())], ended_events())


ELIGIBILITY_ACTIONS: dict[str, Action] = {
    "validate_eligibility_form": eligibility_step,
    "action_reset_eligibility": reset_eligibility,
}
