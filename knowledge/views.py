"""The JSON shape of a measure shared by the CLI and the REST API (DESIGN.md contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from knowledge.models import Measure
from knowledge.validity import describe_validity, validity_of


def measure_view(measure: Measure, on: dt.date | None = None) -> dict[str, Any]:
    validity = validity_of(measure, on)
    return {
        "doc_id": measure.doc_id,
        "number": measure.number,
        "citation": measure.citation,
        "chapter": {"number": measure.chapter.number, "title": measure.chapter.title},
        "section": {"number": measure.section.number, "title": measure.section.title},
        "text": measure.text,
        "departments": measure.departments,
        "departments_note": measure.departments_note,
        "dates": [d.model_dump(mode="json") for d in measure.dates],
        "amounts": [a.model_dump(mode="json") for a in measure.amounts],
        "validity": {**validity.model_dump(mode="json"), "in_force": validity.in_force,
                     "summary": describe_validity(validity)},
    }
