"""Persistence, hot-swap safety and the generic-model path, on real FAISS/BM25 files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.build import build_index
from index.embedder import Embedder
from index.errors import IndexNotBuilt, ModelMismatch, ModelNotAvailable
from index.store import current_version, load_index, versions
from knowledge.errors import DocumentInvalid
from knowledge.settings import Settings
from tests.conftest import SOURCE
from tests.index.conftest import generic_model_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generic(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(model=generic_model_path(), index_dir=tmp_path_factory.mktemp("idx"))
    build_index(settings, progress=False)
    return settings


def test_manifest_records_model_counts_and_checksums(generic: Settings) -> None:
    root = generic.resolved_index_dir
    manifest = json.loads((root / current_version(root) / "manifest.json").read_text())
    assert manifest["model"] == {"id": generic_model_path(), "dimension": 384, "query_prefix": ""}
    assert manifest["counts"]["measures"] == 75
    assert manifest["counts"]["questions"] >= 375
    assert set(manifest["documents"]) == {"hongqi-2023-measures"}
    assert {"faiss-cpu", "bm25s", "sentence-transformers"} <= set(manifest["libraries"])
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp")]


def test_generic_model_searches(generic: Settings) -> None:
    index = load_index(generic.resolved_index_dir, Embedder.from_settings(generic))
    results = index.search("export credit insurance 出口信用保险 保费补贴", k=3)
    assert [r.measure.number for r in results][0] == 50
    assert len({r.measure.number for r in results}) == 3


def test_loading_with_another_model_is_refused(generic: Settings) -> None:
    other = Embedder.from_settings(Settings(model=generic_model_path(), query_prefix="q: "))
    other.model_id = "some-other-model"
    with pytest.raises(ModelMismatch, match="rebuild"):
        load_index(generic.resolved_index_dir, other)


def test_missing_index_and_model_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuilt, match="policybot index build"):
        load_index(tmp_path, Embedder.from_settings(Settings(model=generic_model_path())))
    with pytest.raises(ModelNotAvailable, match="policybot model build"):
        Embedder.from_settings(Settings(var_dir=tmp_path))
    with pytest.raises(ModelNotAvailable, match="cannot load"):
        Embedder.from_settings(Settings(model=str(tmp_path / "nope")))


def test_failed_build_keeps_the_serving_index(generic: Settings, tmp_path: Path) -> None:
    root = generic.resolved_index_dir
    before, existing = current_version(root), versions(root)
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCE, sources / SOURCE.name)
    text = (sources / SOURCE.name).read_text(encoding="utf-8").replace("(责任单位:区城管局)", "")
    (sources / SOURCE.name).write_text(text, encoding="utf-8")
    broken = Settings(model=generic.model, index_dir=root, sources_dir=sources)
    with pytest.raises(DocumentInvalid, match="measure 49 has no responsible units"):
        build_index(broken, progress=False)
    assert current_version(root) == before and versions(root) == existing


def test_rebuild_switches_current_and_keeps_old_for_rollback(generic: Settings) -> None:
    root = generic.resolved_index_dir
    before = current_version(root)
    result = build_index(generic, progress=False)
    assert result is not None
    assert current_version(root) == result.version != before
    assert before in versions(root)


def test_rebuild_if_changed_skips_identical_inputs(generic: Settings) -> None:
    root = generic.resolved_index_dir
    before = current_version(root)
    assert build_index(generic, progress=False, if_changed=True) is None
    assert current_version(root) == before
    changed_terms = root.parent / "terms.txt"
    changed_terms.write_text(generic.terms_file.read_text(encoding="utf-8") + "新词 5 n\n",
                             encoding="utf-8")
    other = generic.model_copy(update={"terms_file": changed_terms})
    assert build_index(other, progress=False, if_changed=True) is not None
    assert current_version(root) != before
