"""The fake embedder the fast tier stands on: deterministic, normalised, topical."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from tests.conftest import ROOT
from tests.fakes import DIMENSION, fake_embedder


def test_vectors_are_unit_length_and_repeatable() -> None:
    embedder = fake_embedder()
    texts = ["出口信用保险保费补贴", "展会展位费补贴", ""]
    first, again = embedder.encode(texts), embedder.encode(texts, query=True)
    assert first.shape == (3, DIMENSION) and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first[:2], axis=1), 1.0, rtol=1e-6)
    assert not first[2].any()


def test_same_topic_is_closer_than_another() -> None:
    a, b, c = fake_embedder().encode(["出口信用保险保费能补贴吗", "出口信用保险的保费补贴",
                                      "贷款延期还本付息"])
    assert float(a @ b) > 0.5 > float(a @ c)


def test_same_vectors_in_another_process() -> None:
    """A stable hash, not Python's per-process salted hash()."""
    code = ("from tests.fakes import fake_embedder; "
            "print(fake_embedder().encode(['出口信用保险'])[0].round(6).tolist())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    here = fake_embedder().encode(["出口信用保险"])[0].round(6).tolist()
    assert out.strip() == str(here)
