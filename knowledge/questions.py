"""The question bank (knowledge/questions/): how enterprises ask about each measure.

It is knowledge-base data, checked against the catalog like a document: the index embeds
the questions beside the measure texts and the Rasa training data takes examples from
them, so an entry for a measure or document that does not exist, an empty question or a
question filed twice (under two measures it would teach both) is an error with its line,
not a silent gap.

    doc_id: hongqi-2023-measures        # optional; the file's stem otherwise
    questions:
      44:
        - "贷款到期还不上能延期吗?"
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, KnowledgeError, Problem
from knowledge.models import Measure
from knowledge.settings import get_settings
from knowledge.yamllines import LineDict, line_of, load_file

_KNOWN = frozenset({"doc_id", "questions"})


def measure_key(measure: Measure) -> str:
    """One string per measure across documents ("doc_id#number"), for keys and ids."""
    return measure.key


@dataclass(frozen=True)
class QuestionBank:
    questions: dict[str, list[str]]  # measure key -> questions

    @classmethod
    def load(cls, catalog: Catalog, directory: Path | None = None) -> QuestionBank:
        """Every *.yml in `directory` (default: the questions_dir setting)."""
        directory = directory or get_settings().questions_dir
        bank, problems = read_bank(catalog, sorted(directory.glob("*.yml")))
        if problems:
            raise DocumentInvalid(problems)
        return bank

    def of(self, measure: Measure) -> list[str]:
        """The bank's questions about one measure (none when the bank has no entry)."""
        return self.questions.get(measure_key(measure), [])

    def all_texts(self) -> list[str]:
        return [q for qs in self.questions.values() for q in qs]


def read_bank(catalog: Catalog, paths: Iterable[Path]) -> tuple[QuestionBank, list[Problem]]:
    """The valid entries of the bank's files (a tree's questions/*.yml) and every problem
    of them, in one pass."""
    out: dict[str, list[str]] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}  # normalised question -> "path:line" of its first use
    for path in paths:
        for measure, question, line in _entries(path, catalog, problems):
            key = re.sub(r"\s+", "", question)
            if key in seen:
                problems.append(Problem(str(path), line, f"duplicate question {question!r} "
                                                         f"(first at {seen[key]})"))
                continue
            seen[key] = f"{path}:{line}"
            out.setdefault(measure_key(measure), []).append(question)
    return QuestionBank(out), problems


def _entries(path: Path, catalog: Catalog, problems: list[Problem]
             ) -> list[tuple[Measure, str, int]]:
    """(measure, question, line) of one file; its problems go into `problems`."""
    where = str(path)
    data, found = load_file(path)
    problems += found
    if data is None:
        return []
    if not isinstance(data, LineDict):
        problems.append(Problem(where, 1, "a question file maps doc_id and questions"))
        return []
    for key in data:
        if key not in _KNOWN:
            problems.append(Problem(where, data.line_of(key), f"unknown field {key!r} "
                                                              "(expected doc_id, questions)"))
    doc_id = str(data.get("doc_id", path.stem))
    try:
        catalog.document(doc_id)
    except KnowledgeError as exc:
        problems.append(Problem(where, data.line_of("doc_id") if "doc_id" in data else 1, str(exc)))
        return []
    entries = data.get("questions")
    if not isinstance(entries, LineDict):
        problems.append(Problem(where, line_of(data, "questions"), "questions maps each measure "
                                                                   "number to a list of questions"))
        return []
    out = []
    for number, items in entries.items():
        line = entries.line_of(number)
        measure = _measure(catalog, doc_id, number, line, where, problems)
        if measure is None:
            continue
        if not isinstance(items, list):
            problems.append(Problem(where, line, f"question bank entry {number}: expected a list "
                                                 "of questions"))
            continue
        for i, question in enumerate(items):
            at = line_of(items, i, line)
            text = _text(question)
            if not text:
                problems.append(Problem(where, at, f"question bank entry {number}: empty question"))
                continue
            out.append((measure, text, at))
    return out


def _measure(catalog: Catalog, doc_id: str, number: Any, line: int, where: str,
             problems: list[Problem]) -> Measure | None:
    if isinstance(number, bool) or not isinstance(number, int):
        problems.append(Problem(where, line, f"question bank entry {number}: not a measure number"))
        return None
    try:
        return catalog.measure(number, doc_id)
    except KnowledgeError as exc:
        problems.append(Problem(where, line, f"question bank entry {number}: {exc}"))
        return None


def _text(question: Any) -> str:
    """The question as text; "" for anything that is not a non-blank string."""
    return question.strip() if isinstance(question, str) else ""
