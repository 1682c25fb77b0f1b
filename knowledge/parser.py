"""Policy document text -> validated Measure records.

A document is: a header (addressees, title, issuer, issue date), chapters "一、…",
sections "(一)…", and numbered measures "1.…(责任单位:…)". A chapter without numbered
measures (such as "七、组织保障") holds paragraphs that are not measures. Every
problem is collected with its line so a maintainer can fix a document in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.amounts import extract_amounts
from knowledge.dates import extract_dates
from knowledge.departments import DepartmentTable, default_table
from knowledge.errors import DocumentInvalid, Problem
from knowledge.identity import identify, read_sidecar, sidecar_of
from knowledge.models import Document, DocumentInfo, Heading, Measure
from knowledge.numerals import parse_chinese_number

_NUMERAL_CHARS = "零〇一二两三四五六七八九十百廿"
_CHAPTER = re.compile(rf"^([{_NUMERAL_CHARS}]+)、\s*(.+)$")
_SECTION = re.compile(r"^[((]([^()()]{1,4})[))]\s*(.*)$")
_MEASURE = re.compile(r"^(\d{1,3})[.．]\s*(.+)$")
_BAD_MEASURE = re.compile(r"^(\d{1,3})\s*[、,,)\)]")
_RESPONSIBLE = re.compile(r"[((]\s*责任单位\s*[::]\s*([^()()]*)[))]\s*[。.;;]?\s*$")
_ISSUE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_TITLE = re.compile(r"《([^》]+)》")

Lines = list[tuple[int, str]]
Report = Callable[[int, str], None]


@dataclass
class _Chapter:
    heading: Heading
    line: int
    has_measures: bool = False


@dataclass
class _Draft:
    number: int
    line: int
    chapter: _Chapter
    section: Heading | None
    parts: list[str] = field(default_factory=list)


def parse_document(path: Path, table: DepartmentTable | None = None) -> Document:
    """Parse and validate one document and its sidecar (<stem>.meta.yml, if there is one);
    raise DocumentInvalid listing every problem of both."""
    document, problems = read_document(path, table)
    if problems:
        raise DocumentInvalid(problems)
    assert document is not None
    return document


def read_document(path: Path, table: DepartmentTable | None = None
                  ) -> tuple[Document | None, list[Problem]]:
    """What could be read of a document (None when its header gives no identity) and every
    problem of its text and sidecar: a validator checks the rules and questions that refer
    to a document with problems against what it does have, instead of reporting each of
    them as referring to an unknown document."""
    raw = path.read_bytes()
    info, measures, problems = _read(raw, path=str(path), doc_id=path.stem, table=table)
    problems.sort(key=lambda p: p.line)
    meta = sidecar_of(path)
    if meta.exists():
        sidecar, more = read_sidecar(meta, path.stem)
        problems += more
        if sidecar is not None and info is not None:
            info, more = identify(info, sidecar)
            problems += more
    if info is None:
        return None, problems
    return Document(info=info, measures=measures, checksum=hashlib.sha256(raw).hexdigest()), problems


def parse_bytes(
    raw: bytes, *, path: str, doc_id: str, table: DepartmentTable | None = None
) -> Document:
    """Parse and validate a document's text alone (identity from its header)."""
    info, measures, problems = _read(raw, path=path, doc_id=doc_id, table=table)
    if problems:
        raise DocumentInvalid(sorted(problems, key=lambda p: p.line))
    assert info is not None
    return Document(info=info, measures=measures, checksum=hashlib.sha256(raw).hexdigest())


def _read(
    raw: bytes, *, path: str, doc_id: str, table: DepartmentTable | None
) -> tuple[DocumentInfo | None, list[Measure], list[Problem]]:
    """The header's identity (None when it lacks a title or date), the measures and every
    problem found, so a caller can check a sidecar even against a text with problems."""
    table = table or default_table()
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    lines: list[tuple[int, str]] = []
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem(number, f"bytes that are not UTF-8 at column {exc.start + 1}")
            text = chunk.decode("utf-8", errors="replace")
        lines.append((number, text.strip().lstrip("\ufeff")))

    first_chapter = next(
        (i for i, (_, text) in enumerate(lines) if _is_chapter_start(text)), len(lines)
    )
    info = _read_header(lines[:first_chapter], path, doc_id, problem)
    drafts = _read_body(lines[first_chapter:], problem)
    if not drafts:
        problem(lines[-1][0] if lines else 1, "no numbered measures found")
    _check_numbering(drafts, problem)
    measures = [m for d in drafts if (m := _finish(d, doc_id, table, problem)) is not None]
    return info, measures, problems


def _is_chapter_start(text: str) -> bool:
    m = _CHAPTER.match(text)
    return m is not None and parse_chinese_number(m.group(1)) == 1


