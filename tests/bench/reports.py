"""Where every benchmark and evaluation writes its report: var/bench/NAME.json (and the
Markdown the README figures script splices, when there is one), stamped with the date
and the machine, so each figure says where it was measured."""

from __future__ import annotations

import json
import os
import platform
from datetime import date
from pathlib import Path
from typing import Any

BENCH_DIR = Path("var/bench")


def stamp() -> dict[str, str]:
    return {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores"}


def save(name: str, report: dict[str, Any], markdown: str | None = None) -> Path:
    """Write the report (and its Markdown beside it); the JSON file's path."""
    out = BENCH_DIR / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if markdown is not None:
        out.with_suffix(".md").write_text(markdown, encoding="utf-8")
    return out
