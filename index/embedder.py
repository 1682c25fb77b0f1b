"""The sentence-transformers model behind dense retrieval, whichever one is configured."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.distill import BRIDGE_FILE, STAMP
from index.errors import ModelNotAvailable
from index.tokenize import stem
from knowledge.settings import Settings, get_settings


class SentenceEncoder(Protocol):
    """The part of a SentenceTransformer the index uses; tests pass a deterministic fake."""

    def encode(self, inputs: list[str], /, *, batch_size: int = ..., convert_to_numpy: bool = ...,
               normalize_embeddings: bool = ..., show_progress_bar: bool | None = ...) -> Any: ...


# The distilled model is identified by its digest (index manifests refuse another model).
MODEL_ID_PREFIX = "policy-static-zh@"
_LATIN = re.compile(r"[a-z]+")


def _read_bridge(folder: Path) -> dict[str, list[str]]:
    path = folder / BRIDGE_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): [str(w) for w in v] for k, v in data.items()}


@dataclass
class Embedder:
    model_id: str
    query_prefix: str
    dimension: int
    _model: SentenceEncoder
    # English word -> the knowledge base's nearest Chinese words (a distilled model's
    # BRIDGE_FILE; empty for any other model).
    bridge: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The bridge by stem, for a form of a word the vocabulary lacks ("defer" by
        # "deferred"); the first word of a stem to be bridged stands for it.
        self._stem_bridge: dict[str, list[str]] = {}
        for word in sorted(self.bridge):
            self._stem_bridge.setdefault(stem(word), self.bridge[word])

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
        return cls(model_id, settings.query_prefix, dimension, model, _read_bridge(path))

    def bridged(self, text: str) -> str:
        """The text with the Chinese words nearest to its English words appended ("export
        credit insurance" + 出口 出口额 信用 保险 …); unchanged without English."""
        if not self.bridge:
            return text
        words = [w for word in _LATIN.findall(text.lower())
                 for w in self.bridge.get(word) or self._stem_bridge.get(stem(word)) or []]
        return f"{text} {' '.join(dict.fromkeys(words))}" if words else text

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
