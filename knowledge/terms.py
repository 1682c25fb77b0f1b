"""The policy-term dictionary (knowledge/terms.txt): words jieba must keep whole.

Each line is what jieba's load_userdict reads: `word [frequency] [part-of-speech]`, e.g.
`六税两费 20 n`. jieba reads every non-blank line as a term and does not complain about
a malformed one, so a typo would silently change segmentation (in retrieval and in the
bot's NLU): it is checked here instead, with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import DocumentInvalid, Problem

_FREQUENCY = re.compile(r"[0-9]+")
_TAG = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Term:
    word: str
    line: int
    frequency: int | None = None
    tag: str = ""


def read_terms(path: Path) -> tuple[list[Term], list[Problem]]:
    """Every well-formed term and every problem, one pass."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return [], [Problem(where, line, "bytes that are not UTF-8")]
    terms: list[Term] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields:
            continue
        if fields[0].startswith("#"):
            problems.append(Problem(where, number, "a comment line would be read as a term by "
                                                   "jieba; terms.txt holds terms only"))
            continue
        term = _parse(fields, number)
        if term is None:
            problems.append(Problem(where, number, f"malformed term line {raw.strip()!r} "
                                                   "(expected: word [frequency] [tag], e.g. "
                                                   "'六税两费 20 n')"))
            continue
        if term.word in seen:
            problems.append(Problem(where, number, f"duplicate term {term.word!r} "
                                                   f"(first at line {seen[term.word]})"))
            continue
        seen[term.word] = number
        terms.append(term)
    return terms, problems


def _parse(fields: list[str], line: int) -> Term | None:
    word, rest = fields[0], fields[1:]
    frequency: int | None = None
    tag = ""
    if rest and _FREQUENCY.fullmatch(rest[0]):
        frequency = int(rest.pop(0))
    if rest and _TAG.fullmatch(rest[0]):
        tag = rest.pop(0)
    return None if rest else Term(word, line, frequency, tag)


def load_terms(path: Path) -> list[Term]:
    """The terms of a valid file; DocumentInvalid listing every problem otherwise."""
    terms, problems = read_terms(path)
    if problems:
        raise DocumentInvalid(problems)
    return terms
