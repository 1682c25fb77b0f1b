"""Sentence splitting: quotes and clauses rest on it never losing or changing a character."""

from __future__ import annotations

from index.corpus import clauses
from knowledge.catalog import Catalog
from knowledge.sentences import sentences


def test_pieces_end_at_sentence_marks_and_join_to_the_text() -> None:
    assert sentences("第一句。第二句;第三句") == ["第一句。", "第二句;", "第三句"]
    assert sentences("只有一句。") == ["只有一句。"]
    assert sentences("") == []


def test_every_measure_survives_the_split(catalog: Catalog) -> None:
    for measure in catalog.measures:
        assert "".join(sentences(measure.text)) == measure.text
        assert all(c.strip() == c and c for c in clauses(measure))
