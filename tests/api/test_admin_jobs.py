"""Publish jobs seen from every answer-service process of a machine (`serve --workers N`):
the page's poll may reach another worker than the publish did, and a second publish
must be refused whichever worker it reaches. Two PublishJobs on one folder stand for two
workers; a real second process, killed in the middle of its job, for a worker that died.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from api.admin_jobs import INTERRUPTED, JobRejected, PublishBusy, PublishJobs
from tests.conftest import ROOT


def _wait(jobs: PublishJobs, job_id: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job = jobs.get(job_id)
        assert job is not None
        if job.state != "running":
            return job.state
        time.sleep(0.02)
    raise AssertionError("job still running")


def test_a_job_started_by_one_worker_is_followed_and_guarded_by_another(tmp_path: Path) -> None:
    first, second = PublishJobs(tmp_path), PublishJobs(tmp_path)
    release = threading.Event()

    def work(progress: Any) -> dict[str, Any]:
        progress("building the index")
        release.wait(10)
        progress("version v2 is live")
        return {"id": "v2"}

    job = first.start(work)
    deadline = time.monotonic() + 5
    while (seen := second.get(job.id)) is None or not seen.steps:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert seen.state == "running" and seen.steps == ["building the index"]
    assert second.running == first.running == job.id
    with pytest.raises(PublishBusy) as busy:
        second.start(work)
    assert busy.value.running == job.id
    with pytest.raises(PublishBusy):
        first.start(work)
    release.set()
    assert _wait(second, job.id) == "done"
    done = second.get(job.id)
    assert done is not None and done.version == {"id": "v2"} and done.steps[-1] == "version v2 is live"
    assert second.running is None
    # The next publish may start on either.
    assert _wait(second, second.start(lambda progress: {"id": "v3"}).id) == "done"


def test_rejected_and_failed_jobs_keep_their_reasons(tmp_path: Path) -> None:
    jobs = PublishJobs(tmp_path)

    def rejected(progress: Any) -> dict[str, Any]:
        raise JobRejected([{"path": "a.txt", "line": 3, "message": "缺少责任单位"}])

    def failed(progress: Any) -> dict[str, Any]:
        raise RuntimeError("Rasa did not load the model")

    first = jobs.start(rejected)
    assert _wait(jobs, first.id) == "rejected"
    second = jobs.start(failed)
    assert _wait(jobs, second.id) == "failed"
    found = PublishJobs(tmp_path).get(second.id)
    assert found is not None and found.error == "Rasa did not load the model"
    assert PublishJobs(tmp_path).get(first.id).problems[0]["line"] == 3  # type: ignore[union-attr]


@pytest.mark.parametrize("job_id", ["../../etc/passwd", "publish.lock", "nope", "x" * 100])
def test_unknown_or_malformed_job_ids_are_none(tmp_path: Path, job_id: str) -> None:
    assert PublishJobs(tmp_path).get(job_id) is None


def test_a_job_whose_process_died_is_interrupted_and_frees_the_next_publish(tmp_path: Path) -> None:
    script = ("import sys, time\n"
              "from pathlib import Path\n"
              "from api.admin_jobs import PublishJobs\n"
              "job = PublishJobs(Path(sys.argv[1])).start(lambda progress: time.sleep(600) or {})\n"
              "print(job.id, flush=True)\n"
              "time.sleep(600)\n")
    worker = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert worker.stdout is not None
        job_id = worker.stdout.readline().strip()
        jobs = PublishJobs(tmp_path)
        assert jobs.running == job_id
        with pytest.raises(PublishBusy):
            jobs.start(lambda progress: {})
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    dead = jobs.get(job_id)
    assert dead is not None and dead.state == "failed" and dead.error == INTERRUPTED
    assert jobs.running is None
    assert _wait(jobs, jobs.start(lambda progress: {"id": "v2"}).id) == "done"


def test_only_the_newest_jobs_are_kept(tmp_path: Path) -> None:
    jobs = PublishJobs(tmp_path)
    ids = []
    for _ in range(22):
        ids.append(jobs.start(lambda progress: {}).id)
        _wait(jobs, ids[-1])
    assert jobs.get(ids[0]) is None and jobs.get(ids[-1]) is not None
    assert len(list(tmp_path.glob("*.json"))) <= 21
