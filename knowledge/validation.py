"""One check of a whole knowledge tree, or of one file against the tree it belongs to.

A tree is laid out like knowledge/ in git (and like a published version's snapshot):

    sources/*.txt (+ <stem>.meta.yml)   departments.yml   questions/*.yml
    eligibility/*.yml                   terms.txt

`validate_tree(root)` reads every file with the loaders the app itself uses, collects
every problem (`PATH:LINE: message`) in one pass and never raises for bad content: a
publish refuses a version with problems, `policybot kb validate` lists them. A file that
refers to another one (a rule to a measure, a measure to a department, a sidecar to an
earlier document) is checked against the files of the same tree, never against what
happens to be installed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from knowledge.catalog import Catalog
from knowledge.departments import DepartmentTable, read_table
from knowledge.errors import Problem
from knowledge.identity import SIDECAR_SUFFIX, sidecar_of, text_of
from knowledge.models import Document
from knowledge.parser import read_document
from knowledge.questions import read_bank
from knowledge.rulefiles import read_rule_files
from knowledge.settings import Settings
from knowledge.succession import check as check_succession
from knowledge.terms import Term, read_terms
from knowledge.yamllines import LineDict, load_file

SOURCES = "sources"
DEPARTMENTS = "departments.yml"
QUESTIONS = "questions"
ELIGIBILITY = "eligibility"
TERMS = "terms.txt"


@dataclass(frozen=True)
class Layout:
    """The files of one knowledge tree, named one by one so that a single file can be
    checked in a tree's place (`replaced`)."""

    documents: tuple[Path, ...]
    departments: Path
    questions: tuple[Path, ...] = ()
    eligibility: tuple[Path, ...] = ()
    terms: Path | None = None
    sidecars: tuple[Path, ...] = ()

    @classmethod
    def of(cls, root: Path) -> Layout:
        """The tree under `root` (the layout of knowledge/)."""
        sources = root / SOURCES
        return cls(
            documents=tuple(sorted(sources.glob("*.txt"))),
            departments=root / DEPARTMENTS,
            questions=tuple(sorted((root / QUESTIONS).glob("*.yml"))),
            eligibility=tuple(sorted((root / ELIGIBILITY).glob("*.yml"))),
            terms=root / TERMS if (root / TERMS).exists() else None,
            sidecars=tuple(sorted(sources.glob(f"*{SIDECAR_SUFFIX}"))),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Layout:
        """The tree the settings name file by file (the shipped knowledge/ by default)."""
        return cls(
            documents=tuple(sorted(settings.sources_dir.glob("*.txt"))),
            departments=settings.departments_file,
            questions=tuple(sorted(settings.questions_dir.glob("*.yml"))),
            eligibility=tuple(sorted(settings.eligibility_dir.glob("*.yml"))),
            terms=settings.terms_file if settings.terms_file.exists() else None,
            sidecars=tuple(sorted(settings.sources_dir.glob(f"*{SIDECAR_SUFFIX}"))),
        )


@dataclass
class Report:
    """What a validation found: the problems, and what was read (for a summary)."""

    problems: list[Problem]
    documents: list[Document]
    rules: int = 0
    questions: int = 0
    terms: int = 0


def validate_tree(root: Path) -> list[Problem]:
    """Every problem of the knowledge tree under `root`; empty when it can be published."""
    return check(Layout.of(root)).problems


def check(layout: Layout) -> Report:
    problems: list[Problem] = []
    if layout.departments.exists():
        table, found = read_table(layout.departments)
        problems += found
    else:
        table = DepartmentTable({})
        problems.append(Problem(str(layout.departments), 1, "no department table"))
    documents = []
    for path in layout.documents:
        document, found = read_document(path, table)
        problems += found
        if document is not None:
            documents.append(document)
    if not layout.documents:
        problems.append(Problem(str(layout.departments.parent / SOURCES), 1, "no documents (*.txt)"))
    for sidecar in layout.sidecars:
        if text_of(sidecar) not in layout.documents:
            problems.append(Problem(str(sidecar), 1, f"sidecar without its document {text_of(sidecar).name}"))
    problems += check_succession(documents)
    catalog = Catalog(documents, table)
    rule_files, found = read_rule_files(layout.eligibility, catalog)
    problems += found
    bank, found = read_bank(catalog, layout.questions)
    problems += found
    terms: list[Term] = []
    if layout.terms is not None:
        terms, found = read_terms(layout.terms)
        problems += found
    rules = sum(len(data.get("measures") or {}) for _, data in rule_files)
    return Report(problems, catalog.documents, rules, len(bank.all_texts()), len(terms))


# -- one file -----------------------------------------------------------------------------

DOCUMENT, SIDECAR, TABLE, RULES, BANK, TERMS_FILE, TREE = (
    "document", "sidecar", "departments", "eligibility", "questions", "terms", "tree")


def kind_of(path: Path) -> str | None:
    """What a knowledge file is, from its name and, for YAML, its top-level keys:
    a document (.txt), its sidecar (.meta.yml), the department table, the terms, an
    eligibility rule file (facts/measures) or a question file (questions); None if
    it is none of these."""
    if path.is_dir():
        return TREE
    if path.name.endswith(SIDECAR_SUFFIX):
        return SIDECAR
    if path.name == TERMS:
        return TERMS_FILE
    if path.suffix == ".txt":
        return DOCUMENT
    if path.name == DEPARTMENTS:
        return TABLE
    if path.suffix not in (".yml", ".yaml"):
        return None
    if path.parent.name in (ELIGIBILITY, QUESTIONS):
        return RULES if path.parent.name == ELIGIBILITY else BANK
    data, _ = load_file(path)
    if isinstance(data, LineDict):
        if "questions" in data:
            return BANK
        if "measures" in data or "facts" in data:
            return RULES
    return None


def tree_of(path: Path) -> Path | None:
    """The tree a file sits in (knowledge/eligibility/x.yml -> knowledge/), if any."""
    for root in (path.parent, path.parent.parent):
        if (root / SOURCES).is_dir() and (root / DEPARTMENTS).exists():
            return root
    return None


def validate_file(path: Path, settings: Settings | None = None) -> tuple[str, Report]:
    """Check one file (or a tree directory) in the place of its namesake in the tree it
    belongs to, or else in the settings' tree; only the problems of that file are kept
    (all of them for the department table, whose changes show up in the documents).
    Raises ValueError for a path that is no knowledge file."""
    kind = kind_of(path)
    if kind is None:
        raise ValueError(f"{path}: not a knowledge file (a document .txt, its .meta.yml, "
                         f"{DEPARTMENTS}, {TERMS}, an eligibility or question .yml, or a tree)")
    if kind == TREE:
        if not (path / SOURCES).is_dir():
            raise ValueError(f"{path}: a knowledge directory has {SOURCES}/ and {DEPARTMENTS}")
        return kind, check(Layout.of(path))
    root = tree_of(path)
    base = Layout.of(root) if root is not None else Layout.from_settings(settings or Settings())
    if kind == SIDECAR:
        path, kind = text_of(path), DOCUMENT
    layout, own = _replaced(base, kind, path)
    report = check(layout)
    if kind != TABLE:
        report.problems = [p for p in report.problems if p.path in own]
    return kind, report


def _replaced(base: Layout, kind: str, path: Path) -> tuple[Layout, set[str]]:
    """`base` with `path` in the place of the file of the same name; the paths whose
    problems are the file's own."""
    def swap(paths: tuple[Path, ...]) -> tuple[Path, ...]:
        # Last, so that what it repeats of the others (a rule, a question) is its problem.
        return tuple([p for p in paths if p.name != path.name] + [path])

    own = {str(path)}
    if kind == DOCUMENT:
        sidecar = sidecar_of(path)
        own.add(str(sidecar))
        sidecars = tuple(p for p in base.sidecars if p.name != sidecar.name)
        return replace(base, documents=swap(base.documents),
                       sidecars=sidecars + ((sidecar,) if sidecar.exists() else ())), own
    if kind == TABLE:
        return replace(base, departments=path), own
    if kind == TERMS_FILE:
        return replace(base, terms=path), own
    if kind == RULES:
        return replace(base, eligibility=swap(base.eligibility)), own
    return replace(base, questions=swap(base.questions)), own
