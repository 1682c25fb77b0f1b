"""Domain errors of the knowledge base; the CLI and the API translate them at the edge."""

from __future__ import annotations

from dataclasses import dataclass


class KnowledgeError(Exception):
    """Base class for every error the knowledge package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DocumentInvalid(KnowledgeError):
    """Knowledge files broke one or more rules: a document's text, its sidecar or its
    references to other documents, or the rules, department table, terms or question bank
    checked against them. Carries every problem, not only the first, so a maintainer fixes
    a file (or a whole tree) in one pass; one class, so every caller that refuses invalid
    knowledge catches all of it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class MeasureNotFound(KnowledgeError):
    def __init__(self, number: int, doc_id: str | None = None) -> None:
        self.number = number
        self.doc_id = doc_id
        where = f" in {doc_id}" if doc_id else ""
        super().__init__(f"no measure {number}{where}")


class UnknownDepartment(KnowledgeError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown department: {name}")


class UnknownDocument(KnowledgeError):
    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        super().__init__(f"unknown document: {doc_id}")
