"""Chinese answer texts and their structured payloads. Every claim comes from a Measure.

Answers quote measure text (shortened at sentence boundaries, never reworded), cite
第N条 (《简称》第N条 when several documents are loaded: Measure.citation), name the
departments and say whether the measure is in force today. The payload's `citations`
(numbers) is kept for older readers; `sources` says which document each one is from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api.phrases import ZH, say, validity_sentence
from index.hybrid import SearchResult
from knowledge.models import Measure
from knowledge.sentences import sentences
from knowledge.validity import describe_validity, validity_of

QUOTE_LIMIT = 120
CLOSE_SCORE_RATIO = 0.6
NO_ANSWER = say(ZH, "no_answer")
HEADLINE_LIMIT = 30


@dataclass
class Reply:
    text: str
    custom: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)

    def to_rasa(self) -> dict[str, Any]:
        message: dict[str, Any] = {"text": self.text}
        if self.custom:
            message["custom"] = self.custom
        if self.buttons:
            message["buttons"] = self.buttons
        return message


def quote(text: str, limit: int = QUOTE_LIMIT, terms: list[str] | None = None) -> str:
    """Whole sentences up to the limit, from the one that says most of what was asked
    (terms: the question's words found in the text; none: from the start); a cut is
    marked with "……", words are never changed. A sentence longer than the limit is cut
    down to its clauses around the one that says most."""
    if len(text) <= limit:
        return text
    parts = sentences(text)
    start = _best(parts, terms)
    if len(parts[start]) > limit:
        clauses = [c for c in re.split(r"(?<=[,,、])", parts[start]) if c]
        first = _best(clauses, terms)
        return ("……" if start or first else "") + _window(clauses, first, limit)
    return ("……" if start else "") + _window(parts, start, limit)


def _best(parts: list[str], terms: list[str] | None) -> int:
    """The first part with the most of the terms (0 without terms)."""
    hits = [sum(t in p for t in terms or []) for p in parts]
    return hits.index(max(hits)) if hits else 0


def _window(parts: list[str], start: int, limit: int) -> str:
    """Parts from `start` while they fit the limit (at least one, cut if it alone does not)."""
    out = ""
    for part in parts[start:]:
        if out and len(out) + len(part) > limit:
            return out + "……"
        out += part
    if len(out) > limit:
        return out[:limit] + "……"
    return out


def cited(measures: list[Measure]) -> dict[str, Any]:
    """The machine-readable citations of a reply: numbers, and (doc_id, number) pairs."""
    return {"citations": [m.number for m in measures],
            "sources": [{"doc_id": m.doc_id, "measure": m.number, "citation": m.citation}
                        for m in measures]}


def nothing_cited(**extra: Any) -> dict[str, Any]:
    return {**cited([]), **extra}


def departments_text(measure: Measure) -> str:
    return "、".join(measure.departments) + measure.departments_note


def measure_payload(measure: Measure) -> dict[str, Any]:
    validity = validity_of(measure)
    return {"measure": measure.number, "doc_id": measure.doc_id, "citation": measure.citation,
            "departments": measure.departments, "in_force": validity.in_force,
            "validity": validity.model_dump(mode="json")}


def no_answer(lang: str = ZH) -> Reply:
    return Reply(say(lang, "no_answer"), nothing_cited(departments=[], validity=[], answerable=False))


def answer(results: list[SearchResult], lang: str = ZH) -> Reply:
    """Best measure quoted; up to two more when their scores are close; or a plain no."""
    if not results or not results[0].answerable:
        return no_answer(lang)
    best = results[0]
    extra = [r for r in results[1:3] if r.score >= best.score * CLOSE_SCORE_RATIO]
    return about(best.measure, [r.measure for r in extra], lang, best.terms, best.confidence)


def about(measure: Measure, also: list[Measure] | None = None, lang: str = ZH,
          terms: list[str] | None = None, confidence: float | None = None) -> Reply:
    """One measure quoted (the part that says most of the question's terms) with its
    departments and validity, and others worth a look. confidence: the search's, when a
    search chose the measure (`policybot report` reads it; a measure named by number or
    taken from the conversation has none)."""
    m = measure
    lines = [say(lang, "according_to", citation=m.citation, quote=quote(m.text, terms=terms)),
             say(lang, "departments", departments=departments_text(m)),
             validity_sentence(validity_of(m), lang)]
    for other in also or []:
        lines.append(say(lang, "also_see", citation=other.citation, quote=quote(other.text, 60),
                         departments=departments_text(other)))
    chosen = [m, *(also or [])]
    custom: dict[str, Any] = {
        **cited(chosen),
        "departments": sorted({d for c in chosen for d in c.departments}),
        "validity": [measure_payload(c) for c in chosen],
        "answerable": True,
    }
    if confidence is not None:
        custom["confidence"] = round(confidence, 3)  # read by `policybot report` (api/report.py)
    return Reply("\n".join(lines), custom)


def headline(measure: Measure, summary: str | None = None) -> str:
    """A measure in a few words: its rule's summary, else its opening clauses."""
    if summary:
        return summary
    out = ""
    for clause in re.split(r"(?<=[,,;;。])", measure.text):
        if out and len(out) + len(clause) > HEADLINE_LIMIT:
            break
        out += clause
    out = re.sub(r"[,,;;。]+$", "", out)
    return out if len(out) <= HEADLINE_LIMIT else out[:HEADLINE_LIMIT] + "……"


def overview(measures: list[tuple[Measure, str | None]], lang: str = ZH) -> Reply:
    """Several measures for a broad question, grouped by section in order of relevance,
    one line each, and an offer to go into one."""
    groups: dict[str, list[tuple[Measure, str | None]]] = {}
    for measure, summary in measures:
        heading = f"({measure.section.numeral}){measure.section.title}"
        groups.setdefault(heading, []).append((measure, summary))
    lines = [say(lang, "overview_head", count=len(measures))]
    for heading, items in groups.items():
        lines.append(heading)
        lines += [f"- {m.citation}:{headline(m, summary)}" for m, summary in items]
    lines.append(say(lang, "overview_tail", example=measures[0][0].citation))
    chosen = [m for m, _ in measures]
    return Reply("\n".join(lines), {
        **cited(chosen),
        "departments": sorted({d for m in chosen for d in m.departments}),
        "overview": [{"measure": m.number, "doc_id": m.doc_id, "section": m.section.title}
                     for m in chosen],
        "answerable": True,
    })


def department_answer(measures: list[Measure], lang: str = ZH) -> Reply:
    lines = [say(lang, "handled_by", citation=m.citation, departments=departments_text(m))
             for m in measures]
    return Reply("\n".join(lines), {
        **cited(measures),
        "departments": list(dict.fromkeys(d for m in measures for d in m.departments)),
        "validity": [measure_payload(m) for m in measures],
    })


def department_measures(name: str, measures: list[Measure]) -> Reply:
    if not measures:
        return Reply(f"现有政策文件中没有由{name}负责的措施。", nothing_cited(department=name))
    items = [f"{m.citation}:{quote(m.text, 40)}" for m in measures]
    return Reply(f"{name}负责以下{len(measures)}条措施:\n" + "\n".join(items),
                 {"department": name, **cited(measures), "departments": [name]})


def full_measure(measure: Measure) -> Reply:
    validity = validity_of(measure)
    text = (f"{measure.citation}({measure.chapter.numeral}、{measure.chapter.title} / "
            f"({measure.section.numeral}){measure.section.title}):\n{measure.text}\n"
            f"责任单位:{departments_text(measure)}。\n{describe_validity(validity)}")
    return _about(measure, text)


def superseded_measure(measure: Measure, successor: Measure | None) -> Reply:
    """A measure a later document replaced: said first, then its text for reference and
    what is in force instead (the replacing measure, or the replacing document)."""
    replaced = measure.superseded_by
    assert replaced is not None
    now = successor.citation if successor is not None else replaced.citation
    lines = [f"{measure.citation}已被{now}取代,现行规定请以{now}为准。",
             f"{measure.citation}原文({measure.chapter.numeral}、{measure.chapter.title}):"
             f"{measure.text}"]
    if successor is not None:
        lines += [f"现行的{successor.citation}:“{quote(successor.text)}”",
                  f"责任单位:{departments_text(successor)}。",
                  describe_validity(validity_of(successor))]
    shown = [measure, successor] if successor is not None else [measure]
    return Reply("\n".join(lines), {
        **cited(shown),
        "departments": list(dict.fromkeys(d for m in shown for d in m.departments)),
        "validity": [measure_payload(m) for m in shown]})


def _about(measure: Measure, text: str) -> Reply:
    """A reply about one measure, with its structured payload."""
    return Reply(text, {**cited([measure]), "departments": measure.departments,
                        "validity": [measure_payload(measure)]})


def how_to_apply(measure: Measure, lang: str = ZH) -> Reply:
    """The document states what is granted, rarely how to apply: say so and point to the
    responsible departments instead of inventing a procedure."""
    text = say(lang, "how_to_apply", citation=measure.citation, departments=departments_text(measure),
               quote=quote(measure.text), validity=validity_sentence(validity_of(measure), lang))
    return _about(measure, text)


def validity_answer(measures: list[Measure], lang: str = ZH) -> Reply:
    lines = [say(lang, "validity_of", citation=m.citation,
                 sentence=validity_sentence(validity_of(m), lang)) for m in measures]
    return Reply("\n".join(lines), {**cited(measures),
                                    "validity": [measure_payload(m) for m in measures]})
