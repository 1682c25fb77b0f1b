"""Retrieval quality on the project's own evaluation set, and tuning of the fusion.

Methods compared on the same signals: BM25 (word + bigram, text + bank questions),
dense (text/clauses + bank questions) and hybrid (the tuned fusion of all six).
"""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from index.hybrid import FEATURES, GATE_FEATURES, Fusion, HybridIndex, gate_evidence
from knowledge.settings import PROJECT_ROOT, get_settings

MAX_FALSE_REFUSALS = 0.03
METHODS = {
    "bm25": {"bm25_word": 1.0, "bm25_bigram": 1.0, "bm25_word_q": 1.0, "bm25_bigram_q": 1.0},
    "dense": {"dense": 1.0, "dense_q": 1.0},
}


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    gold: frozenset[int]
    kind: str


def load_eval_set(path: Path | None = None) -> list[EvalQuestion]:
    """The given set, or the project's (the eval_set setting)."""
    path = path or get_settings().eval_set
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [EvalQuestion(str(x["q"]), frozenset(int(g) for g in x["gold"]), str(x["kind"]))
            for x in data]


@dataclass
class Prepared:
    """Signals of every eval question, computed once (questions x features x measures)."""

    questions: list[EvalQuestion]
    raw: np.ndarray
    z: np.ndarray
    coverage: np.ndarray  # questions x measures
    numbers: np.ndarray

    def subset(self, keep: list[int]) -> Prepared:
        return Prepared([self.questions[i] for i in keep], self.raw[keep], self.z[keep],
                        self.coverage[keep], self.numbers)


def prepare(index: HybridIndex, questions: list[EvalQuestion]) -> Prepared:
    raws, zs, coverages = [], [], []
    positions = range(len(index.measures))
    for question in questions:
        signals = index.signals(question.text)
        _, z = index.fuse(signals)
        raws.append(signals.raw)
        zs.append(z)
        coverages.append([index.coverage(signals, p) for p in positions])
    numbers = np.array([m.number for m in index.measures])
    return Prepared(questions, np.stack(raws), np.stack(zs), np.array(coverages), numbers)


def _evidence(prepared: Prepared, weights: np.ndarray) -> np.ndarray:
    """Gate evidence of each question's top measure under these weights."""
    fused = np.einsum("f,qfm->qm", weights, prepared.z)
    best = fused.argmax(axis=1)
    return np.stack([gate_evidence(prepared.raw[q], fused[q], int(best[q]),
                                   float(prepared.coverage[q, best[q]]))
                     for q in range(len(best))])


def _metrics(prepared: Prepared, weights: np.ndarray, fusion: Fusion | None = None
             ) -> dict[str, float]:
    fused = np.einsum("f,qfm->qm", weights, prepared.z)
    r1 = r3 = rr = 0.0
    answerable = 0
    for qi, question in enumerate(prepared.questions):
        if not question.gold:
            continue
        answerable += 1
        ranked = prepared.numbers[np.argsort(-fused[qi], kind="stable")]
        hits = [i for i, n in enumerate(ranked) if n in question.gold]
        first = hits[0] if hits else len(ranked)
        r1 += first < 1
        r3 += first < 3
        rr += 1.0 / (first + 1) if hits else 0.0
    out = {"recall@1": r1 / max(answerable, 1), "recall@3": r3 / max(answerable, 1),
           "mrr": rr / max(answerable, 1)}
    if fusion is not None:
        refused = fusion.confidence(_evidence(prepared, weights)) < fusion.threshold
        unanswerable = np.array([not q.gold for q in prepared.questions])
        out["unanswerable_caught"] = float(refused[unanswerable].mean()) if unanswerable.any() else 0.0
        out["answerable_refused"] = float(refused[~unanswerable].mean())
    return out


