"""Documents and measures a user's message names ("2023年文件第44条", "《简称》第3条").

With several documents loaded, 第44条 alone is resolved by the catalog (the newest
document that has one); a question that names its document gets that document's measure.
A document is named by its short name or title (with or without 《》, either width of
brackets), its id, or the year it was issued (knowledge/entities.py reads the year).
"""

from __future__ import annotations

import re

from knowledge.catalog import Catalog
from knowledge.entities import find_measure_numbers, stated_document_years
from knowledge.errors import MeasureNotFound
from knowledge.models import Document, Measure

_WIDE = str.maketrans({"（": "(", "）": ")", "《": "", "》": "", "〈": "", "〉": ""})


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_WIDE)).lower()


def named_documents(text: str, catalog: Catalog) -> list[Document]:
    """Documents the text names, newest first. Of two names where one contains the other
    ("稳经济措施" in "稳经济措施调整"), only the longer counts."""
    said = _plain(text)
    matched: dict[str, str] = {}
    for document in catalog.documents:
        info = document.info
        names = sorted({_plain(n) for n in (info.short_name, info.title, info.doc_id) if n},
                       key=len, reverse=True)
        hit = next((n for n in names if n in said), None)
        if hit is not None:
            matched[info.doc_id] = hit
    kept = {doc_id for doc_id, name in matched.items()
            if not any(name != other and name in other for other in matched.values())}
    years = set(stated_document_years(text))
    return [d for d in catalog.documents
            if d.info.doc_id in kept or d.info.issue_date.year in years]


def named_measures(text: str, catalog: Catalog, numbers: list[int] | None = None
                   ) -> tuple[list[Measure], list[int]]:
    """Measures the text names by number (or `numbers`, e.g. from Rasa's entities), in
    the documents it names if any: (found, numbers no such document has)."""
    numbers = numbers if numbers is not None else find_measure_numbers(text)
    among = named_documents(text, catalog) or None
    found, missing = [], []
    for number in numbers:
        try:
            measure = catalog.resolve(number, among)
        except MeasureNotFound:
            missing.append(number)
            continue
        if measure not in found:
            found.append(measure)
    return found, missing
