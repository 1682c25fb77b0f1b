"""Chat benchmark (run by hand: `make bench-chat`): turns through Rasa's REST channel and
the action server, at 1, 10 and 50 concurrent senders; p50/p95 latency and turns per
second. Starts its own servers; writes var/bench/chat.json. Run as
`python -m tests.bench.bench_chat` from the project root."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from index.evaluate import load_eval_set
from knowledge.settings import get_settings
from tests.bench.reports import save, stamp
from tests.live import live_stack

LEVELS = (1, 10, 50)
TURNS_PER_LEVEL = int(os.environ.get("BENCH_TURNS", "200"))
# Rasa reloads a sender's whole tracker every turn, so conversation length matters:
# each simulated user asks a handful of questions, as on the website, then leaves.
TURNS_PER_CONVERSATION = 5
# A realistic mix: mostly free questions, some follow-ups and numbered lookups.
EXTRA = ["那找哪个部门?", "还有效吗?", "第44条", "区商务局负责哪些措施?", "你好"]


async def _level(url: str, concurrency: int, messages: list[str]) -> dict[str, float]:
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for m in messages[:TURNS_PER_LEVEL]:
        queue.put_nowait(m)

    async def sender(i: int, client: httpx.AsyncClient) -> None:
        turn = 0
        while not queue.empty():
            text = queue.get_nowait()
            conversation = f"bench-{concurrency}-{i}-{turn // TURNS_PER_CONVERSATION}"
            turn += 1
            started = time.perf_counter()
            r = await client.post(url, json={"sender": conversation, "message": text})
            r.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(sender(i, client) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"concurrency": concurrency, "turns": len(latencies),
            "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1),
            "turns_per_s": round(len(latencies) / elapsed, 1)}


def main() -> None:
    questions = [q.text for q in load_eval_set()]
    messages = [m for i, q in enumerate(questions) for m in (q, EXTRA[i % len(EXTRA)])] * 3
    with tempfile.TemporaryDirectory() as work, \
            live_stack(get_settings().resolved_index_dir, Path(work)) as stack:
        url = f"{stack.rasa_url}/webhooks/rest/webhook"
        asyncio.run(_level(url, 5, messages[:30]))  # warm-up
        results = [asyncio.run(_level(url, c, messages)) for c in LEVELS]
    save("chat", {**stamp(), "levels": results})
    print("| senders | turns | p50 ms | p95 ms | turns/s |\n|---|---|---|---|---|")
    for r in results:
        print(f"| {r['concurrency']} | {r['turns']} | {r['p50_ms']} | {r['p95_ms']} | {r['turns_per_s']} |")


if __name__ == "__main__":
    main()
