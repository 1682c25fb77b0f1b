"""Question-bank entries a maintainer added from the report, waiting for the next publish.

A question users asked and the assistant answered badly becomes a bank entry for the
measure it should have found (`policybot kb add-question`, the report page). Published
versions are immutable, so the entry waits beside them in var/kb/pending/, one file per
document (<doc_id>.yml) in exactly the schema of knowledge/questions/*.yml (`doc_id` and
`questions: {number: [question, ...]}`), and the next publish merges every *.yml there
into the new version's bank (api/publishing.py).

An entry is checked when it is added, not at publish time, because the maintainer is
there to fix it then: the measure must exist, the question must not already be in the
bank or pending for any measure (one question, one answer), and it must not be a
question of the evaluation set (knowledge/evaluation/questions.yml), whose figures mean
something only while the two sets are disjoint.

The CLI and the answer service may add at the same time, so every change holds an
exclusive lock (pending/.lock) and replaces its file atomically (through a temporary file
whose name does not end in .yml, so a publish never reads half a file).
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
_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class QuestionRejected(KnowledgeError):
    """A question that cannot become a bank entry. code: "empty", "too_long",
    "evaluation_set", "in_bank" or "pending" (the last two with the measure key it is
    already under), for callers that word the reason themselves."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        self.code = code
        self.where = where
        super().__init__(message)


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
    """The pending folder: read, add, remove."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, doc_id: str) -> Path:
        return self.directory / f"{doc_id}.yml"

    def entries(self) -> list[PendingQuestion]:
        """Every pending entry: documents by name, entries in the order added."""
        if not self.directory.is_dir():
            return []
        return [e for path in sorted(self.directory.glob("*.yml")) for e in _read(path)]

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
            raise QuestionRejected("empty", "the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise QuestionRejected("too_long", f"the question is longer than {MAX_QUESTION_CHARS} characters")
        target = catalog.measure(measure, doc_id)
        key = normalise_question(text)
        if key in {normalise_question(q) for q in reserved}:
            raise QuestionRejected("evaluation_set", "the question is in the evaluation set (knowledge/"
                                   "evaluation/questions.yml); the bank and the evaluation set must "
                                   "stay disjoint")
        for measure_key, questions in (bank or {}).items():
            if key in {normalise_question(q) for q in questions}:
                raise QuestionRejected("in_bank", f"the question is already in the question bank for "
                                       f"{measure_key}", measure_key)
        entry = PendingQuestion(target.doc_id, target.number, text)
        with self.locked():
            for other in self.entries():
                if normalise_question(other.question) == key:
                    where = f"{other.doc_id}#{other.measure}"
                    raise QuestionRejected("pending", f"the question is already pending for {where}", where)
            self._write(entry.doc_id, [*_read(self.path(entry.doc_id)), entry])
        return entry

    def remove(self, doc_id: str, measure: int, question: str) -> bool:
        """Drop one pending entry; False when there was no such entry."""
        if not _DOC_ID.fullmatch(doc_id):
            return False
        with self.locked():
            entries = _read(self.path(doc_id))
            kept = [e for e in entries if (e.measure, e.question) != (measure, question)]
            if len(kept) == len(entries):
                return False
            self._write(doc_id, kept)
            return True

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive use of the folder; whoever takes the files (a publish merging them,
        then deleting them) should hold it too, so no entry added meanwhile is lost."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, doc_id: str, entries: list[PendingQuestion]) -> None:
        """One document's file, replaced atomically (a reader sees the old or the new one)."""
        path = self.path(doc_id)
        if not entries:
            path.unlink(missing_ok=True)
            return
        numbers: dict[int, list[str]] = {}
        for e in entries:
            numbers.setdefault(e.measure, []).append(e.question)
        body = yaml.safe_dump({"doc_id": doc_id, "questions": dict(sorted(numbers.items()))},
                              allow_unicode=True, sort_keys=False, default_flow_style=False)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{doc_id}-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(_HEADER + body)
        os.replace(tmp, path)


def _read(path: Path) -> list[PendingQuestion]:
    """One pending file's entries (none when it does not exist)."""
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DocumentInvalid([Problem(str(path), mark.line + 1 if mark else 1, f"not valid YAML: {exc}")]
                              ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
        raise DocumentInvalid([Problem(str(path), 1,
                                       "expected doc_id and questions: {number: [question, ...]}")])
    doc_id = str(data.get("doc_id", path.stem))
    out: list[PendingQuestion] = []
    for number, questions in data["questions"].items():
        if not isinstance(number, int) or not isinstance(questions, list):
            raise DocumentInvalid([Problem(str(path), 1, f"entry {number!r}: expected a measure number "
                                           "and a list of questions")])
        out.extend(PendingQuestion(doc_id, number, str(q)) for q in questions)
    return out
