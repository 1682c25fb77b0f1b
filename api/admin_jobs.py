"""Publishing from the browser: one job at a time, in a worker thread, with its progress.

A publish builds an index and may retrain Rasa: minutes, longer than a request should
last and longer than a proxy waits. So the page starts a job and polls its state; the
job keeps every progress line the publishing code reports.

The answer service may run as several processes (`policybot serve --workers N`), and the
page's next poll may reach another one than the publish did. So a job's state is a JSON
file under var/admin/jobs/ (rewritten on each progress line, atomically), which every
process of the machine reads, and "one publish at a time" is an exclusive lock on a
file there (flock), held by the thread that runs the job: the kernel drops it when that
process dies, so a job whose process died is reported as interrupted instead of running
for ever, and the next publish may start. Across machines, uploads and jobs are per
machine (var/admin/): the front routes /admin to one node.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

log = logging.getLogger(__name__)

State = Literal["running", "done", "rejected", "failed"]
KEEP = 20
ENDING_GRACE_S = 2.0  # a finished job releases its lock within moments
INTERRUPTED = "interrupted: the answer-service process running this publish stopped"
_JOB_ID = re.compile(r"[A-Za-z0-9_-]{8,40}")


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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        finished = data.get("finished_at")
        return cls(data["job"], data["state"], list(data["steps"]),
                   dt.datetime.fromisoformat(data["started_at"]),
                   None if finished is None else dt.datetime.fromisoformat(finished),
                   data.get("version"), data.get("error"), list(data.get("problems") or []))


Work = Callable[[Callable[[str], None]], dict[str, Any]]


class PublishJobs:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock_file = folder / "publish.lock"
        self._running_file = folder / "running"

    @property
    def running(self) -> str | None:
        """The id of the publish running in any process of this machine, if any."""
        if not self._held():
            return None
        with contextlib.suppress(OSError):
            return self._running_file.read_text(encoding="ascii").strip() or None
        return None

    def start(self, work: Work) -> Job:
        """Run work(progress) in a thread; it returns the new version's JSON or raises
        JobRejected (nothing changed) or anything else (failed, the old version live)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = self._lock_file.open("a")
        if not self._take(lock):
            lock.close()
            raise PublishBusy(self.running or "")
        job = Job(secrets.token_urlsafe(12))
        try:  # named as running before its file exists, so no reader sees it orphaned
            self._running_file.write_text(job.id + "\n", encoding="ascii")
            self._save(job)
            self._prune()
        except OSError:
            lock.close()
            raise
        threading.Thread(target=self._run, args=(job, work, lock), name=f"publish-{job.id}",
                         daemon=True).start()
        return job

    def _take(self, lock: IO[str]) -> bool:
        """The publish lock, if free. A job between its lock and its name (starting or
        ending; an ended one is already reported done) is given a moment rather than
        refusing a new one: only a job named and running makes the publish busy."""
        deadline = time.monotonic() + ENDING_GRACE_S
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                # A job holds the lock a moment without naming itself: just after taking
                # it and just before releasing it (its end already saved).
                running = self.running
                passing = running is None or ((job := self._read(running)) is not None
                                              and job.state != "running")
                if not passing or time.monotonic() > deadline:
                    return False
                time.sleep(0.01)

    def get(self, job_id: str) -> Job | None:
        if _JOB_ID.fullmatch(job_id) is None:
            return None
        job = self._read(job_id)
        if job is None or job.state != "running" or (self._held() and self.running == job_id):
            return job
        # It may have ended between the two reads: its final state is saved before the
        # lock is released and the running file removed, so a second read has it.
        job = self._read(job_id)
        if job is not None and job.state == "running":
            job.state, job.error = "failed", INTERRUPTED
        return job

    def _read(self, job_id: str) -> Job | None:
        try:
            return Job.from_json(json.loads((self.folder / f"{job_id}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError):
            return None

    def _run(self, job: Job, work: Work, lock: IO[str]) -> None:
        def progress(line: str) -> None:
            job.steps.append(line)
            self._save(job)

        try:
            job.version = work(progress)
            job.state = "done"
        except JobRejected as exc:
            job.problems, job.state = exc.problems, "rejected"
        except Exception as exc:  # reported on the page; the previous version stays live
            log.exception("publish %s failed", job.id)
            job.error, job.state = str(exc)[:2000], "failed"
        finally:
            job.finished_at = dt.datetime.now(dt.UTC)
            try:
                self._save(job)
                self._running_file.unlink(missing_ok=True)
            finally:
                lock.close()  # releases the flock

    def _held(self) -> bool:
        """Whether some process holds the publish lock (tried on a descriptor of our own:
        flock locks belong to open files, so this process's own job counts too)."""
        try:
            with self._lock_file.open("a") as probe:
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(probe, fcntl.LOCK_UN)
                return False
        except FileNotFoundError:
            return False

    def _save(self, job: Job) -> None:
        path = self.folder / f"{job.id}.json"
        with _atomic(path) as out:
            json.dump(job.to_json(), out, ensure_ascii=False)

    def _prune(self) -> None:
        jobs = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in jobs[KEEP:]:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    """Write a file whole or not at all: a reader never sees half a job."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    with temporary.open("w", encoding="utf-8") as out:
        yield out
    temporary.replace(path)
