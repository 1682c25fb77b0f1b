"""The Rasa featurizer (bot/components/, Python 3.10, no torch) must see the same
sentence vectors as retrieval does through sentence-transformers; otherwise the NLU
would be trained on a different geometry than the one the project measures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.settings import get_settings
from tests.live import ROOT

pytestmark = pytest.mark.slow

TEXTS = ["我们公司想去德国参展,展位费能补贴吗?", "区商务局负责哪些措施", "以太坊现在多少钱一个",
         "ok", "!!!"]
_SNIPPET = """
import json, sys
from pathlib import Path
from typing import Any
from bot.components.static_embedding import StaticEmbedding
model = StaticEmbedding(Path(sys.argv[1]))
print(json.dumps(model.encode(json.loads(sys.argv[2])).tolist()))
"""


def _in_rasa_env(snippet: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a snippet in Rasa's Python 3.10 environment, from the project root."""
    return subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", snippet, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _last_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _rasa_side(model_dir: str, texts: list[str]) -> np.ndarray:
    result = _in_rasa_env(_SNIPPET, model_dir, json.dumps(texts, ensure_ascii=False))
    return np.array(_last_json(result), dtype=np.float32)


def test_featurizer_vectors_equal_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    model_dir = get_settings().default_model_dir
    expected = SentenceTransformer(str(model_dir), device="cpu").encode(TEXTS)
    got = _rasa_side(str(model_dir), TEXTS)
    assert got.shape == expected.shape
    known = np.linalg.norm(expected, axis=1) > 0
    assert known[:3].all()
    np.testing.assert_allclose(got[known], expected[known], atol=1e-5)
    # Distinct questions get distinct vectors (not one constant for everything).
    assert float(got[0] @ got[2]) < 0.9


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    result = _in_rasa_env(_SNIPPET, str(tmp_path), "[]")
    assert result.returncode != 0
    assert "static embedding model not found" in result.stderr
    assert "make model" in result.stderr


_FINGERPRINT = """
import json, sys
from pathlib import Path
from typing import Any
from bot.components.static_embedding_featurizer import StaticEmbeddingFeaturizer
print(json.dumps([StaticEmbeddingFeaturizer.fingerprint_addon({"model_path": p}) for p in sys.argv[1:]]))
"""


def test_rasa_training_cache_sees_a_redistilled_model(tmp_path: Path) -> None:
    """Rasa reuses cached component outputs keyed on config and data; a re-distilled model
    (same path, new vectors) must change the featurizer's fingerprint, or the classifier
    keeps features of the old model."""
    dirs = []
    for name, digest in (("a", "1111"), ("b", "2222"), ("c", "1111")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "policybot-distill.json").write_text(json.dumps({"digest": digest}))
        dirs.append(str(folder))
    a, b, c = _last_json(_in_rasa_env(_FINGERPRINT, *dirs))
    assert a != b and a == c and a
