"""Chinese answer texts and their structured payloads. Every claim comes from a Measure.

Answers quote measure text (shortened at sentence boundaries, never reworded), cite
第N条 (《简称》第N条 when several documents are loaded: Measure.citation), name the
departments and say whether the measure is in force today. The payload's `citations`
(numbers) is kept for older readers; `sources` says which document each one is from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index.hybrid import SearchResult
from knowledge.models import Measure
from knowledge.sentences import sentences
from knowledge.validity import describe_validity, validity_of

QUOTE_LIMIT = 120
CLOSE_SCORE_RATIO = 0.6
NO_ANSWER = ("抱歉,现有政策文件中没有找到与您的问题相关的措施。"
             "您可以换一种说法,说明具体事项(如补贴、贷款、税费、展会、用工),"
             "或直接输入措施编号(如“第50条”)查看原文。")


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


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Whole sentences up to the limit; a cut is marked with "……", words are never changed."""
    if len(text) <= limit:
        return text
    out = ""
    for sentence in sentences(text):
        if out and len(out) + len(sentence) > limit:
            return out + "……"
        out += sentence
        if len(out) > limit:
            break
    return out if len(out) <= limit else out[:limit] + "……"


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


def answer(results: list[SearchResult]) -> Reply:
    """Best measure quoted; up to two more when their scores are close; or a plain no."""
    if not results or not results[0].answerable:
        return Reply(NO_ANSWER, nothing_cited(departments=[], validity=[], answerable=False))
    best = results[0]
    extra = [r for r in results[1:3] if r.score >= best.score * CLOSE_SCORE_RATIO]
    m = best.measure
    lines = [f"根据{m.citation}:“{quote(m.text)}”",
             f"责任单位:{departments_text(m)}。",
             describe_validity(validity_of(m))]
    for r in extra:
        lines.append(f"另可参考{r.measure.citation}:“{quote(r.measure.text, 60)}”"
                     f"(责任单位:{departments_text(r.measure)})")
    chosen = [best, *extra]
    return Reply("\n".join(lines), {
        **cited([r.measure for r in chosen]),
        "departments": sorted({d for r in chosen for d in r.measure.departments}),
        "validity": [measure_payload(r.measure) for r in chosen],
        "answerable": True,
        "confidence": round(best.confidence, 3),  # read by `policybot report` (api/report.py)
    })


def department_answer(measures: list[Measure]) -> Reply:
    lines = [f"{m.citation}由{departments_text(m)}负责。" for m in measures]
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


def how_to_apply(measure: Measure) -> Reply:
    """The document states what is granted, rarely how to apply: say so and point to the
    responsible departments instead of inventing a procedure."""
    validity = validity_of(measure)
    text = (f"{measure.citation}原文没有写明具体的申请流程和所需材料,"
            f"请直接联系责任单位{departments_text(measure)}咨询办理。\n"
            f"原文:“{quote(measure.text)}”\n{describe_validity(validity)}")
    return _about(measure, text)
