"""Policy questions, answered first.

Whether NLU labels a message ask_question or check_eligibility, it comes here, so the
label never decides whether the user gets an answer: the measure the question is about
is quoted (departments, validity), and when the measure has eligibility rules the reply
goes on with where its conditions stand given what the conversation has said, then asks
the first open question (the form takes the answers from there). An explicit request to
check ("我符合吗?", "帮我核对一下条件") skips the quote and goes straight to the check.

A broad question ("外贸企业都有哪些扶持?") gets an overview of the relevant measures,
grouped by section; a short follow-up ("展会那条呢?") then picks from that list.
Inside a running check, a question about another measure with rules replaces the check,
"算了,…" ends it and answers what follows, anything else is a side question: answered,
and the form asks its question again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api import compose, compose_check
from api.actions.base import (
    FOLLOW_UP_MAX_CHARS,
    FORM,
    OFFERED_MEASURES,
    Action,
    ActionResult,
    Context,
)
from api.actions.checks import MEASURE_SLOT, assess, ended_events, rule_of, state_events
from api.actions.facts import known_facts, stated_now
from api.actions.lookup import current_event, listed_item, named, names_a_topic, search
from api.actions.matching import match_reply
from api.compose import Reply
from api.phrases import say
from api.protocol import active_loop_event, slot_event
from index.hybrid import SearchResult
from index.keywords import content_words, covers, names_heading, touches
from knowledge.dialogue_cues import after_stop, asks_for_many, asks_to_check, picks_from_list
from knowledge.facts import looks_like_question, plain_yes_or_no
from knowledge.models import Measure
from knowledge.numerals import parse_chinese_number

OVERVIEW_SIZE = 8
# An overview lists the measures that mention the question's topic and score at least
# this share of the best of them; it is given only when at least OVERVIEW_MIN do (else
# the question has one answer, or none).
OVERVIEW_RATIO = 0.33
OVERVIEW_MIN = 3
PICK_MAX_CHARS = 16
# A message this short that is no question is keywords ("出口信用保险"): a measure that
# contains them all answers it, whatever the gate (tuned on questions) says.
KEYWORDS_MAX_CHARS = 10
_ORDINAL = re.compile(r"第([一二三四五六七八九十]|\d+)个")


@dataclass
class Answered:
    replies: list[Reply]
    events: list[dict[str, Any]] = field(default_factory=list)
    asking: bool = False  # a check is open and its first question was asked
    checked: bool = False  # a check of the measure was started (and maybe decided)


def _form_measure(ctx: Context) -> Measure | None:
    if not ctx.form_active or not ctx.slot(MEASURE_SLOT):
        return None
    found = ctx.measures([ctx.slot(MEASURE_SLOT)])
    return found[0] if found else None


def about_measure(ctx: Context, measure: Measure, *, explicit: bool,
                  also: list[Measure] | None = None, checking: Measure | None = None,
                  terms: list[str] | None = None, confidence: float | None = None) -> Answered:
    """The answer about one measure and, when it has rules, where its check stands.
    checking: the measure a running check is about (a question about it is answered
    without starting the check again); terms: the question's words in its text."""
    lang = ctx.language
    answer = compose.about(measure, also, lang, terms, confidence)
    found = rule_of(ctx, measure)
    if found is None:
        extra = [compose_check.no_conditions(measure, lang)] if explicit else []
        return Answered([answer, *extra], current_event(ctx, [measure]))
    rule, ruled = found
    if checking is not None and ruled == checking:
        return Answered([] if explicit else [answer], current_event(ctx, [measure]))
    assessment = assess(ctx, rule, ruled, known_facts(ctx, rule))
    check = compose_check.assessment(rule, ruled, assessment.verdict, assessment.asking, lang,
                                     explicit=explicit, known=assessment.anything_known)
    return Answered([check] if explicit else [answer, check], state_events(ctx, assessment),
                    asking=assessment.asking is not None, checked=True)


def picked(ctx: Context, text: str) -> Measure | None:
    """The item of the list just offered that a short follow-up names ("展会那条呢?",
    "第二个")."""
    offered = ctx.measures(list(ctx.slot(OFFERED_MEASURES) or []))
    if not offered or len(text) > PICK_MAX_CHARS or not picks_from_list(text):
        return None
    if m := _ORDINAL.search(text):
        token = m.group(1)
        position = int(token) if token.isdigit() else parse_chinese_number(token)
        if position is not None and 1 <= position <= len(offered):
            return offered[position - 1]
    positions = {i for i, m in enumerate(ctx.services.index.measures) if m in offered}
    results = search(ctx, text, k=1, allowed=positions)
    return results[0].measure if results and results[0].terms else None


def _content(ctx: Context, text: str) -> list[str]:
    return content_words(ctx.services.index.words(text))


