"""Every parsed document of the knowledge base, with the look-ups the rest of the app needs.

A measure's identity is (doc_id, number): several documents each have a 第3条. Only the
catalog knows what else is loaded, so it is what stamps each measure with how to cite it
(《简称》第3条 when more than one document is loaded, 第3条 with one) and with what
replaced it; everything that reads a Measure afterwards (replies, pages, the index)
inherits both without asking.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from knowledge.departments import DepartmentTable
from knowledge.errors import DocumentInvalid, MeasureNotFound, UnknownDocument
from knowledge.models import Document, Measure
from knowledge.parser import parse_document
from knowledge.settings import Settings, get_settings
from knowledge.succession import check as check_succession
from knowledge.succession import successors

# A measure reference as the dialogue keeps it in a slot: a number when one document is
# loaded (as before there were several), else the measure's key "doc_id#number".
MeasureRef = int | str


class Catalog:
    """Documents by id, newest first; measure and department look-ups."""

    def __init__(self, documents: Iterable[Document], table: DepartmentTable) -> None:
        ordered = sorted(documents, key=lambda d: (d.info.issue_date, d.info.doc_id), reverse=True)
        several = len(ordered) > 1
        replaced = successors(ordered)
        self.documents = [
            d.model_copy(update={"measures": [
                m.model_copy(update={"document_name": d.info.name if several else "",
                                     "superseded_by": replaced.get(m.key)})
                for m in d.measures]})
            for d in ordered]
        self.table = table
        self._by_id = {d.info.doc_id: d for d in self.documents}
        self._by_key = {m.key: m for d in self.documents for m in d.measures}

    @classmethod
    def load(cls, sources_dir: Path | None = None, table: DepartmentTable | None = None
             ) -> Catalog:
        """Every *.txt (with its sidecar) under sources_dir; DocumentInvalid listing the
        problems of all of them and of their references to each other."""
        settings = get_settings()
        sources_dir = sources_dir or settings.sources_dir
        table = table or DepartmentTable.load(settings.departments_file)
        documents, problems = [], []
        for path in sorted(sources_dir.glob("*.txt")):
            try:
                documents.append(parse_document(path, table))
            except DocumentInvalid as exc:
                problems.extend(exc.problems)
        problems.extend(check_succession(documents))
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

    @property
    def several(self) -> bool:
        """More than one document loaded: citations then name their document."""
        return len(self.documents) > 1

    def document(self, doc_id: str | None = None) -> Document:
        """The named document, or the newest one."""
        if doc_id is None:
            if not self.documents:
                raise UnknownDocument("(none loaded)")
            return self.documents[0]
        if doc_id not in self._by_id:
            raise UnknownDocument(doc_id)
        return self._by_id[doc_id]

    def measure(self, number: int, doc_id: str | None = None) -> Measure:
        """Measure `number` of the named document, or as a bare 第N条 resolves (resolve)."""
        if doc_id is None:
            return self.resolve(number)
        for measure in self.document(doc_id).measures:
            if measure.number == number:
                return measure
        raise MeasureNotFound(number, doc_id)

    def is_replaced(self, document: Document) -> bool:
        """The whole document is superseded by a later one."""
        return bool(document.measures) and all(
            m.superseded_by is not None and m.superseded_by.number is None for m in document.measures)

    def resolve(self, number: int, among: Iterable[Document] | None = None) -> Measure:
        """What 第N条 means: measure N of the newest document (of `among`, when the question
        named documents) that has one, preferring documents not replaced as a whole."""
        candidates = list(among) if among is not None else self.documents
        having = [d for d in candidates if any(m.number == number for m in d.measures)]
        if not having:
            only = candidates[0].info.doc_id if len(candidates) == 1 else None
            raise MeasureNotFound(number, only)
        current = [d for d in having if not self.is_replaced(d)] or having
        return self.measure(number, current[0].info.doc_id)

    def namesakes(self, measure: Measure) -> list[Measure]:
        """Measures with the same number in the other documents (newest first)."""
        return [m for d in self.documents if d.info.doc_id != measure.doc_id
                for m in d.measures if m.number == measure.number]

    def successor(self, measure: Measure) -> Measure | None:
        """The measure that replaces this one today, following a chain of replacements
        (2023 第44条 -> 2024 第3条 -> 2025 第1条) to its end; None when nothing replaces it
        or a whole document does."""
        seen = {measure.key}
        current: Measure | None = None
        step = measure.superseded_by
        while step is not None and step.number is not None:
            current = self._by_key.get(f"{step.doc_id}#{step.number}")
            if current is None or current.key in seen:
                break
            seen.add(current.key)
            step = current.superseded_by
        return current

    def ref(self, measure: Measure) -> MeasureRef:
        """How a conversation slot keeps a measure (see MeasureRef)."""
        return measure.key if self.several else measure.number

    def by_ref(self, ref: MeasureRef) -> Measure:
        """The measure a slot value names: "doc_id#number" exactly, a number as 第N条."""
        if isinstance(ref, str) and "#" in ref:
            doc_id, _, number = ref.rpartition("#")
            if not number.isdigit():
                raise MeasureNotFound(0, doc_id)
            return self.measure(int(number), doc_id)
        return self.resolve(int(ref))

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
