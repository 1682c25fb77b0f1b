"""The hybrid index: dense (FAISS) and lexical (BM25, words and bigrams) evidence per measure.

Six signals are computed for every measure: BM25 on words and on character bigrams,
each over the measure text and over its bank questions (best question), and dense
cosine over the measure text/clauses and over its bank questions (best item). Each is
z-normalised across measures and summed with weights tuned by `policybot eval --tune`
(index/fusion.yml). Scoring all measures is cheap at this size and keeps one result per
measure by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.corpus import clauses, titled_text
from index.dense import FaissIndex
from index.embedder import Embedder
from index.lexical import Bm25
from index.tokenize import bigrams, content_bigrams, word_tokenizer
from knowledge.language import EN, language_of
from knowledge.models import Measure
from knowledge.questions import QuestionBank

FEATURES = ("bm25_word", "bm25_bigram", "bm25_word_q", "bm25_bigram_q", "dense", "dense_q")
KIND_TEXT, KIND_CLAUSE, KIND_QUESTION = 0, 1, 2


GATE_FEATURES = ("coverage", "bm25_bigram", "bm25_bigram_q", "dense_q", "fused")


@dataclass
class Fusion:
    """How signals become one ranking score, and when the best measure is no answer.

    weights: of the z-normalised signals in the ranking score.
    gate: a logistic model over absolute evidence for the top measure (raw BM25 and
    cosine, plus its fused score): z-scores alone rank, but cannot tell that nothing
    matches. threshold: the gate probability below which the question is unanswerable.
    """

    weights: dict[str, float]
    threshold: float = 0.0
    gate: dict[str, Any] = field(default_factory=dict)

    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)

    def confidence(self, evidence: np.ndarray) -> np.ndarray:
        """Gate probability for rows of GATE_FEATURES evidence (0.5 when untuned)."""
        if not self.gate:
            return np.full(len(evidence), 0.5)
        x = (evidence - np.array(self.gate["mean"])) / np.array(self.gate["scale"])
        logit = x @ np.array(self.gate["coef"]) + float(self.gate["intercept"])
        return np.asarray(1.0 / (1.0 + np.exp(-logit)))


def gate_evidence(raw: np.ndarray, fused: np.ndarray, best: int, coverage: float) -> np.ndarray:
    """The GATE_FEATURES values for one measure of one query."""
    column = {name: raw[i, best] for i, name in enumerate(FEATURES)}
    column["fused"] = fused[best]
    column["coverage"] = coverage
    return np.array([column[name] for name in GATE_FEATURES], dtype=np.float64)


@dataclass
class SearchResult:
    measure: Measure
    score: float
    confidence: float
    answerable: bool
    terms: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure.number,
            "doc_id": self.measure.doc_id,
            "citation": self.measure.citation,
            "score": round(self.score, 4),
            "confidence": round(self.confidence, 4),
            "answerable": self.answerable,
            "text": self.measure.text,
            "departments": self.measure.departments,
            "terms": self.terms,
        }


@dataclass
class Signals:
    """Raw per-measure signals of one query (rows: FEATURES, columns: measures)."""

    raw: np.ndarray
    query_words: list[str]
    query_bigrams: list[str]


class HybridIndex:
    def __init__(self, measures: list[Measure], embedder: Embedder, fusion: Fusion,
                 terms_file: Path | None = None) -> None:
        """terms_file: the policy-term dictionary words are segmented with, when building
        and when searching (a published version brings its own)."""
        self.measures = measures
        self.embedder = embedder
        self.fusion = fusion
        self.terms_file = terms_file
        self.words = word_tokenizer(terms_file)
        self.version = ""
        self.dense = FaissIndex(embedder.dimension)
        self.item_measure = np.zeros(0, dtype=np.int64)
        self.item_kind = np.zeros(0, dtype=np.int8)
        self.bm25_word = Bm25(self.words)
        self.bm25_bigram = Bm25(bigrams)
        # Bank questions per language: a question is scored against those of its own
        # language only (the Chinese figures do not move when English questions are added).
        self.bm25_word_q = Bm25(self.words)
        self.bm25_bigram_q = Bm25(bigrams)
        self.bm25_word_q_en = Bm25(self.words)
        self.bm25_bigram_q_en = Bm25(bigrams)
        self.question_measure = np.zeros(0, dtype=np.int64)
        self.questions: list[str] = []
        self._vocabularies: list[set[str]] = []
        # (English items, owners per language), computed on first search; one attribute,
        # so a request thread never sees half of it while another computes it
        self._language: tuple[np.ndarray, dict[bool, np.ndarray]] | None = None

    # -- building ---------------------------------------------------------------------------
    def build(self, bank: QuestionBank, progress: bool = False) -> None:
        texts: list[str] = []
        owners: list[int] = []
        kinds: list[int] = []
        questions: list[str] = []
        question_owner: list[int] = []
        for i, measure in enumerate(self.measures):
            texts.append(titled_text(measure))
            owners.append(i)
            kinds.append(KIND_TEXT)
            for clause in clauses(measure):
                texts.append(clause)
                owners.append(i)
                kinds.append(KIND_CLAUSE)
            for question in bank.of(measure):
                texts.append(question)
                owners.append(i)
                kinds.append(KIND_QUESTION)
                questions.append(question)
                question_owner.append(i)
        vectors = self.embedder.encode(texts, progress=progress)
        self.dense.build(vectors, np.arange(len(texts), dtype=np.int64))
        self.item_measure = np.array(owners, dtype=np.int64)
        self.item_kind = np.array(kinds, dtype=np.int8)
        documents = [titled_text(m) for m in self.measures]
        self.bm25_word.build(documents)
        self.bm25_bigram.build(documents)
        self.question_measure = np.array(question_owner or [-1], dtype=np.int64)
        self.questions = questions
        self._vocabularies = []
        self._language = None
        for english, (word_q, bigram_q) in ((False, self.question_indexes(False)),
                                            (True, self.question_indexes(True))):
            texts = [q for q, e in zip(questions, self.question_is_english, strict=True) if e == english]
            word_q.build(texts or ["∅"])
            bigram_q.build(texts or ["∅"])

    @property
    def counts(self) -> dict[str, int]:
        return {
            "measures": len(self.measures),
            "vectors": self.dense.count,
            "clauses": int((self.item_kind == KIND_CLAUSE).sum()),
            "questions": int((self.item_kind == KIND_QUESTION).sum()),
        }

    # -- searching --------------------------------------------------------------------------
    @property
    def question_is_english(self) -> list[bool]:
        return [language_of(q) == EN for q in self.questions]

    def question_indexes(self, english: bool) -> tuple[Bm25, Bm25]:
        return (self.bm25_word_q_en, self.bm25_bigram_q_en) if english else \
            (self.bm25_word_q, self.bm25_bigram_q)

    def question_owners(self, english: bool) -> np.ndarray:
        """The measure of each bank question of one language, in its BM25 index's order."""
        mask = np.array(self.question_is_english, dtype=bool) == english
        owners = self.question_measure[:len(mask)][mask] if len(self.questions) else mask[:0]
        return owners if len(owners) else np.array([-1], dtype=np.int64)

    def _language_tables(self) -> tuple[np.ndarray, dict[bool, np.ndarray]]:
        """Which indexed items are English bank questions, and the owners of each
        language's questions (computed once per build or load)."""
        tables = self._language
        if tables is None or len(tables[0]) != len(self.item_kind):
            english = np.zeros(len(self.item_kind), dtype=bool)
            english[self.item_kind == KIND_QUESTION] = self.question_is_english
            tables = english, {False: self.question_owners(False), True: self.question_owners(True)}
            self._language = tables
        return tables

    def signals(self, query: str) -> Signals:
        # A question is compared with bank questions in its own language (an English bank
        # question must not pull a Chinese question towards its measure, nor the reverse).
        # An English query also carries the Chinese words nearest to its words, which the
        # lexical signals and the gate can read (index/distill.py, bridge).
        english = language_of(query) == EN
        english_items, owners_of = self._language_tables()
        same_language = english_items == english
        owners = owners_of[english]
        query = self.embedder.bridged(query)
        m = len(self.measures)
        raw = np.zeros((len(FEATURES), m), dtype=np.float32)
        query_words, query_bigrams = self.words(query), bigrams(query)
        raw[0] = self.bm25_word.scores(query_words)
        raw[1] = self.bm25_bigram.scores(query_bigrams)
        word_q, bigram_q = self.question_indexes(english)
        raw[2] = self._best_per_measure(word_q.scores(query_words), owners)
        raw[3] = self._best_per_measure(bigram_q.scores(query_bigrams), owners)
        vector = self.embedder.encode([query], query=True)
        scores, ids = self.dense.search(vector, self.dense.count)
        item_scores = np.full(self.dense.count, -1.0, dtype=np.float32)
        item_scores[ids[0]] = scores[0]
        is_question = self.item_kind == KIND_QUESTION
        raw[4] = self._best_per_measure(np.where(is_question, -1.0, item_scores),
                                        self.item_measure, floor=-1.0)
        raw[5] = self._best_per_measure(np.where(is_question & same_language, item_scores, -1.0),
                                        self.item_measure, floor=-1.0)
        return Signals(raw=raw, query_words=query_words, query_bigrams=content_bigrams(query))

    def _best_per_measure(self, scores: np.ndarray, owners: np.ndarray, floor: float = 0.0
                          ) -> np.ndarray:
        """Best item score of each measure; floor for measures without items."""
        best = np.full(len(self.measures), floor, dtype=np.float32)
        valid = owners >= 0
        np.maximum.at(best, owners[valid], scores[valid])
        return best

    def coverage(self, signals: Signals, position: int) -> float:
        """Share of the query's bigrams found in the measure or its bank questions.

        Unlike raw BM25 it does not grow with query length, so a short precise question
        ("出口信用保险找哪个部门") is not mistaken for an unanswerable one.
        """
        if not self._vocabularies:
            vocab: list[set[str]] = [set(bigrams(titled_text(m))) for m in self.measures]
            for question, owner in zip(self.questions, self.question_measure, strict=False):
                vocab[int(owner)].update(bigrams(question))
            self._vocabularies = vocab
        if not signals.query_bigrams:
            return 0.0
        known = self._vocabularies[position]
        return sum(b in known for b in signals.query_bigrams) / len(signals.query_bigrams)

    def fuse(self, signals: Signals) -> tuple[np.ndarray, np.ndarray]:
        """Fused score per measure, and the z-normalised signals it came from."""
        raw = signals.raw
        std = raw.std(axis=1, keepdims=True)
        z = (raw - raw.mean(axis=1, keepdims=True)) / np.where(std > 1e-9, std, 1.0)
        return self.fusion.vector() @ z, z

    def confidence(self, signals: Signals, fused: np.ndarray, best: int) -> float:
        """Probability that the top measure answers the question at all."""
        evidence = gate_evidence(signals.raw, fused, best, self.coverage(signals, best))
        return float(self.fusion.confidence(evidence[None, :])[0])

    def search(self, query: str, k: int = 5, allowed: set[int] | None = None,
               include_superseded: bool = False) -> list[SearchResult]:
        """Top-k measures, one result each; allowed restricts to measure positions.

        A measure a later document replaced is not a current answer, so it is left out
        unless include_superseded (a question about the old document asks for it)."""
        signals = self.signals(query)
        fused, _ = self.fuse(signals)
        order = np.argsort(-fused, kind="stable")
        if not include_superseded:
            replaced = {i for i, m in enumerate(self.measures) if m.superseded_by is not None}
            if replaced:
                allowed = (set(range(len(self.measures))) if allowed is None else allowed) - replaced
        if allowed is not None:
            order = np.array([i for i in order if i in allowed], dtype=np.int64)
        if len(order) == 0:
            return []
        confidence = self.confidence(signals, fused, int(order[0]))
        answerable = confidence >= self.fusion.threshold
        results = []
        for position in order[:k]:
            measure = self.measures[int(position)]
            terms = [w for w in dict.fromkeys(signals.query_words) if w in measure.text]
            results.append(SearchResult(measure, float(fused[position]), confidence, answerable,
                                        terms))
        return results
