"""Starting, watching, restarting and stopping the production profile's processes.

One supervisor per machine role: it starts each process in a process group of its own
with its output in var/log/prod/<name>.log and waits until each answers its health
check. A process that dies afterwards (a Rasa process killed, PostgreSQL restarted) is
started again, so the others carry the load meanwhile and the profile heals itself; one
that keeps dying (RESTART_LIMIT times within RESTART_WINDOW seconds) stops everything
with an error instead. Ctrl-C or SIGTERM stops every process, politely first (SIGTERM),
then for good (SIGKILL). Which process runs under which pid is written to a state file
(var/prod/processes.json) for operators and tests.
"""

from __future__ import annotations

import contextlib
import json
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


RESTART_LIMIT = 5
RESTART_WINDOW = 120.0


@dataclass
class Managed:
    name: str
    process: subprocess.Popen[bytes]
    log_file: Path
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: Path | None = None
    restarts: list[float] = field(default_factory=list)
    # What stops it promptly: PostgreSQL's SIGTERM is a "smart" shutdown that waits for
    # every client, and connection pools never leave; SIGINT is its fast shutdown.
    stop_signal: signal.Signals = signal.SIGTERM


@dataclass
class Supervisor:
    log_dir: Path
    state_file: Path | None = None
    processes: list[Managed] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None,
              cwd: Path | None = None, user: str | None = None,
              stop_signal: signal.Signals = signal.SIGTERM) -> Managed:
        """Start argv (as `user` when given, e.g. postgres, which refuses root)."""
        if user is not None and os.geteuid() == 0:
            argv = ["runuser", "-u", user, "--", *argv]
        managed = Managed(name, self._spawn(name, argv, env, cwd), self.log_dir / f"{name}.log",
                          argv, env, cwd, stop_signal=stop_signal)
        self.processes.append(managed)
        log.info("started %s (pid %d), log %s", name, managed.process.pid, managed.log_file)
        self._write_state()
        return managed

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None,
               cwd: Path | None) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{name}.log").open("ab") as out:
            return subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def _write_state(self) -> None:
        if self.state_file is None:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        state = {m.name: {"pid": m.process.pid, "log": str(m.log_file), "restarts": len(m.restarts)}
                 for m in self.processes}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(tmp, self.state_file)

    def watch(self, poll: float = 0.5) -> Managed:
        """Restart whatever dies, after a pause that doubles with each recent restart (a
        database killed hard needs a moment before it can start again); return the
        process that keeps dying, for the caller to stop everything."""
        due: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for managed in self.processes:
                if managed.process.poll() is None:
                    continue
                if managed.name not in due:
                    managed.restarts = [t for t in managed.restarts if now - t < RESTART_WINDOW]
                    if len(managed.restarts) >= RESTART_LIMIT:
                        return managed
                    pause = 2.0 ** len(managed.restarts)
                    log.warning("%s exited with %s; starting it again in %.0f s", managed.name,
                                managed.process.returncode, pause)
                    due[managed.name] = now + pause
                elif now >= due[managed.name]:
                    del due[managed.name]
                    managed.restarts.append(now)
                    managed.process = self._spawn(managed.name, managed.argv, managed.env, managed.cwd)
                    self._write_state()
            time.sleep(poll)

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

    def stop_all(self, grace: float = 20.0) -> None:
        for managed in reversed(self.processes):
            _signal_group(managed.process, managed.stop_signal)
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