def _vector(weights: dict[str, float]) -> np.ndarray:
    return np.array([weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)


def evaluate(index: HybridIndex, questions: list[EvalQuestion]) -> dict[str, Any]:
    prepared = prepare(index, questions)
    report: dict[str, Any] = {"questions": len(questions),
                              "answerable": sum(1 for q in questions if q.gold)}
    for name, weights in METHODS.items():
        report[name] = _metrics(prepared, _vector(weights))
    report["hybrid"] = _metrics(prepared, index.fusion.vector(), index.fusion)
    report["hybrid_by_kind"] = {
        kind: _metrics(prepared.subset([i for i, q in enumerate(questions) if q.kind == kind]),
                       index.fusion.vector())
        for kind in sorted({q.kind for q in questions if q.gold})
    }
    latencies = []
    for question in questions:
        started = time.perf_counter()
        index.search(question.text, k=3)
        latencies.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(latencies, n=100)
    report["latency_ms"] = {"p50": quantiles[49], "p95": quantiles[94]}
    return report


def tune(index: HybridIndex, questions: list[EvalQuestion],
         grid: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)) -> Fusion:
    """Weights maximising MRR (then Recall@1); then a logistic gate on the top measure's
    evidence, with the threshold that refuses at most 3% of answerable questions."""
    prepared = prepare(index, questions)
    best_key, best_weights = (-1.0, -1.0), np.ones(len(FEATURES), dtype=np.float32)
    for combo in itertools.product(grid, repeat=len(FEATURES)):
        weights = np.array(combo, dtype=np.float32)
        if not weights.any():
            continue
        m = _metrics(prepared, weights)
        key = (round(m["mrr"], 4), m["recall@1"])
        if key > best_key:
            best_key, best_weights = key, weights
    return _with_gate(prepared, best_weights)


def refit_gate(index: HybridIndex, questions: list[EvalQuestion]) -> Fusion:
    """The index's fusion weights with the no-answer gate fitted again for its embedder:
    the gate reads raw cosines, whose scale differs from one model to another."""
    return _with_gate(prepare(index, questions), index.fusion.vector())


def _with_gate(prepared: Prepared, weights: np.ndarray) -> Fusion:
    """These weights, a gate on the top measure's evidence, and the threshold that refuses
    at most 3% of answerable questions."""
    evidence = _evidence(prepared, weights)
    answerable = np.array([bool(q.gold) for q in prepared.questions])
    fusion = Fusion(weights={name: float(w) for name, w in zip(FEATURES, weights, strict=True)},
                    gate=fit_gate(evidence, answerable))
    confidence = np.sort(fusion.confidence(evidence[answerable]))
    # One refusal of margin below the 3% budget: the threshold should hold on new questions.
    allowed = max(0, int(np.floor(MAX_FALSE_REFUSALS * len(confidence))) - 1)
    fusion.threshold = float(confidence[allowed]) if len(confidence) else 0.0
    return fusion


def fit_gate(evidence: np.ndarray, answerable: np.ndarray) -> dict[str, Any]:
    """Logistic regression (scikit-learn) on standardised evidence, stored as plain numbers."""
    from sklearn.linear_model import LogisticRegression

    mean = evidence.mean(axis=0)
    scale = np.where(evidence.std(axis=0) > 1e-9, evidence.std(axis=0), 1.0)
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit((evidence - mean) / scale, answerable.astype(int))
    return {"features": list(GATE_FEATURES), "mean": mean.round(6).tolist(),
            "scale": scale.round(6).tolist(), "coef": model.coef_[0].round(6).tolist(),
            "intercept": round(float(model.intercept_[0]), 6)}


def save_fusion(fusion: Fusion, path: Path, tuned_on: Path) -> None:
    data = {"weights": fusion.weights, "threshold": round(fusion.threshold, 6),
            "gate": fusion.gate}
    where = tuned_on.resolve()
    if where.is_relative_to(PROJECT_ROOT):
        where = where.relative_to(PROJECT_ROOT)
    header = ("# Fusion of the hybrid index's signals; written by `policybot eval --tune` "
              f"(tuned on {where}), read at build.\n")
    path.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def markdown(report: dict[str, Any], index: HybridIndex, command: str = "policybot eval",
             tuned_on_it: bool = True) -> str:
    """The README's quality table, with the date and machine it was measured on and the
    command that measured it; whether the fusion was tuned on this set decides whether
    the figures are in-sample."""
    import os
    import platform

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores "
        f"by `{command}` ({report['questions']} questions, {report['answerable']} answerable; "
        f"model {index.embedder.model_id}).",
        "",
        "| method | Recall@1 | Recall@3 | MRR |",
        "|---|---|---|---|",
    ]
    for method in ("bm25", "dense", "hybrid"):
        m = report[method]
        lines.append(f"| {method} | {m['recall@1']:.3f} | {m['recall@3']:.3f} | {m['mrr']:.3f} |")
    h, lat = report["hybrid"], report["latency_ms"]
    lines += [
        "",
        f"No answer: {h['unanswerable_caught']:.1%} of unanswerable questions caught, "
        f"{h['answerable_refused']:.1%} of answerable ones refused. In-process hybrid query "
        f"latency p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms. " + (
            "The fusion weights and the no-answer gate are tuned on this same set "
            "(`policybot eval --tune`), so these are in-sample figures." if tuned_on_it else
            "Nothing is tuned on this set (out-of-sample figures)."),
    ]
    return "\n".join(lines)
