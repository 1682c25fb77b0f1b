"""Staging, validating and comparing a knowledge base before it is published, and the
kb lifecycle commands' errors. Nothing here builds a model: the end-to-end publish,
switch and rollback are in tests/bot/test_publish_e2e.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api import publishing
from knowledge.diff import KnowledgeState, compare
from knowledge.settings import Settings
from knowledge.versions import LIVE, VersionNotFound, all_versions, get, live, prune, set_live
from tests.conftest import ROOT, SOURCE, PinToday

POLICYBOT = str(Path(sys.executable).parent / "policybot")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An empty data directory: nothing published, so the seed is the base."""
    return Settings(var_dir=tmp_path / "var", api_urls="http://127.0.0.1:9", rasa_url="http://127.0.0.1:9")


def _amended(tmp_path: Path, old: str, new: str, name: str | None = None) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / (name or SOURCE.name)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_staging_a_document_replaces_the_one_of_the_same_name(settings: Settings, tmp_path: Path) -> None:
    amended = _amended(tmp_path, "最长可延至2023年6月30日", "最长可延至2024年12月31日")
    tree = publishing.stage([amended], settings)
    assert (tree / "sources" / SOURCE.name).read_text(encoding="utf-8") == amended.read_text(encoding="utf-8")
    assert (tree / "departments.yml").is_file() and (tree / "eligibility").is_dir()
    assert publishing.validate(tree, settings) == []


def test_a_file_that_is_no_knowledge_is_rejected_with_its_path(settings: Settings, tmp_path: Path) -> None:
    stray = tmp_path / "notes.docx"
    stray.write_bytes(b"PK\x03\x04")
    with pytest.raises(publishing.PublishRejected) as rejected:
        publishing.stage([stray], settings)
    assert [str(p) for p in rejected.value.problems][0].startswith(f"{stray}:1: not a document")


def test_problems_point_at_the_file_the_maintainer_gave(settings: Settings, tmp_path: Path) -> None:
    broken = _amended(tmp_path, "(责任单位:区金融局)", "")
    problems = publishing.validate(publishing.stage([broken], settings), settings)
    assert 67 in {p.line for p in problems if p.path == str(broken)}
    # What the broken measures leave dangling elsewhere is reported where it lies too.
    assert all(Path(p.path).is_file() for p in problems)
    assert any(p.path.endswith("eligibility/hongqi-2023-measures.yml") for p in problems)


def test_the_diff_shows_the_changed_text_dates_and_validity(settings: Settings, tmp_path: Path,
                                                            today: PinToday) -> None:
    today("2024-06-01")  # between the old deadline and the new one
    amended = _amended(tmp_path, "最长可延至2023年6月30日", "最长可延至2024年12月31日")
    old = KnowledgeState.load(settings, publishing.SEED)
    new = KnowledgeState.load(settings, publishing.stage([amended], settings))
    diff = compare(old, new)
    assert [(c.doc_id, c.number) for c in diff.measures_changed] == [("hongqi-2023-measures", 44)]
    change = diff.measures_changed[0]
    old_text = old.measures[("hongqi-2023-measures", 44)].text
    assert "".join(chars for op, chars in change.text if op != "+") == old_text
    assert change.dates is not None and "2024-12-31" in change.dates[1]
    assert change.validity is not None and "仍在有效期内" in change.validity[1]
    assert ("hongqi-2023-measures", 44) in diff.rules_to_review  # the loan-deferral rule
    assert diff.questions_to_review[("hongqi-2023-measures", 44)] > 0
    text = diff.to_text()
    assert "~ hongqi-2023-measures 第44条" in text and "[-3-]{+4+}" in text
    assert json.loads(json.dumps(diff.to_json()))["measures"]["changed"][0]["number"] == 44


def _fake_version(settings: Settings, version_id: str) -> None:
    root = settings.resolved_kb_dir / "versions" / version_id
    (root / "knowledge").mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({
        "id": version_id, "created_at": "2026-12-01T00:00:00+00:00", "summary": "test", "origin": "cli",
        "documents": [{"doc_id": "d", "title": "t", "short_name": "s", "checksum": "", "measures": 3}],
        "digests": {"knowledge": "k", "model": "m", "index": "i", "rasa": "r"}}), encoding="utf-8")


def test_the_live_pointer_and_pruning_keep_the_live_version(settings: Settings) -> None:
    for version_id in ("20260101T000000-aaaa", "20260201T000000-bbbb", "20260301T000000-cccc"):
        _fake_version(settings, version_id)
    assert live(settings) is None
    set_live(settings, "20260101T000000-aaaa")
    assert (settings.resolved_kb_dir / LIVE).read_text(encoding="utf-8").strip() == "20260101T000000-aaaa"
    assert [v.id for v in all_versions(settings)] == ["20260301T000000-cccc", "20260201T000000-bbbb",
                                                      "20260101T000000-aaaa"]
    assert prune(settings, keep=1) == ["20260201T000000-bbbb"]
    assert [v.id for v in all_versions(settings)] == ["20260301T000000-cccc", "20260101T000000-aaaa"]
    with pytest.raises(VersionNotFound):
        get(settings, "../../etc")


def test_rollback_to_an_older_version_switches_the_pointer(settings: Settings) -> None:
    for version_id in ("20260101T000000-aaaa", "20260201T000000-bbbb"):
        _fake_version(settings, version_id)
    set_live(settings, "20260201T000000-bbbb")
    info = publishing.rollback(settings=settings)
    assert info.id == "20260101T000000-aaaa" and info.live
    with pytest.raises(publishing.PublishFailed):
        publishing.rollback(settings=settings)  # nothing older than the oldest


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYBOT_VAR_DIR": str(tmp_path / "var"), "POLICYBOT_API_URLS": "http://127.0.0.1:9",
           "POLICYBOT_RASA_URL": "http://127.0.0.1:9"}
    return subprocess.run([POLICYBOT, "kb", *args], cwd=ROOT, env=env, text=True, capture_output=True,
                          timeout=120)


def test_cli_publish_of_an_invalid_document_exits_1_with_file_and_line(tmp_path: Path) -> None:
    broken = _amended(tmp_path, "(责任单位:区金融局)", "")
    result = _cli(tmp_path, "publish", str(broken), "--yes")
    assert result.returncode == 1
    assert f"{broken}:67:" in result.stdout
    assert "nothing was published" in result.stderr
    assert not (tmp_path / "var" / "kb" / LIVE).exists()


def test_cli_rollback_and_path_errors(tmp_path: Path) -> None:
    unknown = _cli(tmp_path, "rollback", "20990101T000000-zzzz")
    assert unknown.returncode == 3 and "no published version" in unknown.stderr
    nothing = _cli(tmp_path, "rollback")
    assert nothing.returncode == 4 and "no earlier version" in nothing.stderr
    path = _cli(tmp_path, "path", "rasa-model")
    assert path.returncode == 3 and "make setup" in path.stderr
    versions = _cli(tmp_path, "versions", "--json")
    assert versions.returncode == 0 and json.loads(versions.stdout) == []


def test_cli_diff_needs_paths_and_shows_changes(tmp_path: Path) -> None:
    assert _cli(tmp_path, "diff").returncode == 2
    amended = _amended(tmp_path, "最长可延至2023年6月30日", "最长可延至2024年12月31日")
    result = _cli(tmp_path, "diff", str(amended), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"]["added"] == ["hongqi-2023-measures"]
