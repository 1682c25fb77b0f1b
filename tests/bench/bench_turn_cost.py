"""Per-turn cost (run by hand): does a chat turn get slower as its conversation grows?

One sender holds long conversations (BENCH_TURNS turns, 50 by default; BENCH_CONVERSATIONS
of them) through /api/chat, the way the widget asks, against the answer service and one
Rasa process, once with Rasa's SQLite tracker store (bot/endpoints.yml, the embedded
profile) and once with PostgreSQL and the Redis lock store (bot/endpoints-prod.yml, the
production profile; the answer service then keeps its conversations in PostgreSQL too).
Private PostgreSQL and Redis servers are started for the run (tests/stores.py).

Reported per store: the latency of turns 1-10 and 41-50 (the same ten messages; p50 over every conversation),
their ratio (target: at most 1.2), and Rasa's NLU parse p50 in the same run (its
/model/parse, for the ratio "a turn at most 2 x the NLU"). With BENCH_PROFILE=1 py-spy
samples the Rasa process during the conversations and the samples are grouped into the
parts of a turn (NLU, policies, tracker load/save, the action call, the rest), written
beside the figures (the samples: var/bench/turn-cost-<store>.pyspy.txt). BENCH_STORES=sqlite
runs one store. Writes var/bench/turn-cost.json. Run as
`python -m tests.bench.bench_turn_cost` from the project root.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from knowledge.settings import get_settings
from tests.bench.reports import save, stamp
from tests.bench.turn_profile import PARTS, breakdown
from tests.live import RASA_TOKEN, api_server, free_port, rasa_server
from tests.stores import new_database, private_postgres, private_redis

TURNS = int(os.environ.get("BENCH_TURNS", "50"))
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "3"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
STORES = os.environ.get("BENCH_STORES", "sqlite,postgresql").split(",")
EDGE = 10  # turns averaged at each end: one cycle of MESSAGES, so both ends ask the same
# What a user asks in a long conversation: questions, follow-ups on the measure just
# discussed, a numbered lookup, a department (no eligibility form: its turns differ).
MESSAGES = ["出口信用保险保费能补贴多少?", "那找哪个部门?", "还有效吗?", "展位费能补贴吗?", "具体怎么申请?",
            "第44条", "区商务局负责哪些措施?", "贷款可以延期还本吗?", "小微企业有什么税收优惠?",
            "那找哪个部门?"]


def _conversation(api: str) -> list[float]:
    """Latency (ms) of each turn of one new conversation."""
    latencies: list[float] = []
    token: str | None = None
    with httpx.Client(timeout=60) as client:
        for n in range(TURNS):
            body: dict[str, Any] = {"message": MESSAGES[n % len(MESSAGES)]}
            if token:
                body["sender"] = token
            started = time.perf_counter()
            response = client.post(f"{api}/api/chat", json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            token = response.json()["sender"]
    return latencies


def _nlu_p50(rasa: str) -> float:
    samples = []
    with httpx.Client(timeout=30) as client:
        for n in range(40):
            started = time.perf_counter()
            client.post(f"{rasa}/model/parse", params={"token": RASA_TOKEN},
                        json={"text": MESSAGES[n % len(MESSAGES)]}).raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[5:])


@contextmanager
def _profiled(rasa_port: int, out: Path) -> Iterator[None]:
    """py-spy sampling the Rasa process (found by its port) while inside."""
    if not PROFILE:
        yield
        return
    pid = int(subprocess.run(["pgrep", "-f", f"rasa run .*--port {rasa_port} "], capture_output=True,
                             text=True, check=True).stdout.split()[0])
    spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
                            "--format", "raw", "--rate", "200", "--output", str(out), "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        yield
    finally:
        spy.send_signal(2)  # SIGINT: py-spy writes what it sampled
        spy.wait(timeout=60)


def _run(name: str, work: Path, index: Path, api_env: dict[str, str], endpoints: str,
         rasa_env: dict[str, str]) -> dict[str, Any]:
    rasa_port = free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    rasa_log = work / f"{rasa_port}.log"
    with api_server(index, rasa_url, work, api_env) as api, \
            rasa_server(api, work / "tracker.db", rasa_log, port=rasa_port, endpoints=endpoints,
                        extra_env=rasa_env) as rasa:
        _conversation(api)  # warm-up: first-call costs of every component
        nlu = _nlu_p50(rasa)
        profile = Path("var/bench") / f"turn-cost-{name}.pyspy.txt"
        profile.parent.mkdir(parents=True, exist_ok=True)
        with _profiled(rasa_port, profile):
            runs = [_conversation(api) for _ in range(CONVERSATIONS)]
    first = statistics.median(v for run in runs for v in run[:EDGE])
    last = statistics.median(v for run in runs for v in run[-EDGE:])
    result = {"store": name, "turns": TURNS, "conversations": CONVERSATIONS,
              "first_p50_ms": round(first, 1), "last_p50_ms": round(last, 1),
              "ratio": round(last / first, 2), "nlu_parse_p50_ms": round(nlu, 1),
              "turn_over_nlu": round(first / nlu, 1),
              "per_turn_p50_ms": [round(statistics.median(run[i] for run in runs), 1) for i in range(TURNS)]}
    if PROFILE and profile.exists():
        result["profile"] = breakdown(profile.read_text(encoding="utf-8"))
    return result


def main() -> None:
    index = get_settings().resolved_index_dir
    results = []
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if "sqlite" in STORES:
            sqlite_work = work / "sqlite"
            sqlite_work.mkdir()
            results.append(_run("sqlite", sqlite_work, index, {}, "bot/endpoints.yml", {}))
        if "postgresql" not in STORES:
            return _report(results)
        postgres = stack.enter_context(private_postgres())
        redis = stack.enter_context(private_redis())
        database = new_database(postgres)
        db, rd = urlsplit(database), urlsplit(redis.url)
        pg_work = work / "postgresql"
        pg_work.mkdir()
        results.append(_run(
            "postgresql", pg_work, index,
            {"POLICYBOT_DATABASE_URL": database, "POLICYBOT_REDIS_URL": redis.url}, "bot/endpoints-prod.yml",
            {"POLICYBOT_PG_HOST": db.hostname or "", "POLICYBOT_PG_PORT": str(db.port),
             "POLICYBOT_PG_DB": db.path.lstrip("/"), "POLICYBOT_PG_USER": db.username or "",
             "POLICYBOT_PG_PASSWORD": db.password or "", "POLICYBOT_REDIS_HOST": rd.hostname or "",
             "POLICYBOT_REDIS_PORT": str(rd.port), "POLICYBOT_REDIS_PASSWORD": rd.password or ""}))
    _report(results)


def _report(results: list[dict[str, Any]]) -> None:
    save("turn-cost", {**stamp(), "results": results})
    print(f"| tracker store | turns 1-{EDGE} p50 | turns {TURNS - EDGE + 1}-{TURNS} p50 | ratio | "
          f"NLU parse p50 | turn / NLU |\n|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['store']} | {r['first_p50_ms']} ms | {r['last_p50_ms']} ms | {r['ratio']} | "
              f"{r['nlu_parse_p50_ms']} ms | {r['turn_over_nlu']} |")
    for r in results:
        if "profile" in r:
            print(f"\n{r['store']}: share of Rasa's sampled CPU time per part of a turn")
            for part in (*PARTS, "other"):
                print(f"  {part:<22} {r['profile'].get(part, 0.0):5.1%}")


if __name__ == "__main__":
    main()
