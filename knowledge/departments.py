"""Department names: from a document's 责任单位 list or a user's words to one full name.

The alias table (departments.yml) is the single source of truth; nothing here knows a
department by name, so a new document only needs new rows in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.errors import DocumentInvalid, Problem, UnknownDepartment
from knowledge.yamllines import LineDict, line_of, load_file

DEFAULT_TABLE = Path(__file__).with_name("departments.yml")

# "消防大队等负有安全管理职责的部门": the last name is followed by a catch-all phrase.
_CATCH_ALL = re.compile(r"等[^、]*$")
_DISTRICT_PREFIX = "区"


@dataclass(frozen=True)
class ParsedDepartments:
    names: list[str]
    unknown: list[str]
    note: str


class DepartmentTable:
    """Maps any known way of naming a department to its canonical full name."""

    def __init__(self, canonical: dict[str, list[str]]) -> None:
        self.canonical = list(canonical)
        self._lookup: dict[str, str] = {}
        for name, aliases in canonical.items():
            for alias in [name, *(aliases or [])]:
                key = _key(alias)
                other = self._lookup.get(key)
                if other is not None and other != name:
                    raise ValueError(f"alias {alias!r} names both {other} and {name}")
                self._lookup[key] = name

    @classmethod
    def load(cls, path: Path = DEFAULT_TABLE) -> DepartmentTable:
        """The table in `path`; DocumentInvalid listing every problem (read_table)."""
        table, problems = read_table(path)
        if problems:
            raise DocumentInvalid(problems)
        return table

    def aliases(self) -> dict[str, list[str]]:
        """Every alias (including the canonical name) grouped by canonical name."""
        out: dict[str, list[str]] = {name: [] for name in self.canonical}
        for alias, name in self._lookup.items():
            out[name].append(alias)
        return out

    def find(self, text: str) -> str | None:
        """Canonical name for a department as people say it, or None."""
        key = _key(text)
        if key in self._lookup:
            return self._lookup[key]
        # "区里的商务局" / "商务局那边": fall back to the longest alias contained in it.
        best = max((a for a in self._lookup if a and a in key), key=len, default=None)
        return self._lookup[best] if best is not None and len(best) >= 2 else None

    def resolve(self, text: str) -> str:
        found = self.find(text)
        if found is None:
            raise UnknownDepartment(text)
        return found

    def parse_responsible(self, raw: str) -> ParsedDepartments:
        """Split a 责任单位 list ("区财政局、商务局") into canonical names.

        Items after the first inherit its "区" prefix, as the documents write them;
        only exact table entries are accepted, so a typo is reported, not guessed.
        """
        names: list[str] = []
        unknown: list[str] = []
        note = ""
        items = [item.strip() for item in raw.split("、") if item.strip()]
        for item in items:
            catch_all = _CATCH_ALL.search(item)
            if catch_all:
                note = catch_all.group(0)
                item = item[: catch_all.start()]
            name = self._lookup.get(_key(item))
            if name is None and not item.startswith(_DISTRICT_PREFIX):
                name = self._lookup.get(_key(_DISTRICT_PREFIX + item))
            if name is None:
                unknown.append(item)
            elif name not in names:
                names.append(name)
        return ParsedDepartments(names=names, unknown=unknown, note=note)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_table(path: Path) -> tuple[DepartmentTable, list[Problem]]:
    """The table and every problem of its file: a malformed row, an empty or duplicated
    alias, or one alias naming two departments (a user's words would then be guessed).
    The table holds the rows that could be read, so the documents can still be checked."""
    where = str(path)
    data, problems = load_file(path)
    if data is not None and not isinstance(data, LineDict):
        problems.append(Problem(where, 1, "the table maps each full name to a list of aliases"))
        data = None
    canonical: dict[str, list[str]] = {}
    first: dict[str, tuple[str, int]] = {}  # alias key -> (department, line)
    for name, aliases in (data or {}).items():
        line = line_of(data, name)
        if not isinstance(name, str) or not _key(name):
            problems.append(Problem(where, line, f"{name!r} is not a department name"))
            continue
        if aliases is not None and not isinstance(aliases, list):
            problems.append(Problem(where, line, f"aliases of {name} must be a list [别名, …]"))
            continue
        said = [(name, line)] + [(a, line_of(aliases, i, line)) for i, a in enumerate(aliases or [])]
        kept = []
        for alias, at in said:
            if not isinstance(alias, str) or not _key(alias):
                problems.append(Problem(where, at, f"empty or non-text alias of {name}: {alias!r}"))
                continue
            key = _key(alias)
            if key in first:
                owner, owner_line = first[key]
                problems.append(Problem(where, at, (
                    f"duplicate alias {alias!r} of {name} (first at line {owner_line})"
                    if owner == name else
                    f"alias {alias!r} names both {owner} (line {owner_line}) and {name}")))
                continue
            first[key] = (name, at)
            if alias != name:
                kept.append(alias)
        canonical[name] = kept
    return DepartmentTable(canonical), problems


@cache
def default_table() -> DepartmentTable:
    return DepartmentTable.load()
