"""`policybot` command line: knowledge base, index, search and evaluation.

Domain errors are translated here into a one-line message and an exit code:
1 for invalid documents, 2 for bad usage, 3 for a missing measure/department/index.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, KnowledgeError
from knowledge.parser import parse_document
from knowledge.validity import describe_validity, validity_of
from knowledge.views import measure_view

EXIT_INVALID = 1
EXIT_NOT_FOUND = 3


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = EXIT_NOT_FOUND) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _catalog() -> Catalog:
    try:
        return Catalog.load()
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)


@click.group()
def main() -> None:
    """policybot: cited answers about district policy measures."""


@main.group()
def kb() -> None:
    """Inspect and validate the knowledge base."""


@kb.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def kb_validate(path: Path) -> None:
    """Check a policy document; print PATH:LINE: message for every problem."""
    try:
        document = parse_document(path)
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{path}: {len(exc.problems)} problem(s); document rejected", err=True)
        sys.exit(EXIT_INVALID)
    measures = document.measures
    departments = {d for m in measures for d in m.departments}
    click.echo(
        f"{path}: OK: {document.info.doc_id} 《{document.info.title}》 "
        f"{document.info.issuer} {document.info.issue_date}; {len(measures)} measures "
        f"({measures[0].number}-{measures[-1].number}), "
        f"{len({m.chapter.number for m in measures})} chapters, "
        f"{len({m.section.number for m in measures})} sections, "
        f"{len(departments)} departments"
    )


@kb.command("show")
@click.argument("number", type=int)
@click.option("--doc", "doc_id", help="Document id (default: the newest document).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_show(number: int, doc_id: str | None, as_json: bool) -> None:
    """Show one measure."""
    try:
        measure = _catalog().measure(number, doc_id)
    except KnowledgeError as exc:
        _fail(str(exc))
    if as_json:
        _emit_json(measure_view(measure))
        return
    click.echo(f"{measure.citation} [{measure.chapter.numeral}、{measure.chapter.title} / "
               f"({measure.section.numeral}){measure.section.title}]")
    click.echo(measure.text)
    click.echo(f"责任单位: {'、'.join(measure.departments)}{measure.departments_note}")
    click.echo(describe_validity(validity_of(measure)))


@kb.command("departments")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_departments(as_json: bool) -> None:
    """Each department with the measures it is responsible for."""
    index = {name: [m.number for m in ms] for name, ms in _catalog().departments().items()}
    if as_json:
        _emit_json(index)
        return
    for name, numbers in sorted(index.items(), key=lambda item: -len(item[1])):
        click.echo(f"{name}\t{len(numbers)}\t{','.join(map(str, numbers))}")


@kb.command("list")
@click.option("--department", "-d", help="Only measures of this department (any alias).")
@click.option("--chapter", "-c", type=int, help="Only measures of chapter N (1-based).")
@click.option("--in-force", is_flag=True, help="Only measures not expired today.")
@click.option("--doc", "doc_id", help="Only this document.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_list(department: str | None, chapter: int | None, in_force: bool, doc_id: str | None,
            as_json: bool) -> None:
    """List measures, filtered."""
    catalog = _catalog()
    try:
        measures = catalog.measures_of(department) if department else catalog.measures
        if doc_id:
            catalog.document(doc_id)
            measures = [m for m in measures if m.doc_id == doc_id]
    except KnowledgeError as exc:
        _fail(str(exc))
    if chapter is not None:
        if chapter not in {m.chapter.number for m in catalog.measures}:
            _fail(f"no chapter {chapter}")
        measures = [m for m in measures if m.chapter.number == chapter]
    if in_force:
        measures = [m for m in measures if validity_of(m).in_force]
    if as_json:
        _emit_json([measure_view(m) for m in measures])
        return
    for m in measures:
        status = validity_of(m).status.value
        click.echo(f"{m.number:>3}  {status:<11} {'、'.join(m.departments)}  {m.text[:40]}…")


if __name__ == "__main__":
    main()
