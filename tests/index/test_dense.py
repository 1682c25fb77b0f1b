from pathlib import Path

import numpy as np
import pytest

from index.dense import FaissIndex


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_build_search_save_load(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = _unit(rng.normal(size=(50, 16)))
    ids = np.arange(100, 150, dtype=np.int64)
    index = FaissIndex(16)
    index.build(vectors, ids)
    assert index.count == 50
    scores, found = index.search(vectors[7:8], 3)
    assert found[0][0] == 107 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    index.save(tmp_path / "x.faiss")
    again = FaissIndex.load(tmp_path / "x.faiss")
    assert again.count == 50 and again.dimension == 16
    assert again.search(vectors[7:8], 1)[1][0][0] == 107


def test_k_larger_than_count_is_clamped() -> None:
    index = FaissIndex(4)
    index.build(_unit(np.eye(4)), np.arange(4))
    assert index.search(_unit(np.eye(4)[:1]), 10)[1].shape == (1, 4)


def test_wrong_dimension_rejected() -> None:
    with pytest.raises(ValueError, match="dimension"):
        FaissIndex(8).build(np.zeros((2, 4), dtype=np.float32), np.arange(2))
