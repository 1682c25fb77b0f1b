"""A test stand-in for api.publishing, the lead's module (issue 13), so the admin pages and
their JSON API can be tested before it is merged, and without building indexes or
training Rasa afterwards.

It has exactly the interface written in the shared notes (kb-lifecycle.md): stage,
validate, diff, publish (with progress), versions, rollback, VersionInfo, PublishRejected,
PublishFailed. It lives in tests/ only; `install` puts it into sys.modules under the
module's name for one test (monkeypatch), or for a server started in-process.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.errors import DocumentInvalid, Problem
from knowledge.parser import parse_document

MODULE = "api.publishing"


class PublishRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


class PublishFailed(Exception):
    pass


@dataclass
class VersionInfo:
    id: str
    created_at: str  # ISO text, as api.publishing gives it
    summary: str
    origin: str
    documents: list[dict[str, Any]]
    measure_count: int
    live: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "created_at": self.created_at, "summary": self.summary,
                "origin": self.origin, "documents": self.documents, "measure_count": self.measure_count,
                "live": self.live}


@dataclass
class KbDiff:
    lines: list[str]

    def to_text(self) -> str:
        return "\n".join(self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"lines": self.lines}


@dataclass
class FakePublishing:
    """The versions it has published, and switches to make the next publish misbehave."""

    versions_: list[VersionInfo] = field(default_factory=list)
    step_seconds: float = 0.05
    reject_next: list[Problem] | None = None
    fail_next: str | None = None
    # Set to block publish() until the test releases it (a publish "still running").
    gate: threading.Event | None = None
    published: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.versions_:
            self.versions_.append(VersionInfo(
                "20261130T080000Z", "2026-11-30T08:00:00+00:00", "初始知识库", "seed",
                [{"doc_id": "hongqi-2023-measures", "title": "红旗区大力提振市场信心促进经济稳定向好政策措施",
                  "short_name": "红旗区2023年措施", "measures": 75}], 75, live=True))

    # ---- the interface ---------------------------------------------------------------------

    def stage(self, paths: list[Path]) -> Path:
        tree = Path(tempfile.mkdtemp(prefix="fake-stage-"))
        for path in paths:
            folder = "sources" if path.name.endswith((".txt", ".meta.yml")) else "eligibility"
            (tree / folder).mkdir(exist_ok=True)
            shutil.copy(path, tree / folder / path.name)
        return tree

    def validate(self, tree: Path) -> list[Problem]:
        problems: list[Problem] = []
        for path in sorted((tree / "sources").glob("*.txt")):
            try:
                parse_document(path)
            except DocumentInvalid as exc:
                problems.extend(exc.problems)
        return problems

    def diff(self, tree: Path) -> KbDiff:
        lines = []
        for path in sorted((tree / "sources").glob("*.txt")):
            lines.append(f"documents changed: {path.stem} ({len(parse_document(path).measures)} measures)")
        return KbDiff(lines or ["no changes"])

    def publish(self, tree: Path, *, origin: str, progress: Callable[[str], None] | None = None
                ) -> VersionInfo:
        say = progress or (lambda _: None)
        say("validating")
        if self.reject_next is not None:
            problems, self.reject_next = self.reject_next, None
            raise PublishRejected(problems)
        for step in ("building the index", "training Rasa"):
            time.sleep(self.step_seconds)
            say(step)
        if self.gate is not None:
            self.gate.wait(30)
        if self.fail_next is not None:
            reason, self.fail_next = self.fail_next, None
            raise PublishFailed(reason)
        self.published.append(tree)
        stems = sorted(p.stem for p in (tree / "sources").glob("*.txt"))
        info = VersionInfo(f"v{len(self.versions_) + 1}-{int(time.time() * 1000)}",
                           dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           f"published {', '.join(stems)}", origin,
                           [{"doc_id": s, "title": s, "short_name": s, "measures": 75} for s in stems], 75)
        self._make_live(info)
        self.versions_.insert(0, info)
        say("switched")
        return info

    def versions(self) -> list[VersionInfo]:
        return list(self.versions_)

    def rollback(self, version_id: str | None = None) -> VersionInfo:
        live = next(i for i, v in enumerate(self.versions_) if v.live)
        if version_id is None:
            if live + 1 >= len(self.versions_):
                raise PublishFailed("no earlier version")
            target = self.versions_[live + 1]
        else:
            target = next(v for v in self.versions_ if v.id == version_id)
        self._make_live(target)
        return target

    def _make_live(self, info: VersionInfo) -> None:
        for v in self.versions_:
            v.live = False
        info.live = True

    # ---- as a module ------------------------------------------------------------------------

    def module(self) -> types.ModuleType:
        module = types.ModuleType(MODULE, "Test stand-in for api.publishing (tests/fake_publishing.py)")
        for name in ("stage", "validate", "diff", "publish", "versions", "rollback"):
            setattr(module, name, getattr(self, name))
        module.VersionInfo = VersionInfo  # type: ignore[attr-defined]
        module.PublishRejected = PublishRejected  # type: ignore[attr-defined]
        module.PublishFailed = PublishFailed  # type: ignore[attr-defined]
        return module

    def install(self) -> None:
        """For a server started in this process; tests use monkeypatch.setitem instead."""
        sys.modules[MODULE] = self.module()
