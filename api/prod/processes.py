"""Starting, watching and stopping the production profile's processes.

One supervisor per machine role: it starts each process in a process group of its own
with its output in var/log/prod/<name>.log, waits until each answers its health check,
and on Ctrl-C or SIGTERM (or when any process dies) stops every one of them, politely
first (SIGTERM), then for good (SIGKILL).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger(__name__)


class StartFailed(Exception):
    pass


@dataclass
class Managed:
    name: str
    process: subprocess.Popen[bytes]
    log_file: Path


@dataclass
class Supervisor:
    log_dir: Path
    processes: list[Managed] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None,
              cwd: Path | None = None, user: str | None = None) -> Managed:
        """Start argv (as `user` when given, e.g. postgres, which refuses root)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_file = self.log_dir / f"{name}.log"
        if user is not None and os.geteuid() == 0:
            argv = ["runuser", "-u", user, "--", *argv]
        with log_file.open("ab") as out:
            process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        managed = Managed(name, process, log_file)
        self.processes.append(managed)
        log.info("started %s (pid %d), log %s", name, process.pid, log_file)
        return managed

    def wait(self, managed: Managed, ready: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if managed.process.poll() is not None:
                raise StartFailed(f"{managed.name} exited with {managed.process.returncode}; "
                                  f"see {managed.log_file}:\n{_tail(managed.log_file)}")
            if ready():
                return
            time.sleep(0.5)
        raise StartFailed(f"{managed.name} not ready after {seconds:.0f} s; see {managed.log_file}:\n"
                          f"{_tail(managed.log_file)}")

    def first_exit(self, poll: float = 0.5) -> Managed:
        """Block until one managed process exits; return it."""
        while True:
            for managed in self.processes:
                if managed.process.poll() is not None:
                    return managed
            time.sleep(poll)

    def stop_all(self, grace: float = 20.0) -> None:
        for managed in reversed(self.processes):
            _signal_group(managed.process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for managed in reversed(self.processes):
            try:
                managed.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(managed.process, signal.SIGKILL)
                managed.process.wait()
        self.processes.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def port_open(host: str, port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            return False

    return check


def port_free(host: str, port: int) -> bool:
    return not port_open(host, port)()