def _overview(ctx: Context, text: str, results: list[SearchResult]) -> Answered | None:
    content = _content(ctx, text)
    touching = [r for r in results if touches(r.measure, content)]
    if len(touching) < OVERVIEW_MIN or touching[0].score <= 0:
        return None
    kept = [r.measure for r in touching if r.score >= touching[0].score * OVERVIEW_RATIO]
    # The gate was fitted on single questions and refuses many broad ones; a topic the
    # document has a heading for ("外贸": 着力稳定外资外贸) is enough without it.
    if len(kept) < OVERVIEW_MIN or not (results[0].answerable or
                                        any(names_heading(m, content) for m in kept)):
        return None
    sections = list(dict.fromkeys(m.section.title for m in kept))
    kept.sort(key=lambda m: sections.index(m.section.title))  # as listed: by section
    items = [(m, found[0].summary if (found := rule_of(ctx, m)) else None) for m in kept]
    refs = [ctx.services.catalog.ref(m) for m in kept]
    return Answered([compose.overview(items, ctx.language)],
                    [*current_event(ctx, kept[:1]), slot_event(OFFERED_MEASURES, refs)])


def _keywords_found(ctx: Context, text: str, best: SearchResult) -> bool:
    return len(text) <= KEYWORDS_MAX_CHARS and not looks_like_question(text) and \
        covers(best.measure, _content(ctx, text))


def _tells_facts_of(ctx: Context, measure: Measure, text: str) -> bool:
    """The message is no question and states a fact the measure's conditions need."""
    found = rule_of(ctx, measure)
    return found is not None and not looks_like_question(text) and bool(stated_now(ctx, found[0], text))


def respond(ctx: Context, text: str, checking: Measure | None = None) -> Answered:
    """The answer to a policy question (text: the message, or what follows "算了")."""
    explicit = asks_to_check(text)
    if (item := listed_item(ctx, text)) is not None:  # "第2个怎么申请?" after a matching list
        return about_measure(ctx, item, explicit=explicit, checking=checking)
    measures, _ = named(ctx, None if text == ctx.text else text)
    if measures:
        return about_measure(ctx, measures[0], explicit=explicit, checking=checking)
    if (chosen := picked(ctx, text)) is not None:
        return about_measure(ctx, chosen, explicit=explicit, checking=checking)
    if (matched := match_reply(ctx, text)) is not None:
        replies, events = matched  # a list replaces a running check: the question moved on
        return Answered(replies, (ended_events() if checking else []) + events)
    current = [checking] if checking else ctx.measures(ctx.current_measures)
    if current and _tells_facts_of(ctx, current[0], text):
        # "个人创业者" after the check of 第63条: a fact for the measure under discussion
        # (its words may name a topic, but there is no question to search for).
        return about_measure(ctx, current[0], explicit=True, checking=checking)
    if current and len(text) <= FOLLOW_UP_MAX_CHARS and (explicit or not names_a_topic(ctx, text)):
        # "我们符合吗?", "补多少?": about the measure under discussion.
        return about_measure(ctx, current[0], explicit=explicit, checking=checking)
    broad = asks_for_many(text) and not explicit
    results = search(ctx, text, k=OVERVIEW_SIZE if broad else 3)
    if broad and results and (overview := _overview(ctx, text, results)) is not None:
        return overview
    if not results or not (results[0].answerable or _keywords_found(ctx, text, results[0])):
        return Answered([compose.no_answer(ctx.language)])
    best = results[0]
    also = [r.measure for r in results[1:3] if r.score >= best.score * compose.CLOSE_SCORE_RATIO]
    return about_measure(ctx, best.measure, explicit=explicit, also=also, checking=checking,
                         terms=best.terms, confidence=best.confidence)


def answer_question(ctx: Context) -> ActionResult:
    """A policy question, in or out of a running check (see the module's docstring)."""
    text = ctx.text
    checking = _form_measure(ctx)
    if not ctx.form_active and plain_yes_or_no(text):  # "好的" with nothing to answer
        return ActionResult([Reply(say(ctx.language, "how_can_help"), compose.nothing_cited())])
    rest = after_stop(text)
    if rest is not None:
        checking = None
        if not rest:
            key = "stopped" if ctx.form_active else "stop"
            return ActionResult([Reply(say(ctx.language, key), compose.nothing_cited())],
                                ended_events())
        text = rest
    answered = respond(ctx, text, checking)
    events = answered.events
    if ctx.form_active:
        # The form runs next: it stays quiet when a new check asked, closes when the
        # check ended (measure slot emptied), and asks its question again otherwise.
        if rest is not None and not answered.asking:
            events = ended_events() + events
    elif answered.asking:
        events = [*events, active_loop_event(FORM)]
    return ActionResult(answered.replies, events)


QUESTION_ACTIONS: dict[str, Action] = {"action_answer_question": answer_question}
