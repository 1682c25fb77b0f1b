"""A document's identity from its sidecar, `sources/<stem>.meta.yml`, checked against its text.

The text's header says the title, issuer and date, but not what replies should call the
document (its short name, 简称) nor which earlier measures it replaces: that is what the
sidecar adds. It repeats the header's facts on purpose, so that a sidecar copied beside
the wrong text, or left behind when the text was replaced, is caught, not believed.

    id: hongqi-2024-adjustments          # optional; must be the file's stem
    title: 红旗区关于调整部分稳经济政策措施的通知
    short_name: 红旗区稳经济措施调整(2024)
    issuer: 红旗区人民政府
    issue_date: 2024-02-26
    supersedes:                          # optional
      hongqi-2023-measures:              # an earlier document in the same tree
        44: 3                            # its 第44条 is replaced by this document's 第3条
      hongqi-2022-measures: all          # ... or that whole document

A text without a sidecar keeps the identity its header gives (short name = title).
Whether the documents and measures named under `supersedes` exist is checked with the
other documents (knowledge/succession.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.errors import Problem
from knowledge.models import DocumentInfo, Supersession
from knowledge.yamllines import LineDict, line_of, load_file

SIDECAR_SUFFIX = ".meta.yml"
WHOLE_DOCUMENT = "all"
_REQUIRED = ("title", "short_name", "issuer", "issue_date")
_KNOWN = frozenset({"id", *_REQUIRED, "supersedes"})
# Short names are written inside 《》 in replies; these would break that or a link.
_BAD_NAME = re.compile(r"[《》\n\r]")


def sidecar_of(text_path: Path) -> Path:
    """knowledge/sources/x.txt -> knowledge/sources/x.meta.yml."""
    return text_path.with_name(text_path.stem + SIDECAR_SUFFIX)


def text_of(sidecar: Path) -> Path:
    """knowledge/sources/x.meta.yml -> knowledge/sources/x.txt."""
    return sidecar.with_name(sidecar.name.removesuffix(SIDECAR_SUFFIX) + ".txt")


@dataclass
class Sidecar:
    path: str
    values: dict[str, Any]
    lines: dict[str, int]
    supersedes: list[Supersession] = field(default_factory=list)


def read_sidecar(path: Path, stem: str) -> tuple[Sidecar | None, list[Problem]]:
    """The sidecar's fields with their lines, and every problem of its own shape."""
    where = str(path)
    data, problems = load_file(path)
    if data is None and not problems:
        problems.append(Problem(where, 1, "empty sidecar (expected title, short_name, "
                                          "issuer, issue_date)"))
    if problems:
        return None, problems
    if not isinstance(data, LineDict):
        return None, [Problem(where, 1, "a sidecar is a mapping (title: …, short_name: …)")]

    def problem(key: str, message: str) -> None:
        problems.append(Problem(where, data.line_of(key), message))

    for key in data:
        if key not in _KNOWN:
            problem(key, f"unknown field {key!r} (expected one of {', '.join(sorted(_KNOWN))})")
    for key in _REQUIRED:
        if key not in data:
            problems.append(Problem(where, data.line, f"missing field {key!r}"))
    if "id" in data and str(data["id"]) != stem:
        problem("id", f"id {data['id']!r} is not the file's name {stem!r}")
    for key in ("title", "short_name", "issuer"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            problem(key, f"{key} must be non-empty text")
    if isinstance(data.get("short_name"), str) and _BAD_NAME.search(data["short_name"]):
        problem("short_name", "short_name must not contain 《, 》 or a line break")
    if "issue_date" in data and not isinstance(data["issue_date"], dt.date):
        problem("issue_date", "issue_date must be a date like 2023-03-29")
    supersedes = _read_supersedes(data, stem, problem, problems, where)
    values = {k: v for k, v in data.items() if k in _KNOWN}
    lines = {k: data.line_of(k) for k in values}
    return Sidecar(where, values, lines, supersedes), problems


def _read_supersedes(data: LineDict, stem: str, problem: Callable[[str, str], None],
                     problems: list[Problem],
                     where: str) -> list[Supersession]:
    raw = data.get("supersedes")
    if raw is None:
        return []
    if not isinstance(raw, LineDict):
        problem("supersedes", "supersedes maps a document id to {old number: new number} "
                              f"or to '{WHOLE_DOCUMENT}'")
        return []
    out = []
    for doc_id, spec in raw.items():
        line = raw.line_of(doc_id)
        if not isinstance(doc_id, str):
            problems.append(Problem(where, line, f"supersedes: {doc_id!r} is not a document id"))
            continue
        if doc_id == stem:
            problems.append(Problem(where, line, "a document cannot supersede itself"))
            continue
        if spec == WHOLE_DOCUMENT:
            out.append(Supersession(doc_id=doc_id, measures=None, line=line))
            continue
        if not isinstance(spec, LineDict) or not spec:
            problems.append(Problem(where, line, f"supersedes {doc_id}: expected "
                                                 f"{{old number: new number}} or '{WHOLE_DOCUMENT}'"))
            continue
        measures: dict[int, int] = {}
        measure_lines: dict[int, int] = {}
        for old, new in spec.items():
            at = line_of(spec, old, line)
            if not _is_number(old) or not _is_number(new):
                problems.append(Problem(where, at, f"supersedes {doc_id}: {old!r}: {new!r} is not "
                                                   "old number: new number"))
                continue
            measures[old] = new
            measure_lines[old] = at
        out.append(Supersession(doc_id=doc_id, measures=measures, line=line,
                                measure_lines=measure_lines))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999


def identify(header: DocumentInfo, sidecar: Sidecar) -> tuple[DocumentInfo, list[Problem]]:
    """The header's identity completed by the sidecar; a sidecar that disagrees with the
    text's header (title, issuer, issue date) is a problem at the sidecar's line."""
    problems = []
    values = sidecar.values

    def differs(key: str, stated: Any, in_text: Any, shown: str) -> None:
        if key in values and stated != in_text:
            problems.append(Problem(sidecar.path, sidecar.lines[key],
                                    f"{key} {stated!s} does not match the text's header ({shown})"))

    differs("title", _plain(values.get("title")), _plain(header.title), f"《{header.title}》")
    differs("issuer", _plain(values.get("issuer")), _plain(header.issuer), header.issuer)
    differs("issue_date", values.get("issue_date"), header.issue_date, str(header.issue_date))
    short_name = values.get("short_name")
    info = header.model_copy(update={
        "short_name": short_name.strip() if isinstance(short_name, str) else "",
        "supersedes": sidecar.supersedes,
        "meta_path": sidecar.path,
        "meta_lines": sidecar.lines,
    })
    return info, problems


def _plain(value: Any) -> str:
    """Text compared without spaces: a title wrapped over two lines is the same title."""
    return re.sub(r"\s+", "", str(value)) if value is not None else ""
