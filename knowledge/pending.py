"""Question-bank entries a maintainer added from the report, waiting for the next publish.

A question users asked and the assistant answered badly becomes a bank entry for the
measure it should have found (`policybot kb add-question`, the report page). Published
versions are immutable, so the entry waits in one file beside them,
var/kb/pending/questions.yml, in the schema of knowledge/questions/*.yml (`doc_id` and
`questions: {number: [question, ...]}`), and the next publish merges it into the new
version's bank. Entries for several documents are consecutive YAML documents of that
schema in the same file (`---` between them); with one document the file is exactly a
bank file.

An entry is checked when it is added, not at publish time, because the maintainer is
there to fix it then: the measure must exist, the question must not already be in the
bank or pending for any measure (one question, one answer), and it must not be a
question of the evaluation set (knowledge/evaluation/questions.yml), whose figures mean
something only while the two sets are disjoint.

The CLI and the answer service may add at the same time, so every change holds an
exclusive lock on a file beside it and replaces the file atomically.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, KnowledgeError, Problem

MAX_QUESTION_CHARS = 200
_HEADER = ("# Question-bank entries added by maintainers (policybot kb add-question, /admin/report).\n"
           "# Same schema as knowledge/questions/*.yml; merged into the next published version.\n")
_EDGES = re.compile(r"^[\s?!.,;:。、…~]+|[\s?!.,;:。、…~]+$")  # after NFKC: ？ is ?
_SPACE = re.compile(r"\s+")


class QuestionRejected(KnowledgeError):
    """A question that cannot become a bank entry; the message says why."""


def normalise_question(text: str) -> str:
    """The form two questions are compared in: NFKC (full-width letters and digits as
    ASCII), lower case, single spaces, no punctuation at either end, so that
    "贷款能延期吗?" and "贷款能延期吗" are the same question."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", _EDGES.sub("", text))


@dataclass(frozen=True)
class PendingQuestion:
    doc_id: str
    measure: int
    question: str


class PendingQuestions:
    """The pending file: read, add, remove."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[PendingQuestion]:
        """Every pending entry, in the order added within each document."""
        if not self.path.exists():
            return []
        text = self.path.read_text(encoding="utf-8")
        try:
            documents = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as exc:
            raise DocumentInvalid([Problem(str(self.path), _yaml_line(exc), f"not valid YAML: {exc}")]
                                  ) from exc
        out: list[PendingQuestion] = []
        for document in documents:
            if not isinstance(document, dict) or not isinstance(document.get("questions"), dict):
                raise DocumentInvalid([Problem(str(self.path), 1,
                                               "expected doc_id and questions: {number: [question, ...]}")])
            doc_id = str(document.get("doc_id", ""))
            for number, questions in document["questions"].items():
                if not isinstance(number, int) or not isinstance(questions, list):
                    raise DocumentInvalid([Problem(str(self.path), 1, f"entry {number!r}: expected "
                                                   "a measure number and a list of questions")])
                out.extend(PendingQuestion(doc_id, number, str(q)) for q in questions)
        return out

    def add(self, question: str, measure: int, catalog: Catalog, *, doc_id: str | None = None,
            bank: dict[str, list[str]] | None = None, reserved: Iterable[str] = ()) -> PendingQuestion:
        """Append one entry after checking it (see the module docstring); returns it.

        bank: the live question bank, measure key ("doc_id#number") -> questions;
        reserved: questions that may not be added (the evaluation set).
        Raises MeasureNotFound / UnknownDocument for a measure that does not exist and
        QuestionRejected for a question that cannot be added.
        """
        text = _SPACE.sub(" ", question).strip()
        if not normalise_question(text):
            raise QuestionRejected("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise QuestionRejected(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        target = catalog.measure(measure, doc_id)
        key = normalise_question(text)
        if key in {normalise_question(q) for q in reserved}:
            raise QuestionRejected("the question is in the evaluation set (knowledge/evaluation/"
                                   "questions.yml); the bank and the evaluation set must stay disjoint")
        for measure_key, questions in (bank or {}).items():
            if key in {normalise_question(q) for q in questions}:
                raise QuestionRejected(f"the question is already in the question bank for {measure_key}")
        entry = PendingQuestion(target.doc_id, target.number, text)
        with self._locked():
            entries = self.entries()
            for other in entries:
                if normalise_question(other.question) == key:
                    raise QuestionRejected(
                        f"the question is already pending for {other.doc_id}#{other.measure}")
            self._write([*entries, entry])
        return entry

    def remove(self, doc_id: str, measure: int, question: str) -> bool:
        """Drop one pending entry; False when there was no such entry."""
        with self._locked():
            entries = self.entries()
            kept = [e for e in entries if (e.doc_id, e.measure, e.question) != (doc_id, measure, question)]
            if len(kept) == len(entries):
                return False
            self._write(kept)
            return True

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, entries: list[PendingQuestion]) -> None:
        """The whole file, replaced atomically (a reader sees the old or the new file)."""
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        documents: dict[str, dict[int, list[str]]] = {}
        for e in entries:
            documents.setdefault(e.doc_id, {}).setdefault(e.measure, []).append(e.question)
        body = "---\n".join(
            yaml.safe_dump({"doc_id": doc_id, "questions": dict(sorted(numbers.items()))},
                           allow_unicode=True, sort_keys=False, default_flow_style=False)
            for doc_id, numbers in documents.items())
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".questions-", suffix=".yml")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(_HEADER + body)
        os.replace(tmp, self.path)


def _yaml_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1
