"""Which measures later documents replace, checked across all the documents of a tree.

A sidecar's `supersedes` (knowledge/identity.py) can only be judged with the other
documents at hand: the earlier document and its measure must exist, the replacing
measure must exist in the declaring document, nothing may be replaced twice or in a
circle, and two documents may not share a short name (citations would not tell them
apart). Problems point at the sidecar line that makes the claim.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.errors import Problem
from knowledge.models import Document, Successor


def _where(document: Document) -> str:
    return document.info.meta_path or document.info.path


def check(documents: Iterable[Document]) -> list[Problem]:
    """Every problem of the documents' supersession claims and names, in one pass."""
    documents = list(documents)
    by_id = {d.info.doc_id: d for d in documents}
    problems: list[Problem] = []
    replaced: dict[str, tuple[str, int]] = {}  # measure key or doc id -> (doc id, line)

    for document in documents:
        where = _where(document)
        numbers = {m.number for m in document.measures}
        for claim in document.info.supersedes:
            old = by_id.get(claim.doc_id)
            if old is None:
                problems.append(Problem(where, claim.line, f"supersedes {claim.doc_id!r}, which is "
                                                           "not a document of this knowledge base"))
            elif old.info.issue_date > document.info.issue_date:
                problems.append(Problem(where, claim.line, f"supersedes {claim.doc_id!r}, which was "
                                                           f"issued later ({old.info.issue_date})"))
            targets: list[tuple[str, int]] = []
            if claim.measures is None:
                targets.append((claim.doc_id, claim.line))
            for old_number, new_number in (claim.measures or {}).items():
                line = claim.measure_lines.get(old_number, claim.line)
                if old is not None and old_number not in {m.number for m in old.measures}:
                    problems.append(Problem(where, line, f"supersedes {claim.doc_id} 第{old_number}条, "
                                                         "which that document does not have"))
                if new_number not in numbers:
                    problems.append(Problem(where, line, f"{claim.doc_id} 第{old_number}条 is replaced "
                                                         f"by 第{new_number}条, which this document "
                                                         "does not have"))
                targets.append((f"{claim.doc_id}#{old_number}", line))
            for target, line in targets:
                if target in replaced and replaced[target][0] != document.info.doc_id:
                    problems.append(Problem(where, line, f"{target} is already superseded by "
                                                         f"{replaced[target][0]}"))
                replaced.setdefault(target, (document.info.doc_id, line))

    problems += _cycles(documents)
    problems += _shared_names(documents)
    return problems


def _cycles(documents: list[Document]) -> list[Problem]:
    """Documents that supersede each other, directly or through others (possible only
    among documents of one issue date: a claim on a later document is refused above)."""
    by_id = {d.info.doc_id: d for d in documents}
    visiting, done = set(), set()
    problems = []

    def visit(doc_id: str, path: list[str]) -> None:
        visiting.add(doc_id)
        for claim in by_id[doc_id].info.supersedes:
            child = claim.doc_id
            if child in visiting:
                circle = " -> ".join([*path[path.index(child):], child])
                problems.append(Problem(_where(by_id[doc_id]), claim.line,
                                        f"documents supersede each other in a circle: {circle}"))
            elif child in by_id and child not in done:
                visit(child, [*path, child])
        visiting.discard(doc_id)
        done.add(doc_id)

    for doc_id in sorted(by_id):
        if doc_id not in done:
            visit(doc_id, [doc_id])
    return problems


def _shared_names(documents: list[Document]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for document in sorted(documents, key=lambda d: d.info.doc_id):
        name = document.info.name
        if name in seen:
            problems.append(Problem(_where(document), document.info.meta_lines.get("short_name", 1),
                                    f"short name 《{name}》 is also {seen[name]}'s; citations would "
                                    "not tell the two apart"))
        seen.setdefault(name, document.info.doc_id)
    return problems


def successors(documents: Iterable[Document]) -> dict[str, Successor]:
    """Measure key -> what directly replaced it. A claim on one measure outranks a claim on
    its whole document; of two claims, the newer document's wins (check() reports it)."""
    ordered = sorted(documents, key=lambda d: (d.info.issue_date, d.info.doc_id))
    by_id = {d.info.doc_id: d for d in ordered}
    whole: dict[str, Successor] = {}
    single: dict[str, Successor] = {}
    for document in ordered:
        info = document.info
        for claim in info.supersedes:
            if claim.doc_id not in by_id:
                continue
            if claim.measures is None:
                whole[claim.doc_id] = Successor(doc_id=info.doc_id, citation=f"《{info.name}》",
                                                since=info.issue_date)
                continue
            numbers = {m.number for m in document.measures}
            for old, new in claim.measures.items():
                if new in numbers:
                    single[f"{claim.doc_id}#{old}"] = Successor(
                        doc_id=info.doc_id, number=new, citation=f"《{info.name}》第{new}条",
                        since=info.issue_date)
    out: dict[str, Successor] = {}
    for document in ordered:
        for measure in document.measures:
            found = single.get(measure.key) or whole.get(document.info.doc_id)
            if found is not None:
                out[measure.key] = found
    return out
