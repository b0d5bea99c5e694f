"""Real processes for the kill-and-restart tests (webhooks, outgoing and incoming mail): start
them with their output in a log file, wait for a condition, SIGKILL one mid-work, and make sure
none outlives its test."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent  # idesk and python of the test's own environment


def wait_for(what: str, check: Callable[[], bool], timeout: float = 120,
             every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no handler runs, nothing is flushed or committed on the way out."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


class Processes:
    """The processes one test starts, each logging to ``logs/<name>-<n>.log``."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[subprocess.Popen[bytes]] = []
        logs.mkdir(parents=True, exist_ok=True)

    def log(self, name: str) -> Path:
        return self.logs / f"{name}-{len(self.started)}.log"

    def start(self, name: str, *argv: str) -> subprocess.Popen[bytes]:
        out = open(self.log(name), "wb")  # noqa: SIM115 (the process holds it)
        proc = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        out.close()  # the child has its own descriptor
        self.started.append(proc)
        return proc

    def kill_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                kill(proc)
