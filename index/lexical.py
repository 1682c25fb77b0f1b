"""BM25 over one tokenisation of a set of texts (bm25s: sparse matrices, fast scoring)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np

Tokenizer = Callable[[str], list[str]]


class Bm25:
    def __init__(self, tokenize: Tokenizer) -> None:
        self.tokenize = tokenize
        self._model: bm25s.BM25 | None = None
        self.size = 0

    def build(self, texts: list[str]) -> None:
        model = bm25s.BM25()
        model.index([self.tokenize(t) or ["∅"] for t in texts], show_progress=False)
        self._model, self.size = model, len(texts)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """Score of every text for the query (zeros when no token is known)."""
        assert self._model is not None
        known = [t for t in query_tokens if t in self._model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def save(self, directory: Path) -> None:
        assert self._model is not None
        self._model.save(str(directory))

    def load(self, directory: Path, size: int) -> None:
        self._model = bm25s.BM25.load(str(directory))
        self.size = size
