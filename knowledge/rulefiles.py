"""Eligibility rule files (knowledge/eligibility/*.yml) checked as data, with their lines.

Rules are read by the dialogue only when a chat reaches them, so a mistake left to that
moment fails a conversation (an unknown operator) or, worse, answers wrongly without a
sound (an unknown fact type read as free text). Everything a rule can get wrong is
checked here when the rules are loaded, all problems of all files at once:

    doc_id: hongqi-2023-measures            # optional; the file's stem otherwise
    facts:
      loan_due_date: {type: date, question: …, hint: …}
    measures:
      44:
        summary: 小微企业贷款延期还本付息
        conditions:
          - {id: due, text: …, fact: loan_due_date, op: on_or_before, value: 2023-03-31}
        benefits:
          - {when: all, text: …}            # or when: {fact: …, op: …, value: …}

Facts are shared by every file of a tree (a later document's rule may use a fact an
earlier one defined). The measure must exist in the catalog when one is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.dates import parse_date
from knowledge.errors import KnowledgeError, Problem
from knowledge.statements import MONEY_FACT_UNITS, cue_problem
from knowledge.yamllines import LineDict, LineList, line_of, load_file

if TYPE_CHECKING:
    from knowledge.catalog import Catalog

# Which operators make sense for a fact of each type (knowledge.eligibility evaluates them).
OPERATORS_BY_TYPE: dict[str, frozenset[str]] = {
    "boolean": frozenset({"true", "false", "eq"}),
    "integer": frozenset({"eq", "lt", "le", "gt", "ge", "between", "in", "not_in"}),
    "number": frozenset({"eq", "lt", "le", "gt", "ge", "between", "in", "not_in"}),
    "date": frozenset({"before", "on_or_before", "after", "eq"}),
    "choice": frozenset({"eq", "in", "not_in"}),
}
FACT_TYPES = frozenset(OPERATORS_BY_TYPE)
OPERATORS = frozenset().union(*OPERATORS_BY_TYPE.values())
ALL = "all"  # a benefit that follows when every condition is met

_FILE_KEYS = frozenset({"doc_id", "facts", "measures", "classification"})
# What a measure is to an enterprise (`classification:`): a benefit whose conditions a
# rule checks, a benefit whose conditions the document does not state, or not addressed
# to enterprises at all. knowledge.matching and the measure pages read it.
RULE, OPEN, GOVERNMENT = "rule", "open", "government"
KINDS = (RULE, OPEN, GOVERNMENT)
_CLASS_KEYS = frozenset({"kind", "note"})
_FACT_KEYS = frozenset({"type", "question", "question_en", "hint", "choices", "unit", "says_yes",
                        "says_no", "cues"})
_MEASURE_KEYS = frozenset({"summary", "conditions", "benefits"})
_CONDITION_KEYS = frozenset({"id", "text", "fact", "op", "value"})
_CHECK_KEYS = frozenset({"fact", "op", "value"})
_REWARD_KEYS = frozenset({"fact", "per", "gives", "unit", "cap"})

RuleFile = tuple[Path, LineDict]


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.path = ""

    def __call__(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def read_rule_files(paths: Iterable[Path], catalog: Catalog | None = None
                    ) -> tuple[list[RuleFile], list[Problem]]:
    """The rule files (a tree's eligibility/*.yml) as data, and every problem found in
    them; their facts are checked together, as the dialogue uses them."""
    report = _Report()
    files: list[RuleFile] = []
    facts: dict[str, tuple[dict[str, Any], str]] = {}  # name -> (spec, "path:line")
    for path in paths:
        report.path = str(path)
        data, found = load_file(path)
        report.problems += found
        if data is None:
            continue
        if not isinstance(data, LineDict):
            report(1, "a rule file maps doc_id, facts and measures")
            continue
        _unknown_keys(data, _FILE_KEYS, "rule file", report)
        _check_facts(data, facts, report)
        files.append((path, data))
    ruled: dict[tuple[str, int], str] = {}  # (doc_id, number) -> "path:line" of its rule
    for path, data in files:
        report.path = str(path)
        _check_measures(data, path.stem, {k: v[0] for k, v in facts.items()}, catalog, report)
        _check_unique(data, path, ruled, report)
    classified: set[str] = set()
    for path, data in files:
        report.path = str(path)
        _check_classification(data, path, ruled, classified, catalog, report)
    return files, report.problems


def _check_classification(data: LineDict, path: Path, ruled: dict[tuple[str, int], str],
                          classified: set[str], catalog: Catalog | None, report: _Report) -> None:
    """Every measure of a document classified once, as `rule` exactly when it has a rule,
    with a note saying what the others are; a document classified in one file only."""
    doc_id = str(data.get("doc_id", path.stem))
    entries = _mapping(data, "classification", "each measure number to {kind, note}", report)
    if entries is None:
        return
    at = line_of(data, "classification")
    if doc_id in classified:
        report(at, f"measures of {doc_id} are classified in another file already")
    classified.add(doc_id)
    for number, entry in entries.items():
        line = entries.line_of(number)
        if isinstance(number, bool) or not isinstance(number, int):
            report(line, f"{number!r} is not a measure number")
            continue
        if not isinstance(entry, LineDict) or set(entry) - _CLASS_KEYS:
            report(line, f"classification of measure {number}: expected {{kind, note}}")
            continue
        kind, note = entry.get("kind"), entry.get("note")
        if kind not in KINDS:
            report(line, f"classification of measure {number}: unknown kind {kind!r} "
                         f"(expected one of {', '.join(KINDS)})")
            continue
        if note is not None and (not isinstance(note, str) or not note.strip()):
            report(line, f"classification of measure {number}: note must be text")
        if kind == RULE and (doc_id, number) not in ruled:
            report(line, f"measure {number} is classified as {RULE} but has no rule under measures:")
        if kind != RULE and (doc_id, number) in ruled:
            report(line, f"measure {number} has a rule ({ruled[(doc_id, number)]}) but is "
                         f"classified as {kind}")
        if kind != RULE and not note:
            report(line, f"classification of measure {number}: a {kind} measure needs a note "
                         "saying what it is")
    measures = None
    if catalog is not None:
        try:
            measures = catalog.document(doc_id).measures
        except KnowledgeError:
            return  # reported with the rules
    numbers = {m.number for m in measures} if measures is not None else None
    for (ruled_doc, number), where in ruled.items():
        if ruled_doc == doc_id and number not in entries and (numbers is None or number in numbers):
            report(at, f"measure {number} has a rule ({where}) but no classification")
    if measures is None:
        return
    missing = [m.number for m in measures if m.number not in entries]
    if missing:
        report(at, f"measures of {doc_id} not classified: {', '.join(map(str, missing))}")
    unknown = sorted(set(n for n in entries if isinstance(n, int)) - {m.number for m in measures})
    if unknown:
        report(at, f"classified measures {', '.join(map(str, unknown))} are not in {doc_id}")


def _check_unique(data: LineDict, path: Path, ruled: dict[tuple[str, int], str],
                  report: _Report) -> None:
    """One rule per measure: a second would silently replace the first."""
    doc_id = str(data.get("doc_id", path.stem))
    measures = _mapping(data, "measures", "", None)
    for number in measures or ():
        line = line_of(measures, number)
        if (doc_id, number) in ruled:
            report(line, f"rule for measure {number} of {doc_id} is defined twice "
                         f"(first at {ruled[(doc_id, number)]})")
        ruled.setdefault((doc_id, number), f"{path}:{line}")


def _unknown_keys(data: LineDict, known: frozenset[str], what: str, report: _Report) -> None:
    for key in data:
        if key not in known:
            report(data.line_of(key), f"unknown {what} field {key!r} "
                                      f"(expected one of {', '.join(sorted(known))})")


def _mapping(data: LineDict, key: str, shape: str, report: _Report | None) -> LineDict | None:
    """The file's `facts:` or `measures:` mapping; None when absent or (reported) not one."""
    value = data.get(key)
    if value is not None and not isinstance(value, LineDict):
        if report is not None:
            report(line_of(data, key), f"{key} maps {shape}")
        return None
    return value


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_facts(data: LineDict, facts: dict[str, tuple[dict[str, Any], str]],
                 report: _Report) -> None:
    specs = _mapping(data, "facts", "each fact name to its type and question", report)
    for name, spec in (specs or {}).items():
        line = line_of(specs, name)
        if name in facts:
            report(line, f"fact {name!r} is defined twice (first at {facts[name][1]})")
            continue
        if not isinstance(spec, LineDict):
            report(line, f"fact {name!r}: expected type, question, hint")
            continue
        _unknown_keys(spec, _FACT_KEYS, f"fact {name!r}", report)
        kind = spec.get("type")
        if kind not in FACT_TYPES:
            report(line_of(spec, "type", line), f"fact {name!r}: unknown type {kind!r} "
                                                f"(expected one of {', '.join(sorted(FACT_TYPES))})")
        if not isinstance(spec.get("question"), str) or not spec["question"].strip():
            report(line_of(spec, "question", line), f"fact {name!r}: missing question")
        if kind == "choice" and not (_texts(spec.get("choices")) and spec["choices"]):
            report(line_of(spec, "choices", line), f"fact {name!r}: a choice needs choices [a, b, …]")
        for key in ("says_yes", "says_no"):
            if key in spec and not _texts(spec[key]):
                report(spec.line_of(key), f"fact {name!r}: {key} must be a list of phrases")
        for key in ("hint", "unit", "question_en"):
            if key in spec and not isinstance(spec[key], str):
                report(spec.line_of(key), f"fact {name!r}: {key} must be text")
        if kind == "number" and spec.get("unit") not in MONEY_FACT_UNITS:
            report(line_of(spec, "unit", line), f"fact {name!r}: a number fact needs a unit of "
                                                f"money ({', '.join(MONEY_FACT_UNITS)})")
        _check_cues(spec, name, kind, line, report)
        facts[name] = (spec, f"{report.path}:{line}")


def _check_cues(spec: LineDict, name: str, kind: Any, line: int, report: _Report) -> None:
    """Cue phrases (knowledge/statements.py): well formed, in the shape the fact's type
    reads (choice: {choice: [cues]}; integer, number, date: [cues]; boolean: says_yes and
    says_no), and never stating two things at once."""
    lists = {key: (spec[key], line_of(spec, key, line)) for key in ("says_yes", "says_no")
             if _texts(spec.get(key))}
    if "cues" in spec:
        cues = spec["cues"]
        at = spec.line_of("cues")
        if kind == "choice":
            if not isinstance(cues, LineDict):
                report(at, f"fact {name!r}: cues of a choice map each choice to its phrases")
                cues = LineDict()
            for choice, phrases in cues.items():
                where = line_of(cues, choice, at)
                if choice not in (spec.get("choices") or []):
                    report(where, f"fact {name!r}: cues for {choice!r}, which is not one of its "
                                  "choices")
                if not _texts(phrases):
                    report(where, f"fact {name!r}: cues of {choice!r} must be a list of phrases")
                    continue
                lists[f"cues of {choice!r}"] = (phrases, where)
        elif kind in ("integer", "number", "date"):
            if not _texts(cues):
                report(at, f"fact {name!r}: cues must be a list of phrases")
            else:
                lists["cues"] = (cues, at)
        else:
            report(at, f"fact {name!r}: a {kind} fact has no cues "
                       "(a boolean fact has says_yes and says_no)")
    owner: dict[str, str] = {}
    for key, (phrases, where) in lists.items():
        for i, phrase in enumerate(phrases):
            at = line_of(phrases, i, where)
            if (problem := cue_problem(phrase)) is not None:
                report(at, f"fact {name!r}: {problem}")
            elif phrase in owner and owner[phrase] != key:
                report(at, f"fact {name!r}: {phrase!r} is in both {owner[phrase]} and {key}")
            owner.setdefault(phrase, key)


def _check_measures(data: LineDict, stem: str, facts: dict[str, Any], catalog: Catalog | None,
                    report: _Report) -> None:
    doc_id = str(data.get("doc_id", stem))
    measures = _mapping(data, "measures", "each measure number to its rule", report)
    if measures is None:
        return
    document_known = True
    if catalog is not None:
        try:
            catalog.document(doc_id)
        except KnowledgeError as exc:
            report(line_of(data, "doc_id"), str(exc))
            document_known = False
    for number, spec in measures.items():
        line = measures.line_of(number)
        if isinstance(number, bool) or not isinstance(number, int):
            report(line, f"{number!r} is not a measure number")
            continue
        if catalog is not None and document_known:
            try:
                catalog.measure(number, doc_id)
            except KnowledgeError as exc:
                report(line, f"rule for measure {number}: {exc}")
        if not isinstance(spec, LineDict):
            report(line, f"rule for measure {number}: expected summary, conditions, benefits")
            continue
        _unknown_keys(spec, _MEASURE_KEYS, f"rule {number}", report)
        if not isinstance(spec.get("summary"), str) or not spec["summary"].strip():
            report(line_of(spec, "summary", line), f"rule for measure {number}: missing summary")
        _check_conditions(spec, number, facts, report)
        _check_benefits(spec, number, facts, report)


def _check_conditions(spec: LineDict, number: int, facts: dict[str, Any], report: _Report) -> None:
    conditions = spec.get("conditions")
    if not isinstance(conditions, LineList) or not conditions:
        report(line_of(spec, "conditions", spec.line), f"rule for measure {number}: "
                                                       "conditions must be a non-empty list")
        return
    ids: dict[Any, int] = {}
    for i, condition in enumerate(conditions):
        line = conditions.line_of(i)
        if not isinstance(condition, LineDict):
            report(line, f"rule for measure {number}: a condition has id, text, fact, op, value")
            continue
        _unknown_keys(condition, _CONDITION_KEYS, "condition", report)
        for key in ("id", "text"):
            if not isinstance(condition.get(key), str) or not condition[key].strip():
                report(line_of(condition, key, line), f"rule for measure {number}: condition "
                                                      f"without {key}")
        if condition.get("id") in ids:
            report(line, f"rule for measure {number}: duplicate condition id "
                         f"{condition['id']!r} (first at line {ids[condition['id']]})")
        elif isinstance(condition.get("id"), str):
            ids[condition["id"]] = line
        _check_check(condition, facts, report)


def _check_benefits(spec: LineDict, number: int, facts: dict[str, Any], report: _Report) -> None:
    benefits = spec.get("benefits")
    if benefits is None:
        return
    if not isinstance(benefits, LineList):
        report(line_of(spec, "benefits"), f"rule for measure {number}: benefits must be a list")
        return
    for i, benefit in enumerate(benefits):
        line = benefits.line_of(i)
        if not isinstance(benefit, LineDict) or set(benefit) - {"when", "text", "reward"}:
            report(line, f"rule for measure {number}: malformed benefit (expected when, text, "
                         "reward)")
            continue
        if "reward" in benefit:
            _check_reward(benefit["reward"], number, facts, line_of(benefit, "reward", line), report)
        if not isinstance(benefit.get("text"), str) or not benefit["text"].strip():
            report(line, f"rule for measure {number}: malformed benefit (no text)")
        when = benefit.get("when")
        if when == ALL:
            continue
        if not isinstance(when, LineDict) or set(when) - _CHECK_KEYS:
            report(line_of(benefit, "when", line), f"rule for measure {number}: malformed benefit "
                                                   f"(when is '{ALL}' or {{fact, op, value}})")
            continue
        _check_check(when, facts, report)


def _check_reward(reward: Any, number: int, facts: dict[str, Any], line: int,
                  report: _Report) -> None:
    """A reward worked out from a figure: {fact, per, gives, unit, cap?}."""
    if not isinstance(reward, LineDict) or set(reward) - _REWARD_KEYS or \
            not {"fact", "per", "gives", "unit"} <= set(reward):
        report(line, f"rule for measure {number}: a reward is {{fact, per, gives, unit, cap}}")
        return
    fact = facts.get(reward["fact"])
    if fact is None or fact.get("type") not in ("integer", "number"):
        report(line, f"rule for measure {number}: reward fact {reward['fact']!r} must be a "
                     "defined integer or number fact")
    for key in ("per", "gives", "cap"):
        if key in reward and not (_is_number(reward[key]) and reward[key] > 0):
            report(line, f"rule for measure {number}: reward {key} must be a positive number")
    if not isinstance(reward["unit"], str) or not reward["unit"].strip():
        report(line, f"rule for measure {number}: reward unit must be text")


def _check_check(check: LineDict, facts: dict[str, Any], report: _Report) -> None:
    """One comparison: its fact defined, its operator known and fit for the fact's type,
    its value of the shape the operator reads."""
    line = check.line
    name, op, value = check.get("fact"), check.get("op"), check.get("value")
    if op not in OPERATORS:
        report(line_of(check, "op", line), f"unknown op {op!r} "
                                           f"(expected one of {', '.join(sorted(OPERATORS))})")
        op = None
    if not isinstance(name, str) or name not in facts:
        report(line_of(check, "fact", line), f"unknown fact {name!r} (define it under facts:)")
        return
    fact = facts[name]
    kind = fact.get("type")
    if op is None or kind not in FACT_TYPES:
        return
    at = line_of(check, "value", line)
    if op not in OPERATORS_BY_TYPE[kind]:
        report(line_of(check, "op", line), f"op {op!r} does not apply to {kind} fact {name!r}")
    elif op in ("true", "false"):
        if value is not None:
            report(at, f"op {op!r} takes no value")
    elif op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            report(at, f"op {op!r} needs a list of values")
        elif kind == "choice":
            _in_choices(value, fact, name, at, report)
    elif op == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
            report(at, "op 'between' needs [low, high]")
    elif op in ("before", "on_or_before", "after"):
        if not isinstance(value, dt.date) and parse_date(str(value)) is None:
            report(at, f"op {op!r} needs a date like 2023-03-31")
    elif kind == "choice":
        _in_choices([value], fact, name, at, report)
    elif kind in ("integer", "number") and not _is_number(value):
        report(at, f"op {op!r} on {kind} fact {name!r} needs a number")


def _in_choices(values: list[Any], fact: dict[str, Any], name: str, line: int,
                report: _Report) -> None:
    choices = fact.get("choices") or []
    for value in values:
        if value not in choices:
            report(line, f"{value!r} is not one of the choices of fact {name!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
