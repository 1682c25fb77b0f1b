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
from knowledge.models import DocumentInfo, Heading, Measure
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


def document_view(info: DocumentInfo) -> dict[str, Any]:
    """A document's identity as JSON: {"doc_id", "title", "short_name", "issuer", "issue_date"}."""
    return {"doc_id": info.doc_id, "title": info.title, "short_name": info.name,
            "issuer": info.issuer, "issue_date": info.issue_date.isoformat()}


def measure_view(measure: Measure, on: dt.date | None = None,
                 document: DocumentInfo | None = None) -> dict[str, Any]:
    """The measure's JSON; with its document's identity under "document" when given.
    "citation" names the document when several are loaded (《简称》第44条), and
    "superseded_by" (also in "validity") says what replaced the measure, if anything."""
    validity = validity_of(measure, on)
    view = {
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
        "superseded_by": (measure.superseded_by.model_dump(mode="json")
                          if measure.superseded_by else None),
    }
    if document is not None:
        view["document"] = document_view(document)
    return view
