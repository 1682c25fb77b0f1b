"""Publishing from the browser: one job at a time, in a worker thread, with its progress.

A publish builds an index and may retrain Rasa: minutes, longer than a request should
last and longer than a proxy waits. So the page starts a job and polls its state; the
job keeps every progress line the publishing code reports. Only one publish runs at a
time in this process (a second is refused with the running job's id). Jobs live in memory:
after a restart the page shows the version list, which is the truth about what is live.
With several answer-service processes, the admin must be routed to one of them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

State = Literal["running", "done", "rejected", "failed"]
KEEP = 20


class PublishBusy(Exception):
    def __init__(self, running: str) -> None:
        self.running = running
        super().__init__(f"publish {running} is running")


class JobRejected(Exception):
    """Validation refused the version; problems as {path, line, message}."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s)")


@dataclass
class Job:
    id: str
    state: State = "running"
    steps: list[str] = field(default_factory=list)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    finished_at: dt.datetime | None = None
    version: dict[str, Any] | None = None
    error: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"job": self.id, "state": self.state, "steps": list(self.steps),
                "started_at": self.started_at.isoformat(),
                "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
                "version": self.version, "error": self.error, "problems": self.problems}


Work = Callable[[Callable[[str], None]], dict[str, Any]]


class PublishJobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._running: str | None = None

    @property
    def running(self) -> str | None:
        return self._running

    def start(self, work: Work) -> Job:
        """Run work(progress) in a thread; it returns the new version's JSON or raises
        JobRejected (nothing changed) or anything else (failed, the old version live)."""
        with self._lock:
            if self._running is not None:
                raise PublishBusy(self._running)
            job = Job(secrets.token_urlsafe(12))
            self._running = job.id
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job, work), name=f"publish-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def _run(self, job: Job, work: Work) -> None:
        try:
            job.version = work(job.steps.append)
            job.state = "done"
        except JobRejected as exc:
            job.problems, job.state = exc.problems, "rejected"
        except Exception as exc:  # reported on the page; the previous version stays live
            log.exception("publish %s failed", job.id)
            job.error, job.state = str(exc)[:2000], "failed"
        finally:
            job.finished_at = dt.datetime.now(dt.UTC)
            with self._lock:
                self._running = None
