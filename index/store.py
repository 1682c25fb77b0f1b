"""Index persistence: var/index/<version>/ with a manifest, switched atomically.

A build writes into a temporary folder and renames it into place, then repoints the
`CURRENT` file (written to a temp file and renamed). A failed build therefore never
touches the index that is serving; older versions stay for rollback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from index.dense import FaissIndex
from index.embedder import Embedder
from index.errors import IndexNotBuilt, ModelMismatch
from index.hybrid import Fusion, HybridIndex
from knowledge.models import Measure

CURRENT = "CURRENT"
TERMS = "terms.txt"
FUSION_FILE = Path(__file__).with_name("fusion.yml")
KEEP_VERSIONS = 5


def load_fusion(path: Path = FUSION_FILE) -> Fusion:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Fusion(weights={k: float(v) for k, v in data["weights"].items()},
                  threshold=float(data.get("threshold", 0.0)), gate=data.get("gate") or {})


def save_index(index: HybridIndex, root: Path, documents: dict[str, str],
               inputs: str = "") -> tuple[str, Path]:
    """Write index files to a fresh version folder, make it current; return (version, path)."""
    root.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    version_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        index.dense.save(tmp / "dense.faiss")
        np.save(tmp / "item_measure.npy", index.item_measure)
        np.save(tmp / "item_kind.npy", index.item_kind)
        np.save(tmp / "question_measure.npy", index.question_measure)
        for name in ("bm25_word", "bm25_bigram", "bm25_word_q", "bm25_bigram_q",
                     "bm25_word_q_en", "bm25_bigram_q_en"):
            getattr(index, name).save(tmp / name)
        (tmp / "questions.json").write_text(json.dumps(index.questions, ensure_ascii=False),
                                            encoding="utf-8")
        if index.terms_file is not None and index.terms_file.is_file():
            # The index segments queries as it segmented its texts: it keeps its terms.
            shutil.copyfile(index.terms_file, tmp / TERMS)
        (tmp / "measures.json").write_text(
            json.dumps([m.model_dump(mode="json") for m in index.measures], ensure_ascii=False),
            encoding="utf-8")
        manifest = {
            "version": version_id,
            "built_at": now.isoformat(),
            "model": {"id": index.embedder.model_id, "dimension": index.embedder.dimension,
                      "query_prefix": index.embedder.query_prefix},
            "documents": documents,
            "inputs": inputs,
            "counts": index.counts,
            "fusion": {"weights": index.fusion.weights, "threshold": index.fusion.threshold,
                       "gate": index.fusion.gate},
            "libraries": {name: version(name) for name in
                          ("faiss-cpu", "bm25s", "sentence-transformers", "jieba", "numpy")},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                           encoding="utf-8")
        final = root / version_id
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_current(root, version_id)
    _prune(root, keep=KEEP_VERSIONS)
    return version_id, final


def set_current(root: Path, version_id: str) -> None:
    if not (root / version_id / "manifest.json").exists():
        raise IndexNotBuilt(str(root / version_id))
    pointer = root / f".{CURRENT}.tmp"
    pointer.write_text(version_id + "\n", encoding="utf-8")
    os.replace(pointer, root / CURRENT)


def versions(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "manifest.json").exists())


def current_version(root: Path) -> str:
    pointer = root / CURRENT
    if not pointer.exists():
        raise IndexNotBuilt(str(root))
    return pointer.read_text(encoding="utf-8").strip()


def _prune(root: Path, keep: int) -> None:
    current = current_version(root)
    old = [v for v in versions(root) if v != current]
    for name in old[: max(0, len(old) - keep)]:
        shutil.rmtree(root / name, ignore_errors=True)


def read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise IndexNotBuilt(str(path))
    data: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    return data


def load_index(root: Path, embedder: Embedder, version_id: str | None = None) -> HybridIndex:
    """Load the current (or a given) version; refuse one built with another model."""
    path = root / (version_id or current_version(root))
    manifest = read_manifest(path)
    if manifest["model"]["id"] != embedder.model_id:
        raise ModelMismatch(manifest["model"]["id"], embedder.model_id)
    measures = [Measure.model_validate(m) for m in
                json.loads((path / "measures.json").read_text(encoding="utf-8"))]
    fusion = Fusion(**manifest["fusion"])
    terms = path / TERMS
    index = HybridIndex(measures, embedder, fusion, terms if terms.is_file() else None)
    index.dense = FaissIndex.load(path / "dense.faiss")
    index.item_measure = np.load(path / "item_measure.npy")
    index.item_kind = np.load(path / "item_kind.npy")
    index.question_measure = np.load(path / "question_measure.npy")
    index.questions = json.loads((path / "questions.json").read_text(encoding="utf-8"))
    english = sum(index.question_is_english)
    chinese = (len(index.questions) - english) or 1
    for name, size in (("bm25_word", len(measures)), ("bm25_bigram", len(measures)),
                       ("bm25_word_q", chinese), ("bm25_bigram_q", chinese),
                       ("bm25_word_q_en", english or 1), ("bm25_bigram_q_en", english or 1)):
        if (path / name).exists():
            getattr(index, name).load(path / name, size)
        else:  # an index built before English questions were kept apart
            getattr(index, name).build(["∅"])
    index.version = manifest["version"]
    return index
