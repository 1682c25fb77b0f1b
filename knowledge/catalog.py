"""Every parsed document of the knowledge base, with the look-ups the rest of the app needs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from knowledge.departments import DepartmentTable
from knowledge.errors import DocumentInvalid, MeasureNotFound, UnknownDocument
from knowledge.models import Document, Measure
from knowledge.parser import parse_document
from knowledge.settings import Settings, get_settings


class Catalog:
    """Documents by id; measure and department look-ups; the newest document is the default."""

    def __init__(self, documents: Iterable[Document], table: DepartmentTable) -> None:
        self.documents = sorted(documents, key=lambda d: (d.info.issue_date, d.info.doc_id),
                                reverse=True)
        self.table = table
        self._by_id = {d.info.doc_id: d for d in self.documents}

    @classmethod
    def load(cls, sources_dir: Path | None = None, table: DepartmentTable | None = None
             ) -> Catalog:
        settings = get_settings()
        sources_dir = sources_dir or settings.sources_dir
        table = table or DepartmentTable.load(settings.departments_file)
        documents, problems = [], []
        for path in sorted(sources_dir.glob("*.txt")):
            try:
                documents.append(parse_document(path, table))
            except DocumentInvalid as exc:
                problems.extend(exc.problems)
        if problems:
            raise DocumentInvalid(problems)
        return cls(documents, table)

    @classmethod
    def from_settings(cls, settings: Settings) -> Catalog:
        """The documents and department table these settings name (a published version's
        or the seed), never the defaults of the process."""
        return cls.load(settings.sources_dir, DepartmentTable.load(settings.departments_file))

    @property
    def measures(self) -> list[Measure]:
        return [m for d in self.documents for m in d.measures]

    def document(self, doc_id: str | None = None) -> Document:
        if doc_id is None:
            if not self.documents:
                raise UnknownDocument("(none loaded)")
            return self.documents[0]
        if doc_id not in self._by_id:
            raise UnknownDocument(doc_id)
        return self._by_id[doc_id]

    def measure(self, number: int, doc_id: str | None = None) -> Measure:
        document = self.document(doc_id)
        for measure in document.measures:
            if measure.number == number:
                return measure
        raise MeasureNotFound(number, document.info.doc_id)

    def departments(self) -> dict[str, list[Measure]]:
        """Canonical department -> the measures it is responsible for, in document order."""
        index: dict[str, list[Measure]] = {}
        for measure in self.measures:
            for name in measure.departments:
                index.setdefault(name, []).append(measure)
        return index

    def measures_of(self, department: str) -> list[Measure]:
        """Measures of a department as a user names it; UnknownDepartment if not in the table."""
        name = self.table.resolve(department)
        return self.departments().get(name, [])
