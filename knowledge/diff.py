"""What a new knowledge-base version changes, before it goes live.

A maintainer publishing an amended document must see exactly what users will be told
differently: measures added, removed and changed (the text as a character diff, the
departments, the dates and whether the measure is in force today), and which eligibility
rules and question-bank entries point at a changed or removed measure and so need a
look. Measures are identified by (document id, number) throughout.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.models import Measure
from knowledge.questions import QuestionBank, measure_key
from knowledge.settings import Settings
from knowledge.validity import describe_validity, validity_of

MeasureId = tuple[str, int]


@dataclass
class KnowledgeState:
    """One side of a diff: everything a version is built from, loaded."""

    catalog: Catalog
    rules: RuleBook
    bank: QuestionBank
    files: dict[str, str]  # path relative to the tree -> sha256

    @classmethod
    def load(cls, settings: Settings, tree: Path | None) -> KnowledgeState:
        """The knowledge tree at `tree` (settings reading it), or an empty state."""
        if tree is None:
            empty = Catalog([], Catalog.from_settings(settings).table)
            return cls(empty, RuleBook({}, {}), QuestionBank({}), {})
        tree_settings = settings.for_knowledge(tree)
        catalog = Catalog.from_settings(tree_settings)
        return cls(catalog, RuleBook.load(tree_settings.eligibility_dir, catalog),
                   QuestionBank.load(catalog, tree_settings.questions_dir), tree_digests(tree))

    @property
    def measures(self) -> dict[MeasureId, Measure]:
        return {(m.doc_id, m.number): m for m in self.catalog.measures}


def tree_digests(tree: Path) -> dict[str, str]:
    """sha256 of every file of a knowledge tree (hidden bookkeeping files left out)."""
    return {str(path.relative_to(tree)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(tree.rglob("*"))
            if path.is_file() and not path.relative_to(tree).parts[0].startswith(".")}


@dataclass
class MeasureChange:
    doc_id: str
    number: int
    text: list[tuple[str, str]] = field(default_factory=list)  # (op, chars): "=", "-", "+"
    departments: tuple[list[str], list[str]] | None = None
    dates: tuple[list[str], list[str]] | None = None
    validity: tuple[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc_id": self.doc_id, "number": self.number}
        if self.text:
            out["text"] = [{"op": op, "text": chars} for op, chars in self.text]
        for name in ("departments", "dates", "validity"):
            value = getattr(self, name)
            if value is not None:
                out[name] = {"old": value[0], "new": value[1]}
        return out


@dataclass
class KbDiff:
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    measures_added: list[MeasureId] = field(default_factory=list)
    measures_removed: list[MeasureId] = field(default_factory=list)
    measures_changed: list[MeasureChange] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    rules_to_review: list[MeasureId] = field(default_factory=list)
    questions_to_review: dict[MeasureId, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.documents_added or self.documents_removed or self.measures_added
                    or self.measures_removed or self.measures_changed or self.files_changed)

    def summary(self) -> str:
        """One line for a version's manifest and lists."""
        parts = [f"{label} {len(items)}" for label, items in (
            ("documents added", self.documents_added), ("documents removed", self.documents_removed),
            ("measures added", self.measures_added), ("measures removed", self.measures_removed),
            ("measures changed", self.measures_changed)) if items]
        if not parts and self.files_changed:
            parts.append(f"files changed {len(self.files_changed)}")
        return "; ".join(parts) or "no changes"

    def to_json(self) -> dict[str, Any]:
        def ids(items: list[MeasureId]) -> list[dict[str, Any]]:
            return [{"doc_id": d, "number": n} for d, n in items]

        return {
            "empty": self.empty, "summary": self.summary(),
            "documents": {"added": self.documents_added, "removed": self.documents_removed},
            "measures": {"added": ids(self.measures_added), "removed": ids(self.measures_removed),
                         "changed": [c.to_json() for c in self.measures_changed]},
            "files_changed": self.files_changed,
            "review": {"rules": ids(self.rules_to_review),
                       "questions": [{"doc_id": d, "number": n, "questions": count}
                                     for (d, n), count in self.questions_to_review.items()]},
        }

    def to_text(self) -> str:
        lines = [f"Changes: {self.summary()}"]
        lines += [f"+ document {d}" for d in self.documents_added]
        lines += [f"- document {d}" for d in self.documents_removed]
        lines += [f"+ {d} 第{n}条" for d, n in self.measures_added]
        lines += [f"- {d} 第{n}条" for d, n in self.measures_removed]
        for change in self.measures_changed:
            lines.append(f"~ {change.doc_id} 第{change.number}条")
            if change.text:
                lines.append("    text: " + "".join(
                    chars if op == "=" else f"[-{chars}-]" if op == "-" else f"{{+{chars}+}}"
                    for op, chars in _elide(change.text)))
            for name in ("departments", "dates", "validity"):
                value = getattr(change, name)
                if value is not None:
                    lines.append(f"    {name}: {_show(value[0])} -> {_show(value[1])}")
        lines += [f"  file changed: {f}" for f in self.files_changed]
        lines += [f"! review the eligibility rule of {d} 第{n}条" for d, n in self.rules_to_review]
        lines += [f"! review {count} question-bank entries of {d} 第{n}条"
                  for (d, n), count in self.questions_to_review.items()]
        return "\n".join(lines)


