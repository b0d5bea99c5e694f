"""The outbox benchmarks' shared run (webhooks and e-mail): a real ``idesk worker`` process
drains what is owed to a real receiver process, timed from its start until the last item is
recorded done, with the CPU of the worker, the receiver and PostgreSQL over that span."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bench.common import IDESK, _postgres_pids, _proc_cpu

LIMIT_SECONDS = 600


@dataclass(frozen=True)
class Drained:
    wall: float  # seconds from the worker's start to the last item done
    worker_cpu: float  # seconds of CPU
    receiver_cpu: float
    postgres_cpu: float


def drain(env: Mapping[str, str], receiver: subprocess.Popen[bytes], owed: int,
          done: Callable[[], int]) -> Drained:
    """Start the worker, wait until ``done()`` reaches ``owed`` (at most ten minutes; a worker
    that dies ends the run), then kill the worker and the receiver."""
    pg0 = sum(_proc_cpu(p) for p in _postgres_pids()[0])
    rx0 = _proc_cpu(receiver.pid)
    t0 = time.monotonic()
    worker = subprocess.Popen([str(IDESK), "worker"], env=dict(env), stderr=subprocess.DEVNULL)
    try:
        while done() < owed:
            if time.monotonic() - t0 > LIMIT_SECONDS:
                raise SystemExit("not delivered within 10 minutes")
            if worker.poll() is not None:
                raise SystemExit("the worker died")
            time.sleep(0.05)
        wall = time.monotonic() - t0
        return Drained(wall, _proc_cpu(worker.pid), _proc_cpu(receiver.pid) - rx0,
                       sum(_proc_cpu(p) for p in _postgres_pids()[0]) - pg0)
    finally:
        for proc in (worker, receiver):
            proc.send_signal(signal.SIGKILL)
            proc.wait()


def steady_rate(owed: int, first: datetime | None, last: datetime | None) -> float:
    """Items a second between the first and the last recorded done (0 when they coincide)."""
    return owed / (last - first).total_seconds() if first and last and last > first else 0.0
