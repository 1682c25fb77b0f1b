"""The English route of search, in the fast tier: language of a message, light English
stemming, the bridge from English words to the knowledge base's Chinese words, and bank
questions compared only with questions of their own language."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from index.distill import bridge
from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.store import load_fusion
from index.tokenize import bigrams, stem, words
from knowledge.catalog import Catalog
from knowledge.language import EN, ZH, language_of
from knowledge.questions import QuestionBank
from knowledge.settings import get_settings
from tests.fakes import fake_embedder


@pytest.mark.parametrize(("text", "language"), [
    ("Is there a subsidy for trade fairs?", EN), ("出口信用保险找哪个部门?", ZH),
    ("我们是一家 foreign-invested company,增资能拿奖励吗?", ZH), ("trade fair 展位费能补吗?", ZH),
    ("250", None), ("2023-03-10", None), ("ok", None), ("yes no", EN),
])
def test_language_of_a_message(text: str, language: str | None) -> None:
    assert language_of(text) == language


@pytest.mark.parametrize(("word", "stemmed"), [
    ("deferred", "defer"), ("defers", "defer"), ("deferring", "defer"), ("defer", "defer"),
    ("repayments", "repay"), ("repaying", "repay"), ("subsidies", "subsidy"), ("taxes", "tax"),
    ("increased", "increas"), ("increase", "increas"), ("status", "status"), ("bus", "bus"),
    ("出口", "出口"), ("2023", "2023"),
])
def test_english_words_lose_their_inflection(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_tokens_of_english_text_are_stemmed_and_chinese_untouched() -> None:
    assert words("Deferred loans") == ["defer", "loan"]
    assert bigrams("loans 出口信用") == ["loan", "出口", "口信", "信用"]


def test_bridge_keeps_the_nearest_chinese_words_above_the_floor() -> None:
    vocab = ["出口", "保险", "贷款", "export", "insurance", "the"]
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.95, 0.1, 0], [0.1, 0.9, 0.3],
                        [0.6, 0.6, 0.6]], dtype=np.float32)
    found = bridge(vocab, vectors, {"出口", "保险", "贷款"})
    assert found["export"][0] == "出口" and found["insurance"][0] == "保险"
    assert "the" not in found  # a function word is never bridged


def test_a_query_is_bridged_by_word_or_by_stem() -> None:
    embedder = Embedder("x", "", 3, fake_embedder()._model,
                        bridge={"deferred": ["延期"], "loan": ["贷款"]})
    assert embedder.bridged("Can we defer the loan?") == "Can we defer the loan? 延期 贷款"
    assert embedder.bridged("出口信用保险") == "出口信用保险"


def _index(catalog: Catalog, bank_dir: Path) -> HybridIndex:
    index = HybridIndex(catalog.measures, fake_embedder(), load_fusion())
    index.build(QuestionBank.load(catalog, bank_dir))
    return index


def test_english_bank_questions_do_not_move_chinese_search(catalog: Catalog, tmp_path: Path) -> None:
    """Questions are compared with bank questions of their own language only, so adding
    the English bank leaves every Chinese question's signals as they were."""
    shipped = get_settings().questions_dir
    chinese_only = tmp_path / "questions"
    chinese_only.mkdir()
    for path in shipped.glob("*.yml"):
        if ".en." not in path.name:
            (chinese_only / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    both, chinese = _index(catalog, shipped), _index(catalog, chinese_only)
    for question in ["小规模纳税人六税两费还能减半吗", "自己开店想贷点款,利息政府能全包吗?"]:
        np.testing.assert_allclose(both.signals(question).raw, chinese.signals(question).raw,
                                   rtol=1e-5, atol=1e-6)
    english = "Can the cost of international product certification be partly refunded?"
    assert not np.allclose(both.signals(english).raw, chinese.signals(english).raw)


def test_a_fresh_index_searched_from_many_threads_at_once(catalog: Catalog) -> None:
    """The answer service searches from a pool of threads, and a freshly published index
    computes its language tables on its first search: no thread may see them half made."""
    index = _index(catalog, get_settings().questions_dir)
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def search(query: str) -> None:
        start.wait()
        try:
            index.signals(query)
        except BaseException as exc:  # collected: an exception in a thread is lost otherwise
            failures.append(exc)

    threads = [threading.Thread(target=search, args=(q,)) for q in
               ["出口信用保险保费能补贴吗", "Can the loan be deferred?"] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
