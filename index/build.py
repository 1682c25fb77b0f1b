"""Build steps behind `policybot model build` and `policybot index build` (and the test
fixtures): the default model, then the index."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from index import distill
from index.corpus import titled_text
from index.embedder import Embedder
from index.errors import SearchIndexError
from index.hybrid import HybridIndex
from index.store import FUSION_FILE, current_version, load_fusion, read_manifest, save_index
from knowledge.catalog import Catalog
from knowledge.questions import QuestionBank
from knowledge.settings import Settings, get_settings

log = logging.getLogger(__name__)


def distillation_texts(catalog: Catalog, bank: QuestionBank, terms_file: Path) -> list[str]:
    texts = [titled_text(m) for m in catalog.measures] + bank.all_texts()
    if terms_file.exists():
        texts += [line.split()[0] for line in terms_file.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    return texts


@dataclass
class ModelBuild:
    path: Path
    rebuilt: bool
    vocabulary: int
    seconds: float


def build_default_model(settings: Settings | None = None, *, force: bool = False,
                        progress: bool = True) -> ModelBuild:
    """Distil the default model unless it is current for the knowledge base and code."""
    settings = settings or get_settings()
    catalog = Catalog.from_settings(settings)
    bank = QuestionBank.load(catalog, settings.questions_dir)
    texts = distillation_texts(catalog, bank, settings.terms_file)
    out = settings.development_model_dir
    started = time.perf_counter()
    if not force and distill.is_current(out, distill.inputs_digest(texts, settings.terms_file)):
        return ModelBuild(out, False, 0, 0.0)
    meta = distill.distil(texts, out, terms_file=settings.terms_file, progress=progress)
    return ModelBuild(out, True, int(meta["vocabulary"]), time.perf_counter() - started)


@dataclass
class IndexBuild:
    version: str
    path: Path
    counts: dict[str, int]
    model_id: str
    seconds: float


def index_inputs(settings: Settings, model_id: str) -> str:
    """Digest of everything an index is built from: the model, the knowledge files, the
    fusion weights and the index code. Equal digests mean a rebuild would change nothing."""
    digest = hashlib.sha256(model_id.encode())
    files = [*sorted(settings.sources_dir.glob("*")), *sorted(settings.questions_dir.glob("*")),
             settings.terms_file, settings.departments_file, FUSION_FILE,
             *sorted(Path(__file__).parent.glob("*.py"))]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_index(settings: Settings | None = None, *, progress: bool = True,
                if_changed: bool = False) -> IndexBuild | None:
    """Validate the sources, embed and index them into a new version, make it current.
    With if_changed, return None without writing when the current index has the same inputs."""
    settings = settings or get_settings()
    started = time.perf_counter()
    catalog = Catalog.from_settings(settings)  # raises DocumentInvalid before any write
    bank = QuestionBank.load(catalog, settings.questions_dir)
    embedder = Embedder.from_settings(settings)
    inputs = index_inputs(settings, embedder.model_id)
    # Written where configured, else to the development folder: never into a published
    # version, which resolved_index_dir may point at.
    target = settings.index_dir or settings.development_index_dir
    if if_changed and _current_inputs(target) == inputs:
        return None
    index = HybridIndex(catalog.measures, embedder, load_fusion(), settings.terms_file)
    index.build(bank, progress=progress)
    documents = {d.info.doc_id: d.checksum for d in catalog.documents}
    version, path = save_index(index, target, documents, inputs)
    return IndexBuild(version, path, index.counts, embedder.model_id,
                      time.perf_counter() - started)


def _current_inputs(root: Path) -> str | None:
    try:
        return str(read_manifest(root / current_version(root)).get("inputs") or "") or None
    except SearchIndexError:
        return None
