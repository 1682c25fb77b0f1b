"""The JSON shape of a measure shared by the CLI, the REST API, the console and the pages.

The shape is a contract (DESIGN.md): keys are only ever added. Besides the facts it
carries the Chinese wording a reader sees (chapter and section headings with their
numerals, the validity badge), so the console's JavaScript and the server-rendered
pages display the same words without recomputing numerals or dates themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from knowledge.formatting import zh_numeral
from knowledge.models import Heading, Measure
from knowledge.validity import describe_validity, validity_badge, validity_of


def chapter_view(chapter: Heading) -> dict[str, Any]:
    """{"number": 5, "title": …, "numeral": "五", "heading": "五、着力稳定外资外贸"}."""
    numeral = zh_numeral(chapter.number)
    return {"number": chapter.number, "title": chapter.title, "numeral": numeral,
            "heading": f"{numeral}、{chapter.title}"}


def section_view(section: Heading) -> dict[str, Any]:
    """{"number": 15, "title": …, "numeral": "十五", "heading": "(十五)稳定对外贸易"}."""
    numeral = zh_numeral(section.number)
    return {"number": section.number, "title": section.title, "numeral": numeral,
            "heading": f"({numeral}){section.title}"}


def measure_view(measure: Measure, on: dt.date | None = None) -> dict[str, Any]:
    validity = validity_of(measure, on)
    return {
        "doc_id": measure.doc_id,
        "number": measure.number,
        "citation": measure.citation,
        "chapter": chapter_view(measure.chapter),
        "section": section_view(measure.section),
        "text": measure.text,
        "departments": measure.departments,
        "departments_note": measure.departments_note,
        "dates": [d.model_dump(mode="json") for d in measure.dates],
        "amounts": [a.model_dump(mode="json") for a in measure.amounts],
        "validity": {**validity.model_dump(mode="json"), "in_force": validity.in_force,
                     "summary": describe_validity(validity), "badge": validity_badge(validity)},
    }
