"""Policy matching on the project's set of enterprises describing themselves
(knowledge/evaluation/match-profiles.yml): each description is read into a profile the
way the chat reads it (knowledge.matching.stated_profile), matched as of the set's date,
and judged on what must and must not be in each group. The 符合 group's precision and
recall (micro, over every profile) are the figures; targets 0.95 both.

`make eval-match` (or `python -m tests.bench.match_eval`) prints the summary and the
misses, and writes var/bench/match_eval.json and var/bench/match.md (the README block,
through scripts/update-readme-figures.sh match). tests/test_match_eval.py holds the
targets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.matching import ELIGIBLE, EXPIRED, POSSIBLE, match_profile, stated_profile
from knowledge.settings import PACKAGE_DIR, get_settings

PROFILES = PACKAGE_DIR / "evaluation" / "match-profiles.yml"
GROUPS = (ELIGIBLE, POSSIBLE, EXPIRED)
TARGET = 0.95
OUT = Path("var/bench")


@dataclass(frozen=True)
class Profile:
    id: str
    says: str
    must: dict[str, frozenset[int]]
    must_not: dict[str, frozenset[int]]
    nowhere: frozenset[int] = frozenset()


class SetInvalid(Exception):
    pass


def load(path: Path = PROFILES) -> tuple[dt.date, list[Profile]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    as_of = data["as_of"]
    profiles = []
    for entry in data["profiles"]:
        unknown = set(entry) - {"id", "says", "nowhere", *GROUPS}
        if unknown:
            raise SetInvalid(f"{entry.get('id')}: unknown keys {sorted(unknown)}")
        must = {g: frozenset((entry.get(g) or {}).get("must") or ()) for g in GROUPS}
        must_not = {g: frozenset((entry.get(g) or {}).get("must_not") or ()) for g in GROUPS}
        profiles.append(Profile(str(entry["id"]), str(entry["says"]), must, must_not,
                                frozenset(entry.get("nowhere") or ())))
    ids = [p.id for p in profiles]
    if len(set(ids)) != len(ids):
        raise SetInvalid("profile ids repeat")
    return as_of, profiles


@dataclass
class Judged:
    id: str
    says: str
    facts: dict[str, Any]
    found: dict[str, list[int]]
    misses: list[str] = field(default_factory=list)


@dataclass
class Report:
    as_of: str
    profiles: int
    precision: float
    recall: float
    checks: int
    checks_passed: int
    profiles_right: int
    judged: list[Judged]

    @property
    def meets_targets(self) -> bool:
        return self.precision >= TARGET and self.recall >= TARGET


def _judge(profile: Profile, found: dict[str, list[int]]) -> tuple[list[str], int]:
    misses, checks = [], 0
    for group in GROUPS:
        have = set(found[group])
        for n in sorted(profile.must[group]):
            checks += 1
            if n not in have:
                misses.append(f"第{n}条 missing from {group}")
        for n in sorted(profile.must_not[group] | profile.nowhere):
            checks += 1
            if n in have:
                misses.append(f"第{n}条 must not be in {group}")
    extra = set(found[ELIGIBLE]) - profile.must[ELIGIBLE]
    misses += [f"第{n}条 in eligible but not expected there" for n in sorted(extra)]
    return misses, checks


def evaluate(catalog: Catalog, book: RuleBook, path: Path = PROFILES) -> Report:
    as_of, profiles = load(path)
    doc_id = catalog.documents[-1].info.doc_id if catalog.several else catalog.document().info.doc_id
    judged, checks, passed = [], 0, 0
    true_positive = predicted = gold = 0
    for profile in profiles:
        facts = stated_profile(profile.says, book, as_of)
        result = match_profile(facts, catalog, book, as_of)
        found = {g: [m.measure.number for m in result.group(g) if m.measure.doc_id == doc_id]
                 for g in GROUPS}
        misses, count = _judge(profile, found)
        extra = len(set(found[ELIGIBLE]) - profile.must[ELIGIBLE])
        checks += count
        passed += count - (len(misses) - extra)
        eligible = set(found[ELIGIBLE])
        true_positive += len(eligible & profile.must[ELIGIBLE])
        predicted += len(eligible)
        gold += len(profile.must[ELIGIBLE])
        judged.append(Judged(profile.id, profile.says, {k: _plain(v) for k, v in facts.items()},
                             found, misses))
    return Report(as_of=as_of.isoformat(), profiles=len(profiles),
                  precision=round(true_positive / predicted, 4) if predicted else 1.0,
                  recall=round(true_positive / gold, 4) if gold else 1.0,
                  checks=checks, checks_passed=passed,
                  profiles_right=sum(not j.misses for j in judged), judged=judged)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value == float("inf"):
        return None
    return value


def markdown(report: Report, rules: int, measures: int, measured: str, machine: str) -> str:
    return (f"Measured {measured} on {machine} by `make eval-match` ({report.profiles} enterprises "
            f"describing themselves, `knowledge/evaluation/match-profiles.yml`, as of "
            f"{report.as_of}; {rules} of {measures} measures have checkable rules).\n\n"
            "| 符合 precision | 符合 recall | must / must-not checks | profiles entirely right |\n"
            "|---|---|---|---|\n"
            f"| {report.precision:.3f} | {report.recall:.3f} | "
            f"{report.checks_passed} / {report.checks} | {report.profiles_right} / {report.profiles} |\n")


def main() -> int:
    settings = get_settings()
    catalog = Catalog.from_settings(settings)
    book = RuleBook.load(settings.eligibility_dir, catalog)
    report = evaluate(catalog, book)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "match_eval.json").write_text(json.dumps(asdict(report), ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    machine = f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores"
    (OUT / "match.md").write_text(markdown(report, len(book.rules), len(catalog.measures),
                                           dt.date.today().isoformat(), machine), encoding="utf-8")
    for j in report.judged:
        if j.misses:
            sys.stdout.write(f"✗ {j.id}: {'; '.join(j.misses)}\n    facts: {j.facts}\n")
    sys.stdout.write(f"符合 precision {report.precision:.3f}, recall {report.recall:.3f}; checks "
                     f"{report.checks_passed}/{report.checks}; profiles right "
                     f"{report.profiles_right}/{report.profiles} (target {TARGET} both)\n")
    return 0 if report.meets_targets else 1


if __name__ == "__main__":
    sys.exit(main())
