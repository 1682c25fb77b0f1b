"""The question bank is checked against the catalog like a document."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid
from knowledge.questions import QuestionBank


def test_questions_are_found_by_measure(catalog: Catalog) -> None:
    bank = QuestionBank.load(catalog)
    first, last = catalog.measures[0], catalog.measures[-1]
    assert bank.of(first) and bank.of(last)
    assert set(bank.of(first)).isdisjoint(bank.of(last))
    assert len(bank.all_texts()) == sum(len(bank.of(m)) for m in catalog.measures)


def test_an_entry_for_a_missing_measure_is_reported(catalog: Catalog, tmp_path: Path) -> None:
    (tmp_path / "bank.yml").write_text(
        "doc_id: hongqi-2023-measures\nquestions:\n  1: [\"买车有补贴吗\"]\n  99: [\"?\"]\n"
        "  x: [\"?\"]\n", encoding="utf-8")
    with pytest.raises(DocumentInvalid) as raised:
        QuestionBank.load(catalog, tmp_path)
    messages = [p.message for p in raised.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith("question bank entry 99:")
    assert messages[1].startswith("question bank entry x:")
