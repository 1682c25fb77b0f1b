"""Retrieval benchmark (run by hand: `make bench`): build time, query latency, peak memory,
on the real knowledge base and on a synthetic corpus of 10,000 measures made by
recombining measure sentences. Writes var/bench/retrieval.json and .md. Run as
`python -m tests.bench.bench_retrieval` from the project root."""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import time

from index.corpus import clauses
from index.embedder import Embedder
from index.evaluate import load_eval_set
from index.hybrid import HybridIndex
from index.store import load_fusion
from knowledge.catalog import Catalog
from knowledge.models import Measure
from knowledge.questions import QuestionBank
from knowledge.settings import get_settings
from tests.bench.reports import stamp


def _latency(index: HybridIndex, queries: list[str]) -> dict[str, float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, k=3)
        times.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(times, n=100)
    return {"p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2)}


def _synthetic(measures: list[Measure], n: int, seed: int = 7) -> list[Measure]:
    rng = random.Random(seed)
    sentences = [c for m in measures for c in (clauses(m) or [m.text])]
    out = []
    for i in range(n):
        base = rng.choice(measures)
        text = "".join(rng.sample(sentences, k=rng.randint(1, 3)))
        out.append(base.model_copy(update={"number": i + 1, "text": text, "doc_id": "synthetic"}))
    return out


def main() -> None:
    settings = get_settings()
    catalog = Catalog.load()
    bank = QuestionBank.load(catalog)
    embedder = Embedder.from_settings(settings)
    queries = [q.text for q in load_eval_set()]
    stamped = stamp()
    report: dict[str, object] = {
        **stamped, "machine": f"{stamped['machine']}, Python {sys.version.split()[0]}",
        "model": embedder.model_id,
    }
    started = time.perf_counter()
    real = HybridIndex(catalog.measures, embedder, load_fusion())
    real.build(bank)
    report["kb"] = {"measures": len(catalog.measures), "vectors": real.dense.count,
                    "build_s": round(time.perf_counter() - started, 2), **_latency(real, queries)}
    synthetic = _synthetic(catalog.measures, 10_000)
    started = time.perf_counter()
    big = HybridIndex(synthetic, embedder, load_fusion())
    big.build(QuestionBank({}))
    build_s = time.perf_counter() - started
    report["synthetic_10k"] = {"measures": len(synthetic), "vectors": big.dense.count,
                               "build_s": round(build_s, 2), **_latency(big, queries[:100])}
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out = settings.var_dir / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "retrieval.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    kb, syn = report["kb"], report["synthetic_10k"]
    assert isinstance(kb, dict) and isinstance(syn, dict)
    lines = [
        f"Measured {report['date']} on {report['machine']} by `make bench` (model {report['model']}).",
        "",
        "| corpus | measures | vectors | build | query p50 | query p95 |",
        "|---|---|---|---|---|---|",
        f"| knowledge base + question bank | {kb['measures']} | {kb['vectors']} | {kb['build_s']} s "
        f"| {kb['p50_ms']} ms | {kb['p95_ms']} ms |",
        f"| synthetic (recombined sentences) | {syn['measures']} | {syn['vectors']} | "
        f"{syn['build_s']} s | {syn['p50_ms']} ms | {syn['p95_ms']} ms |",
        "",
        f"Peak memory of the benchmark process: {report['peak_rss_mb']} MB.",
    ]
    (out / "retrieval.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
