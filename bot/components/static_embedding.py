"""The project's distilled static embedding model, read without torch or Rasa.

The same vectors as `SentenceTransformer(model_dir).encode(texts)` (token-id mean, then
L2 normalisation), from tokenizer.json and model.safetensors alone, so that Rasa's
Python 3.10 environment needs only numpy, safetensors and tokenizers. Kept apart from
the Rasa component so it can be used (and tested) without importing Rasa.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer


class StaticEmbedding:
    """The static model's tokenizer and embedding table, usable without torch."""

    def __init__(self, model_dir: Path) -> None:
        tokenizer_file = model_dir / "tokenizer.json"
        weights_file = model_dir / "model.safetensors"
        if not tokenizer_file.is_file() or not weights_file.is_file():
            raise FileNotFoundError(
                f"static embedding model not found in {model_dir}: run `make model` "
                "(or `policybot model build`) to distil it first")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.weights = load_file(str(weights_file))["embedding.weight"].astype(np.float32, copy=False)
        meta = model_dir / "policybot-distill.json"
        self.digest = json.loads(meta.read_text("utf-8")).get("digest", "") if meta.is_file() else ""

    @property
    def dimension(self) -> int:
        return int(self.weights.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised mean vector per text; zeros for a text with no known token."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                vector = self.weights[encoding.ids].mean(axis=0)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    out[row] = vector / norm
        return out
