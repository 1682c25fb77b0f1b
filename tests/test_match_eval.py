"""The matching evaluation set and its judge: enough enterprises, every measure named
exists, the targets hold, and a wrong expectation is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.settings import get_settings
from tests.bench.match_eval import GROUPS, PROFILES, TARGET, SetInvalid, evaluate, load, markdown


@pytest.fixture(scope="module")
def book(catalog: Catalog) -> RuleBook:
    return RuleBook.load(get_settings().eligibility_dir, catalog)


def test_the_set_has_thirty_enterprises_naming_real_measures(catalog: Catalog) -> None:
    _, profiles = load()
    assert len(profiles) >= 30
    numbers = {m.number for m in catalog.measures}
    for p in profiles:
        named = p.nowhere.union(*p.must.values(), *p.must_not.values())
        assert named <= numbers, p.id
        assert not p.must["eligible"] & (p.nowhere | p.must_not["eligible"]), p.id


def test_matching_meets_its_targets_on_the_set(catalog: Catalog, book: RuleBook) -> None:
    report = evaluate(catalog, book)
    assert report.precision >= TARGET and report.recall >= TARGET, [
        (j.id, j.misses) for j in report.judged if j.misses]
    assert report.checks_passed >= 0.95 * report.checks
    assert "| 符合 precision |" in markdown(report, len(book.rules), 75, "2026-11-30", "x86_64, 2 cores")


def test_a_wrong_expectation_is_counted(tmp_path: Path, catalog: Catalog, book: RuleBook) -> None:
    wrong = tmp_path / "profiles.yml"
    wrong.write_text("as_of: 2026-11-30\nprofiles:\n"
                     "  - id: exporter\n    says: 我们是小微企业,年出口200万美元\n"
                     "    eligible: {must: [50, 52]}\n    expired: {must_not: [44]}\n", encoding="utf-8")
    report = evaluate(catalog, book, wrong)
    misses = report.judged[0].misses
    assert "第52条 missing from eligible" in misses and "第44条 must not be in expired" in misses
    assert "第41条 in eligible but not expected there" in misses
    assert report.recall == 0.5 and report.precision < 0.5
    assert report.profiles_right == 0


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "profiles.yml"
    broken.write_text("as_of: 2026-11-30\nprofiles:\n  - {id: a, says: x, eligble: {must: [1]}}\n",
                      encoding="utf-8")
    with pytest.raises(SetInvalid):
        load(broken)
    assert PROFILES.exists() and GROUPS == ("eligible", "possible", "expired")
