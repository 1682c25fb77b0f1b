"""Fair-use benchmark (run by hand: `make bench-abuse`): a normal user's chat latency
alone, then during a burst of abusive senders. Starts its own servers with the default
limits; writes var/bench/abuse.json and var/bench/abuse.md (the README block).

The normal user asks the evaluation set's questions through /api/chat (the widget's
route) one after another, with 0.6 s of reading time between turns and a new
conversation every five turns. The abusers each come from their own address (the
answer service trusts X-Forwarded-For from loopback here, as it would from nginx), send
2,000-character messages at full speed and ignore Retry-After. They run in another
process, so the normal user's timings are not skewed by the load generator's own loop.
Target: the normal user's p95 during the burst at most twice its p95 alone, and no
failed normal turn.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from index.evaluate import load_eval_set
from knowledge.settings import Settings, get_settings
from tests.bench.reports import save, stamp
from tests.live import live_stack

PHASE_SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
ABUSERS = int(os.environ.get("BENCH_ABUSERS", "20"))
THINK_SECONDS = 0.6
TURNS_PER_CONVERSATION = 5
LONG_MESSAGE = ("我们公司想了解出口信用保险和展会补贴的具体政策" * 100)[:2000]


async def _normal_user(url: str, questions: list[str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    failures: dict[str, int] = {}
    token: str | None = None
    deadline = time.monotonic() + seconds
    turn = 0
    async with httpx.AsyncClient(timeout=60, headers={"X-Forwarded-For": "10.0.0.1"}) as client:
        while time.monotonic() < deadline:
            if turn % TURNS_PER_CONVERSATION == 0:
                token = None
            body: dict[str, Any] = {"message": questions[turn % len(questions)]}
            if token:
                body["sender"] = token
            started = time.perf_counter()
            response = await client.post(url, json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code == 200:
                token = response.json()["sender"]
            else:
                failures[str(response.status_code)] = failures.get(str(response.status_code), 0) + 1
            turn += 1
            await asyncio.sleep(THINK_SECONDS)
    q = statistics.quantiles(latencies, n=100)
    return {"turns": len(latencies), "failed": sum(failures.values()), "failures": failures,
            "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1)}


async def _abusers(url: str, count: int, seconds: float) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    async def abuser(i: int) -> None:
        headers = {"X-Forwarded-For": f"10.1.{i // 250}.{i % 250 + 1}"}
        async with httpx.AsyncClient(timeout=60, headers=headers) as client:
            while time.monotonic() < deadline:
                try:
                    response = await client.post(url, json={"message": LONG_MESSAGE})
                    key = str(response.status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                outcomes[key] = outcomes.get(key, 0) + 1

    await asyncio.gather(*(abuser(i) for i in range(count)))
    return outcomes


def _abuse_process(url: str, count: int, seconds: float, out: Any) -> None:
    out.put(asyncio.run(_abusers(url, count, seconds)))


def main() -> None:
    defaults = Settings()
    limits = {"POLICYBOT_CLIENT_RATE_LIMITS": defaults.client_rate_limits,
              "POLICYBOT_CONVERSATION_RATE_LIMITS": defaults.conversation_rate_limits,
              "POLICYBOT_HEAVY_TURN_RATE_LIMITS": defaults.heavy_turn_rate_limits,
              "POLICYBOT_HEAVY_TURNS_IN_FLIGHT": str(defaults.heavy_turns_in_flight),
              "POLICYBOT_TRUSTED_PROXIES": "127.0.0.1"}
    questions = [q.text for q in load_eval_set() if q.gold]
    with tempfile.TemporaryDirectory() as work, \
            live_stack(get_settings().resolved_index_dir, Path(work), api_env=limits) as stack:
        url = f"{stack.api_url}/api/chat"
        asyncio.run(_normal_user(url, questions[-10:], 5))  # warm-up
        alone = asyncio.run(_normal_user(url, questions, PHASE_SECONDS))
        queue: Any = multiprocessing.Queue()
        burst = multiprocessing.Process(target=_abuse_process, args=(url, ABUSERS, PHASE_SECONDS, queue))
        burst.start()
        during = asyncio.run(_normal_user(url, questions, PHASE_SECONDS))
        abuse = queue.get()
        burst.join()
    report = {**stamp(), "seconds": PHASE_SECONDS, "abusers": ABUSERS, "limits": limits,
              "alone": alone, "during_burst": during, "abusers_outcomes": abuse,
              "p95_ratio": round(during["p95_ms"] / alone["p95_ms"], 2)}
    markdown = _markdown(report)
    save("abuse", report, markdown)
    print(markdown)


def _markdown(report: dict[str, Any]) -> str:
    alone, during = report["alone"], report["during_burst"]
    rows = [f"Measured {report['date']} on {report['machine']} by `make bench-abuse` "
            f"({report['seconds']:.0f} s per phase; the load generator shares the machine).\n",
            "| normal user | turns | failed | p50 | p95 |", "|---|---|---|---|---|"]
    for name, r in (("alone", alone), (f"during {report['abusers']} abusive senders", during)):
        rows.append(f"| {name} | {r['turns']} | {r['failed']} | {r['p50_ms']} ms | {r['p95_ms']} ms |")
    counts = sorted(report["abusers_outcomes"].items())
    outcomes = ", ".join(f"{count} × {status}" for status, count in counts)
    rows.append(f"\nThe abusers' requests: {outcomes}. The normal user's p95 during the burst is "
                f"{report['p95_ratio']} × its p95 alone (target: at most 2 ×, no failed turn).")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    main()
