"""A deterministic stand-in for the embedding model, and services over the real measures
built with it in memory: the webhook, the actions, the eligibility form and the REST API
are tested in seconds, without the distilled model in var/ or an index on disk.

The fake hashes the content bigrams of a text (index.tokenize.content_bigrams: framing
such as "找哪个部门" left out) into signed dimensions with a stable hash, the same vectors
in every process and on every machine. Texts about the same thing are then close, and a
follow-up with no content of its own ("那这个找哪个部门?") is close to nothing, as with the
real model. Retrieval quality itself is measured with the real model (tests/index,
marker slow), never with this.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from api.services import Services
from index.embedder import Embedder
from index.evaluate import load_eval_set, refit_gate
from index.hybrid import HybridIndex
from index.store import load_fusion
from index.tokenize import content_bigrams
from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.questions import QuestionBank
from knowledge.settings import Settings

DIMENSION = 256
MODEL_ID = "fake-hashed-bigrams@test"


class HashedBigrams:
    """Sentence vectors from hashed content bigrams; the SentenceEncoder interface."""

    def encode(self, inputs: list[str], /, *, batch_size: int = 64, convert_to_numpy: bool = True,
               normalize_embeddings: bool = True, show_progress_bar: bool | None = None) -> Any:
        vectors = np.zeros((len(inputs), DIMENSION), dtype=np.float32)
        for row, text in enumerate(inputs):
            for gram in content_bigrams(text):
                digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=4).digest()
                slot = int.from_bytes(digest[:3], "little") % DIMENSION
                vectors[row, slot] += 1.0 if digest[3] & 1 else -1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0) if normalize_embeddings else vectors


def fake_embedder() -> Embedder:
    return Embedder(MODEL_ID, query_prefix="", dimension=DIMENSION, _model=HashedBigrams())


def fake_index(catalog: Catalog, settings: Settings) -> HybridIndex:
    """The real measures and question bank, built in memory with the project's fusion
    weights; the no-answer gate is fitted for the fake on the evaluation set, as
    `policybot eval --tune` fits it for the real model (it reads raw cosines)."""
    index = HybridIndex(catalog.measures, fake_embedder(), load_fusion())
    index.build(QuestionBank.load(catalog, settings.questions_dir))
    index.fusion = refit_gate(index, load_eval_set(settings.eval_set))
    index.version = "in-memory"
    return index


def fake_services(catalog: Catalog, settings: Settings | None = None) -> Services:
    settings = settings or Settings()
    return Services(settings, catalog, fake_index(catalog, settings),
                    RuleBook.load(settings.eligibility_dir))
