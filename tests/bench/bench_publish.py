"""Publishing benchmark (run by hand: `make bench-publish`): how long a maintainer waits
from `policybot kb publish` to the assistant answering from the new version, with and
without Rasa retraining, and a rollback; how many chat requests fail meanwhile (target
0). Ten senders chat through /api/chat throughout. Starts its own servers over a copy of
the live seed version; writes var/bench/publish.json and var/bench/publish.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.bench.reports import save, stamp
from tests.live import RASA_TOKEN, ChatLoad, KbStack, start_kb_stack

TODAY = "2024-06-01"  # between the loan deadline of 第44条 and the amended one
OLD_END, NEW_END = "最长可延至2023年6月30日", "最长可延至2024年12月31日"
ALIAS_QUESTION = "外经局负责哪些措施?"
SOURCE = Path("knowledge/sources/hongqi-2023-measures.txt")
POLICYBOT = str(Path(sys.executable).parent / "policybot")


def _timed(stack: KbStack, args: list[str], ready: Callable[[], bool]) -> dict[str, Any]:
    """Run a kb command under chat load; seconds until it returns and until `ready`
    (checked while it runs and for up to 30 s after)."""
    with ChatLoad(f"{stack.api_url}/api/chat") as load:
        started = time.perf_counter()
        process = subprocess.Popen([POLICYBOT, "kb", *args], env=stack.env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        answering: float | None = None
        finished: float | None = None
        while answering is None and (finished is None or time.perf_counter() - started < finished + 30):
            if ready():
                answering = time.perf_counter() - started
            if finished is None and process.poll() is not None:
                finished = time.perf_counter() - started
            time.sleep(0.2)
        out, err = process.communicate()
        finished = finished or time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"kb {' '.join(args)} failed: {err[-2000:]}")
    failed = sum(1 for s in load.statuses if s != 200) + len(load.errors)
    return {"command_s": round(finished, 1),
            "answering_s": None if answering is None else round(answering, 1),
            "requests": len(load.statuses) + len(load.errors), "failed": failed,
            "failures": [str(s) for s in load.statuses if s != 200] + load.errors[:5],
            "rasa_retrained": '"rasa_retrained": true' in out}


def _entities(stack: KbStack, text: str) -> list[str]:
    response = httpx.post(f"{stack.rasa_url}/model/parse", params={"token": RASA_TOKEN},
                          json={"text": text}, timeout=30)
    return [str(e["value"]) for e in response.json().get("entities", [])]


def main() -> None:
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        amended = work / SOURCE.name
        amended.write_text(SOURCE.read_text(encoding="utf-8").replace(OLD_END, NEW_END),
                           encoding="utf-8")
        with start_kb_stack(work / "stack", today=TODAY) as stack:
            live_table = stack.kb_dir / "versions"
            departments = work / "departments.yml"
            table = next(live_table.glob("*/knowledge/departments.yml")).read_text(encoding="utf-8")
            departments.write_text(table.replace("区商务局: [商务局,", "区商务局: [外经局, 商务局,"),
                                   encoding="utf-8")
            runs = {
                "publish (no retraining: a deadline moved)": _timed(
                    stack, ["publish", str(amended), "--yes", "--json"],
                    lambda: "2024年12月31日" in stack.ask("第44条")),
                "rollback": _timed(stack, ["rollback", "--json"],
                                   lambda: "2023年6月30日" in stack.ask("第44条")),
                "publish (Rasa retrained: a department alias added)": _timed(
                    stack, ["publish", str(departments), "--yes", "--json"],
                    lambda: "区商务局" in _entities(stack, ALIAS_QUESTION)),
            }
            if any(run["failed"] for run in runs.values()):  # keep the servers' logs to see why
                kept = Path("var/bench/publish-logs")
                kept.mkdir(parents=True, exist_ok=True)
                for log in (work / "stack").rglob("*.log"):
                    shutil.copy(log, kept / log.name)
    report = {**stamp(), "runs": runs}
    out = save("publish", report)
    lines = [f"Measured {report['date']} on {report['machine']} by `make bench-publish` (ten senders "
             "chatting through /api/chat throughout).\n",
             "| step | command took | new version answering after | chat requests | failed |",
             "|---|---|---|---|---|"]
    for name, r in runs.items():
        lines.append(f"| {name} | {r['command_s']} s | {r['answering_s']} s | {r['requests']} "
                     f"| {r['failed']} |")
    markdown = "\n".join(lines) + "\n"
    out.with_suffix(".md").write_text(markdown, encoding="utf-8")
    print(markdown)


if __name__ == "__main__":
    main()
