"""The project's distilled static embedding model, read without torch or Rasa.

The same vectors as `SentenceTransformer(model_dir).encode(texts)` (token-id mean, then
L2 normalisation), from tokenizer.json and model.safetensors alone, so that Rasa's
Python 3.10 environment needs only numpy, safetensors and tokenizers. Kept apart from
the Rasa component so it can be used (and tested) without importing Rasa.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

# Written by index/distill.py (STAMP there), which Rasa's environment cannot import.
STAMP = "policybot-distill.json"
# What the chat proxy lets through; Rasa's REST channel (loopback only) is not limited,
# so encoding cost is bounded here too.
MAX_TEXT_CHARS = 2000


def model_digest(model_dir: Path) -> str | None:
    """What identifies the model's vectors: the distillation stamp's digest, else a hash
    of the weights (a model from elsewhere); None when there is no model."""
    stamp = model_dir / STAMP
    if stamp.is_file():
        digest = json.loads(stamp.read_text("utf-8")).get("digest")
        if digest:
            return str(digest)
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        return None
    h = hashlib.sha256()
    with weights.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


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
        self.digest = model_digest(model_dir) or ""

    @property
    def dimension(self) -> int:
        return int(self.weights.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised mean vector per text; zeros for a text with no known token."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        clipped = [text[:MAX_TEXT_CHARS] for text in texts]
        for row, encoding in enumerate(self.tokenizer.encode_batch(clipped, add_special_tokens=False)):
            if encoding.ids:
                vector = self.weights[encoding.ids].mean(axis=0)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    out[row] = vector / norm
        return out
