"""Embedded vs production profile (run by hand: `make bench-profiles`; ~15 min).

In one run on this machine, for each profile: chat turns through /api/chat (the widget's
route; the front, nginx, for the production profile) at 1, 10 and 50 concurrent senders,
conversations of five turns (turns/s, p50, p95, errors); the latency of turns 1–10,
11–20 and 41–50 of 50-turn conversations cycling through the same ten messages; Rasa's NLU parse
alone (its /model/parse, one sender); and the CPU the servers spend per turn at 10
senders (the machine's busy time minus this process's own), from which the cores needed
for 100 and 1,000 concurrent senders are projected. Writes var/bench/profiles.json and var/bench/profiles.md.

The production profile here is one node (two Rasa processes, two answer-service
workers) with PostgreSQL, Redis and nginx, all on the same two cores.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from index.evaluate import load_eval_set
from knowledge.settings import get_settings
from tests.bench.reports import save, stamp
from tests.live import RASA_TOKEN, live_stack, prod_profile

LEVELS = (1, 10, 50)
# 600 turns: at 200 a level lasted 6 s at 10 senders and its turns/s varied by a fifth
# from run to run with the workers' warm-up and the machine's other load.
TURNS_PER_LEVEL = int(os.environ.get("BENCH_TURNS", "600"))
TURNS_PER_CONVERSATION = 5
LONG_CONVERSATION = 50
EDGE = 10  # turns at each end of a long conversation, one cycle of its messages
EXTRA = ["那找哪个部门?", "还有效吗?", "第44条", "区商务局负责哪些措施?", "你好"]
# A person on the website asks about one question every 20 seconds while chatting.
SECONDS_BETWEEN_TURNS = 20.0


def _quantiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100)
    return round(q[49], 1), round(q[94], 1)


async def _level(url: str, concurrency: int, messages: list[str]) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for m in messages[:TURNS_PER_LEVEL]:
        queue.put_nowait(m)

    async def sender(client: httpx.AsyncClient) -> None:
        token: str | None = None
        turn = 0
        while not queue.empty():
            body: dict[str, Any] = {"message": queue.get_nowait()}
            if token and turn % TURNS_PER_CONVERSATION:
                body["sender"] = token
            started = time.perf_counter()
            try:
                response = await client.post(url, json=body)
                key = str(response.status_code)
                if response.status_code == 200:
                    token = response.json()["sender"]
                    latencies.append((time.perf_counter() - started) * 1000)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            if key != "200":
                errors[key] = errors.get(key, 0) + 1
            turn += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(sender(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    p50, p95 = _quantiles(latencies)
    return {"concurrency": concurrency, "turns": len(latencies), "errors": errors,
            "p50_ms": p50, "p95_ms": p95, "turns_per_s": round(len(latencies) / elapsed, 1)}


def _long_conversation(url: str, messages: list[str]) -> dict[str, float]:
    """Median latency of turns 1-10, 11-20 and 41-50 of three 50-turn conversations that
    cycle through the same ten messages, so every span asks the same things. One of them
    opens an eligibility check that the others leave open, and a turn with a check open
    costs more (its form runs too), so turns 1-10 are in another state than the later
    spans; 11-20 against 41-50 is the same state at another length."""
    cycle = messages[:EDGE]
    spans: dict[str, list[float]] = {"turn_1_10_ms": [], "turn_11_20_ms": [], "turn_41_50_ms": []}
    with httpx.Client(timeout=120) as client:
        for _ in range(3):
            token = None
            for turn in range(LONG_CONVERSATION):
                body: dict[str, Any] = {"message": cycle[turn % EDGE]}
                if token:
                    body["sender"] = token
                started = time.perf_counter()
                response = client.post(url, json=body)
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                token = response.json()["sender"]
                span = ("turn_1_10_ms" if turn < EDGE else "turn_11_20_ms" if turn < 2 * EDGE
                        else "turn_41_50_ms" if turn >= LONG_CONVERSATION - EDGE else None)
                if span:
                    spans[span].append(elapsed)
    medians = {span: round(statistics.median(values), 1) for span, values in spans.items()}
    return {**medians, "late_over_early": round(medians["turn_41_50_ms"] / medians["turn_1_10_ms"], 2),
            "late_over_second": round(medians["turn_41_50_ms"] / medians["turn_11_20_ms"], 2)}


def _nlu_parse(rasa_url: str, token: str, messages: list[str]) -> float:
    times = []
    with httpx.Client(timeout=60) as client:
        for text in messages[:60]:
            started = time.perf_counter()
            response = client.post(f"{rasa_url}/model/parse", params={"token": token}, json={"text": text})
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()  # a refused token answers fast, and is no parse
    return round(statistics.median(times[10:]), 1)


def _busy_seconds() -> float:
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(name: str, chat_url: str, rasa: tuple[str, str], messages: list[str]) -> dict[str, Any]:
    asyncio.run(_level(chat_url, 5, messages[:30]))  # warm-up
    levels = []
    cpu_per_turn = 0.0
    for concurrency in LEVELS:
        busy, own = _busy_seconds(), _own_seconds()
        result = asyncio.run(_level(chat_url, concurrency, messages))
        if concurrency == 10:
            spent = (_busy_seconds() - busy) - (_own_seconds() - own)
            cpu_per_turn = spent / max(1, result["turns"])
        levels.append(result)
    conversation = _long_conversation(chat_url, messages)
    nlu = _nlu_parse(*rasa, messages)
    return {"profile": name, "levels": levels, **conversation, "nlu_parse_ms": nlu,
            "turn_over_nlu": round(levels[0]["p50_ms"] / nlu, 1),
            "cpu_ms_per_turn": round(cpu_per_turn * 1000, 1)}


@contextmanager
def _embedded(work: Path) -> Iterator[tuple[str, tuple[str, str]]]:
    with live_stack(get_settings().resolved_index_dir, work) as stack:
        yield f"{stack.api_url}/api/chat", (stack.rasa_url, RASA_TOKEN)


@contextmanager
def _production(work: Path) -> Iterator[tuple[str, tuple[str, str]]]:
    with prod_profile(work, nodes=1, rasa=2, workers=2) as profile:
        rasa = sorted(n for n in profile.processes() if "-rasa-" in n)[0]
        rasa_url = f"http://127.0.0.1:{rasa.rsplit('-', 1)[1]}"
        yield f"{profile.front}/api/chat", (rasa_url, profile.rasa_token())


def _projection(cpu_ms_per_turn: float) -> dict[str, float]:
    return {str(n): round(n / SECONDS_BETWEEN_TURNS * cpu_ms_per_turn / 1000, 2) for n in (100, 1000)}


def main() -> None:
    questions = [q.text for q in load_eval_set()]
    messages = [m for i, q in enumerate(questions) for m in (q, EXTRA[i % len(EXTRA)])] * 3
    results = []
    for name, start in (("embedded", _embedded), ("production", _production)):
        with tempfile.TemporaryDirectory() as work, start(Path(work)) as (chat_url, rasa):
            results.append(_measure(name, chat_url, rasa, messages))
    report = {**stamp(), "cores": os.cpu_count() or 1, "profiles": results,
              "cores_needed": {r["profile"]: _projection(r["cpu_ms_per_turn"]) for r in results}}
    markdown = _markdown(report)
    save("profiles", report, markdown)
    print(markdown)


def _ceiling(report: dict[str, Any]) -> str:
    """What these cores allow the production profile at best, from this run's figures: all
    cores busy at production's CPU per turn, against the embedded throughput at 10
    senders (which already keeps part of the second core busy: Rasa on one, the answer
    service on the other)."""
    by_name = {p["profile"]: p for p in report["profiles"]}
    embedded, production = by_name["embedded"], by_name["production"]
    at_10 = next(level for level in embedded["levels"] if level["concurrency"] == 10)
    cores = report["cores"]
    busy = at_10["turns_per_s"] * embedded["cpu_ms_per_turn"] / 1000
    best = cores * 1000 / production["cpu_ms_per_turn"]
    return (f"\nAt 10 senders the embedded profile kept {busy:.2f} of the {cores} cores busy. With "
            f"every core busy at its CPU per turn, the production profile could reach {best:.1f} turns/s, "
            f"{best / at_10['turns_per_s']:.2f} × the embedded throughput.")


def _markdown(report: dict[str, Any]) -> str:
    lines = [f"Measured {report['date']} on {report['machine']} by `make bench-profiles` (chat turns "
             "through /api/chat, conversations of five turns; the production profile is one node with "
             "two Rasa processes and two answer-service workers, PostgreSQL, Redis and nginx, on the "
             "same cores).\n",
             "| profile | senders | turns | p50 | p95 | turns/s | errors |", "|---|---|---|---|---|---|---|"]
    for profile in report["profiles"]:
        for level in profile["levels"]:
            errors = ", ".join(f"{n} × {k}" for k, n in level["errors"].items()) or "0"
            lines.append(f"| {profile['profile']} | {level['concurrency']} | {level['turns']} | "
                         f"{level['p50_ms']} ms | {level['p95_ms']} ms | {level['turns_per_s']} | {errors} |")
    lines += ["", "| profile | turns 1–10 | turns 11–20 | turns 41–50 | 41–50 / 1–10 | 41–50 / 11–20 "
                  "| NLU parse alone "
                  "| turn / NLU at one sender | CPU per turn | cores for 100 / 1,000 senders |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for profile in report["profiles"]:
        cores = report["cores_needed"][profile["profile"]]
        lines.append(f"| {profile['profile']} | {profile['turn_1_10_ms']} ms | "
                     f"{profile['turn_11_20_ms']} ms | {profile['turn_41_50_ms']} ms | "
                     f"{profile['late_over_early']} × | "
                     f"{profile['late_over_second']} × | "
                     f"{profile['nlu_parse_ms']} ms | {profile['turn_over_nlu']} × | "
                     f"{profile['cpu_ms_per_turn']} ms | "
                     f"{cores['100']} / {cores['1000']} |")
    lines.append("\nEach span of ten turns asks the same ten messages. One of them opens an eligibility "
                 "check that the others leave open, and while a check is open every turn also runs its "
                 "form, so turns 1–10 (the check opens within them) are in another state than turns 11–20 "
                 "and 41–50; those two differ only in the length of the conversation. The turn / NLU ratio "
                 "is the one-sender p50 of a whole chat turn over Rasa's NLU parse alone.")
    lines.append(_ceiling(report))
    lines.append(f"\nCores needed assume a person sends a turn every {SECONDS_BETWEEN_TURNS:.0f} s and "
                 "scale the CPU measured per turn at 10 senders; they exclude headroom.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