def _read_header(lines: Lines, path: str, doc_id: str, problem: Report) -> DocumentInfo | None:
    title = issuer = ""
    issue_date: dt.date | None = None
    for index, (_, text) in enumerate(lines):
        if not title and (m := _TITLE.search(text)):
            title = m.group(1)
        if issue_date is None and (m := _ISSUE_DATE.match(text)):
            issue_date = dt.date(*(int(g) for g in m.groups()))
            issuer = lines[index - 1][1] if index > 0 else ""
    where = lines[0][0] if lines else 1
    if issue_date is None:
        problem(where, "no issue date (a line like 2023年3月29日) in the header")
    if not title:
        problem(where, "no document title (《…》) in the header")
    if not lines:
        problem(1, "no header before the first chapter 一、")
    if issue_date is None or not title:
        return None
    return DocumentInfo(doc_id=doc_id, title=title, issuer=issuer, issue_date=issue_date,
                        path=path)


def _read_body(lines: Lines, problem: Report) -> list[_Draft]:
    chapters: list[_Chapter] = []
    section: Heading | None = None
    section_line = 0
    last_section_number = 0
    pending_sections: list[tuple[int, Heading]] = []
    drafts: list[_Draft] = []
    current: _Draft | None = None

    for line, text in lines:
        if not text:
            continue
        if m := _CHAPTER.match(text):
            value = parse_chinese_number(m.group(1))
            expected = len(chapters) + 1
            if value is None:
                problem(line, f"unrecognised chapter marker '{m.group(1)}、'")
                continue
            if value != expected:
                problem(line, f"chapter {m.group(1)} out of order (expected chapter {expected})")
            chapters.append(_Chapter(Heading(number=value, numeral=m.group(1),
                                             title=m.group(2).strip()), line))
            section, current = None, None
            continue
        if m := _SECTION.match(text):
            value = parse_chinese_number(m.group(1))
            if value is None:
                problem(line, f"unrecognised section marker '({m.group(1)})'")
                continue
            section = Heading(number=value, numeral=m.group(1), title=m.group(2).strip())
            section_line = line
            pending_sections.append((line, section))
            current = None
            continue
        if m := _MEASURE.match(text):
            if not chapters:
                problem(line, "measure before the first chapter")
                continue
            chapters[-1].has_measures = True
            if section is not None and pending_sections and pending_sections[-1][1] is section:
                # The section is confirmed as a measure section: check its number now.
                if section.number != last_section_number + 1:
                    problem(section_line, f"section ({section.numeral}) out of order "
                                          f"(expected section {last_section_number + 1})")
                last_section_number = section.number
                pending_sections.pop()
            current = _Draft(int(m.group(1)), line, chapters[-1], section, [m.group(2)])
            drafts.append(current)
            continue
        if _BAD_MEASURE.match(text):
            problem(line, f"unrecognised measure marker in '{text[:12]}…' (expected 'N.')")
            continue
        if current is not None:
            current.parts.append(text)
        elif chapters and section is None and not _is_paragraph_chapter(chapters[-1], lines, line):
            problem(line, "text outside any measure")
    return drafts


def _is_paragraph_chapter(chapter: _Chapter, lines: Lines, line: int) -> bool:
    """A chapter whose lines up to the next chapter hold no numbered measure."""
    for number, text in lines:
        if number <= chapter.line:
            continue
        if _CHAPTER.match(text):
            return True
        if _MEASURE.match(text):
            return False
    return True


def _check_numbering(drafts: list[_Draft], problem: Report) -> None:
    seen: dict[int, int] = {}
    highest = 0
    for draft in drafts:
        if draft.number in seen:
            problem(draft.line, f"duplicate measure number {draft.number} "
                                f"(first at line {seen[draft.number]})")
            continue
        if draft.number < highest:
            problem(draft.line, f"measure {draft.number} out of order (after measure {highest})")
        seen[draft.number] = draft.line
        highest = max(highest, draft.number)
    previous_line = drafts[0].line if drafts else 0
    for number in range(1, highest + 1):
        if number in seen:
            previous_line = seen[number]
            continue
        later = [seen[n] for n in seen if n > number]
        problem(min(later) if later else previous_line, f"measure {number} is missing")


def _finish(
    draft: _Draft, doc_id: str, table: DepartmentTable, problem: Report
) -> Measure | None:
    full = "".join(draft.parts).strip()
    m = _RESPONSIBLE.search(full)
    if m is None:
        problem(draft.line, f"measure {draft.number} has no responsible units "
                            f"'(责任单位:…)' at its end")
        return None
    parsed = table.parse_responsible(m.group(1))
    for name in parsed.unknown:
        problem(draft.line, f"measure {draft.number}: unknown department '{name}' "
                            f"(add it to knowledge/departments.yml)")
    if not parsed.names:
        problem(draft.line, f"measure {draft.number} names no responsible department")
    text = full[: m.start()].strip()
    if draft.section is None:
        problem(draft.line, f"measure {draft.number} is not inside a section '(一)…'")
        return None
    return Measure(
        doc_id=doc_id,
        number=draft.number,
        chapter=draft.chapter.heading,
        section=draft.section,
        text=text,
        departments=parsed.names,
        departments_note=parsed.note,
        dates=extract_dates(text),
        amounts=extract_amounts(text),
        line=draft.line,
    )
