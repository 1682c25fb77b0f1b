"""Replies of an eligibility check: where each condition stands, the next question, the
verdict with the benefit that follows. Conditions and benefits are quoted from the rule
data (Chinese, as the documents word them); the sentences around them follow the
question's language (api/phrases.py)."""

from __future__ import annotations

from typing import Any

from api.compose import Reply, cited, departments_text, measure_payload
from api.phrases import EN, ZH, date_text, say, validity_sentence
from knowledge.eligibility import Outcome, Rule, Verdict
from knowledge.facts import Fact
from knowledge.models import Measure
from knowledge.validity import validity_of


def buttons(fact: Fact, lang: str = ZH) -> list[dict[str, str]]:
    """Quick replies: the choices, or yes/no (payloads the fact's parser reads)."""
    if fact.type == "choice":
        return [{"title": c, "payload": c} for c in fact.choices]
    if fact.type == "boolean":
        return [{"title": say(lang, "yes"), "payload": "是"}, {"title": say(lang, "no"), "payload": "否"}]
    return []


def question(fact: Fact, lang: str = ZH) -> str:
    return fact.question_en if lang == EN and fact.question_en else fact.question


def _lines(verdict: Verdict, lang: str) -> list[str]:
    return [f"- {r.condition.text}:{say(lang, r.outcome.value)}" for r in verdict.results]


def verdict_payload(verdict: Verdict) -> dict[str, Any]:
    return {"outcome": verdict.outcome.value, "benefits": verdict.benefits,
            "conditions": [{"id": r.condition.id, "text": r.condition.text,
                            "outcome": r.outcome.value} for r in verdict.results]}


def _names(rule: Rule, measure: Measure) -> dict[str, str]:
    return {"citation": measure.citation, "summary": rule.summary}


def assessment(rule: Rule, measure: Measure, verdict: Verdict, asking: Fact | None,
               lang: str = ZH, *, explicit: bool = False, known: bool = True) -> Reply:
    """Where the conditions stand after an answer (or at the start of an explicit check),
    and the first question still open; with nothing open, the verdict."""
    names = _names(rule, measure)
    if asking is None:
        return verdict_reply(rule, measure, verdict, lang, full=explicit)
    lines = [say(lang, "check_intro", **names)] if explicit else []
    lines.append(say(lang, "conditions_known" if known else "conditions_head", **names))
    lines += _lines(verdict, lang)
    if verdict.benefits:
        lines.append(say(lang, "benefits", benefits=";".join(verdict.benefits)))
    lines.append(say(lang, "ask_next" if known else "ask_first", question=question(asking, lang)))
    return Reply("\n".join(lines), {**cited([measure]), "asking": asking.name,
                                    "assessment": verdict_payload(verdict)}, buttons(asking, lang))


def ask(fact: Fact, measure: Measure, lang: str = ZH, *, again: bool = False,
        hint: str | None = None, noted: bool = False, benefits: list[str] | None = None) -> Reply:
    """The next question of a running check (again: after a side question; hint: after
    an answer that did not parse; noted: after an answer that gave other facts), after
    the benefit the answers so far already decide ("年出口300万美元以下…全额补贴")."""
    text = question(fact, lang)
    if again:
        text = say(lang, "ask_again", citation=measure.citation, question=text)
    elif hint is not None:
        text = say(lang, "ask_hint", hint=hint, question=text)
    elif noted:
        text = say(lang, "noted", question=text)
    elif benefits:
        text = say(lang, "benefits", benefits=";".join(benefits)) + "\n" + \
            say(lang, "ask_next", question=text)
    return Reply(text, {**cited([measure]), "asking": fact.name}, buttons(fact, lang))


def verdict_reply(rule: Rule, measure: Measure, verdict: Verdict, lang: str = ZH, *,
                  full: bool = True) -> Reply:
    """The verdict: each condition, the benefit that follows; full adds what an answer
    given just before would already have said (validity, departments)."""
    names = _names(rule, measure)
    head = {Outcome.MET: "verdict_met", Outcome.NOT_MET: "verdict_not_met",
            Outcome.UNKNOWN: "verdict_unknown"}[verdict.outcome]
    validity = validity_of(measure)
    lines = [say(lang, head, **names), *_lines(verdict, lang)]
    if verdict.benefits:
        lines.append(say(lang, "benefits", benefits=";".join(verdict.benefits)))
    if full:
        if not validity.in_force and validity.end_date:
            lines.insert(0, say(lang, "expired_note", citation=measure.citation,
                                date=date_text(validity.end_date, lang)))
        lines.append(validity_sentence(validity, lang))
        lines.append(say(lang, "contact", departments=departments_text(measure)))
    return Reply("\n".join(lines), {
        **cited([measure]),
        "departments": measure.departments,
        "validity": [measure_payload(measure)],
        "verdict": verdict_payload(verdict),
    })


def no_conditions(measure: Measure, lang: str = ZH) -> Reply:
    return Reply(say(lang, "no_conditions", citation=measure.citation,
                     departments=departments_text(measure)),
                 {**cited([measure]), "departments": measure.departments})
