"""The question bank (knowledge/questions/): how enterprises ask about each measure.

It is knowledge-base data, checked against the catalog like a document: the index embeds
the questions beside the measure texts and the Rasa training data takes examples from
them, so an entry for a measure that does not exist is an error, not a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, KnowledgeError, Problem
from knowledge.models import Measure
from knowledge.settings import get_settings


def measure_key(measure: Measure) -> str:
    """One string per measure across documents ("doc_id#number"), for keys and ids."""
    return f"{measure.doc_id}#{measure.number}"


@dataclass(frozen=True)
class QuestionBank:
    questions: dict[str, list[str]]  # measure key -> questions

    @classmethod
    def load(cls, catalog: Catalog, directory: Path | None = None) -> QuestionBank:
        directory = directory or get_settings().questions_dir
        out: dict[str, list[str]] = {}
        problems: list[Problem] = []
        for path in sorted(directory.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            doc_id = data.get("doc_id", path.stem)
            for number, items in (data.get("questions") or {}).items():
                try:
                    measure = catalog.measure(int(number), doc_id)
                except (KnowledgeError, ValueError, TypeError) as exc:  # all reported below
                    problems.append(Problem(str(path), 1, f"question bank entry {number}: {exc}"))
                    continue
                out.setdefault(measure_key(measure), []).extend(str(q) for q in items or [])
        if problems:
            raise DocumentInvalid(problems)
        return cls(out)

    def of(self, measure: Measure) -> list[str]:
        """The bank's questions about one measure (none when the bank has no entry)."""
        return self.questions.get(measure_key(measure), [])

    def all_texts(self) -> list[str]:
        return [q for qs in self.questions.values() for q in qs]