def _show(value: str | list[str]) -> str:
    return "、".join(value) if isinstance(value, list) else value


def _elide(ops: list[tuple[str, str]], keep: int = 12) -> list[tuple[str, str]]:
    """Unchanged runs shortened to their ends, so a one-date edit reads as one line."""
    out = []
    for op, chars in ops:
        if op == "=" and len(chars) > 2 * keep:
            chars = chars[:keep] + "…" + chars[-keep:]
        out.append((op, chars))
    return out


def char_diff(old: str, new: str) -> list[tuple[str, str]]:
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", old[i1:i2]))
            continue
        if i2 > i1:
            ops.append(("-", old[i1:i2]))
        if j2 > j1:
            ops.append(("+", new[j1:j2]))
    return ops


def _measure_change(old: Measure, new: Measure) -> MeasureChange | None:
    change = MeasureChange(old.doc_id, old.number)
    if old.text != new.text:
        change.text = char_diff(old.text, new.text)
    if old.departments != new.departments:
        change.departments = (old.departments, new.departments)
    old_dates = [d.date.isoformat() for d in old.dates]
    new_dates = [d.date.isoformat() for d in new.dates]
    if old_dates != new_dates:
        change.dates = (old_dates, new_dates)
    old_validity, new_validity = describe_validity(validity_of(old)), describe_validity(validity_of(new))
    if old_validity != new_validity:
        change.validity = (old_validity, new_validity)
    if change.text or change.departments or change.dates or change.validity:
        return change
    return None


def compare(old: KnowledgeState, new: KnowledgeState) -> KbDiff:
    diff = KbDiff()
    old_docs = {d.info.doc_id for d in old.catalog.documents}
    new_docs = {d.info.doc_id for d in new.catalog.documents}
    diff.documents_added = sorted(new_docs - old_docs)
    diff.documents_removed = sorted(old_docs - new_docs)
    old_measures, new_measures = old.measures, new.measures
    diff.measures_added = sorted(new_measures.keys() - old_measures.keys())
    diff.measures_removed = sorted(old_measures.keys() - new_measures.keys())
    for key in sorted(old_measures.keys() & new_measures.keys()):
        change = _measure_change(old_measures[key], new_measures[key])
        if change is not None:
            diff.measures_changed.append(change)
    diff.files_changed = sorted(name for name in old.files.keys() | new.files.keys()
                                if old.files.get(name) != new.files.get(name))
    touched = {(c.doc_id, c.number) for c in diff.measures_changed} | set(diff.measures_removed)
    diff.rules_to_review = sorted(key for key in new.rules.rules.keys() | old.rules.rules.keys()
                                  if key in touched)
    for doc_id, number in sorted(touched):
        measure = old_measures[(doc_id, number)]
        count = len(old.bank.questions.get(measure_key(measure), []))
        if count:
            diff.questions_to_review[(doc_id, number)] = count
    return diff
