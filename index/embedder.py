"""The sentence-transformers model behind dense retrieval, whichever one is configured."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.distill import STAMP
from index.errors import ModelNotAvailable
from knowledge.settings import Settings, get_settings


class SentenceEncoder(Protocol):
    """The part of a SentenceTransformer the index uses; tests pass a deterministic fake."""

    def encode(self, inputs: list[str], /, *, batch_size: int = ..., convert_to_numpy: bool = ...,
               normalize_embeddings: bool = ..., show_progress_bar: bool | None = ...) -> Any: ...


# The distilled model is identified by its digest (index manifests refuse another model).
MODEL_ID_PREFIX = "policy-static-zh@"


@dataclass
class Embedder:
    model_id: str
    query_prefix: str
    dimension: int
    _model: SentenceEncoder

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Embedder:
        settings = settings or get_settings()
        from sentence_transformers import SentenceTransformer

        if settings.model:
            name = settings.model
            path = Path(name)
            try:
                model = SentenceTransformer(str(path) if path.exists() else name, device="cpu")
            except Exception as exc:  # any load failure is one user-facing error
                raise ModelNotAvailable(f"cannot load embedding model {name!r}: {exc}") from exc
            model_id = name
        else:
            path = settings.default_model_dir
            stamp = path / STAMP
            if not stamp.exists():
                raise ModelNotAvailable(
                    f"the default model is not built at {path}; run `policybot model build`"
                )
            model = SentenceTransformer(str(path), device="cpu")
            digest = json.loads(stamp.read_text(encoding="utf-8"))["digest"]
            model_id = f"{MODEL_ID_PREFIX}{digest}"
        dimension = int(model.get_embedding_dimension() or 0)
        return cls(model_id, settings.query_prefix, dimension, model)

    def encode(self, texts: list[str], *, query: bool = False, progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors; queries get the model's instruction prefix. A progress
        bar on request: with a large hub model, encoding an index takes minutes."""
        if query and self.query_prefix:
            texts = [self.query_prefix + t for t in texts]
        vectors = self._model.encode(
            texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
