"""What the index is built from: the measures and the question bank, as plain texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, Problem
from knowledge.models import Measure
from knowledge.settings import get_settings

_CLAUSE_END = re.compile(r"(?<=[。;;])")


def measure_key(measure: Measure) -> str:
    return f"{measure.doc_id}#{measure.number}"


def clauses(measure: Measure) -> list[str]:
    """Sentences of a measure: a question often matches one clause, not the whole text."""
    parts = [p.strip() for p in _CLAUSE_END.split(measure.text) if p.strip()]
    return parts if len(parts) > 1 else []


def measure_document(measure: Measure) -> str:
    """Measure text with its section title: the title names the topic in few words."""
    return f"{measure.section.title}。{measure.text}"


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
                except Exception as exc:  # noqa: BLE001 - reported as a problem below
                    problems.append(Problem(str(path), 1, f"question bank entry {number}: {exc}"))
                    continue
                out.setdefault(measure_key(measure), []).extend(str(q) for q in items or [])
        if problems:
            raise DocumentInvalid(problems)
        return cls(out)

    def all_texts(self) -> list[str]:
        return [q for qs in self.questions.values() for q in qs]
