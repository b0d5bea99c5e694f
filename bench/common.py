"""Shared benchmark plumbing: databases, users and tokens, a real server process, RSS sampling,
percentiles and the figures table.

Every benchmark talks to a real ``idesk serve`` subprocess over HTTP (keep-alive connections of
the standard library's http.client, see ``Http``), so the figures include uvicorn, FastAPI,
validation and serialisation, not only the SQL.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import create_engine, text

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database
from integrity_desk.migrate import migrate
from integrity_desk.people.service import create_token, create_user
from integrity_desk.wiring import wire

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
IDESK = VENV_BIN / "idesk"
WORK_DIR = Path(os.environ.get("IDESK_BENCH_DIR", "/tmp/idesk-bench"))
PG_ADMIN_URL = os.environ.get("IDESK_BENCH_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("postgresql", "sqlite")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- databases ------------------------------------------------------------------------------

def database_url(backend: str, name: str) -> str:
    """URL of the benchmark database ``bench_<name>`` (a PostgreSQL database or a file)."""
    if backend == "postgresql":
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/bench_{name}"
    if backend == "sqlite":
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{WORK_DIR / f'bench_{name}.db'}"
    raise SystemExit(f"unknown database {backend!r}; one of {', '.join(BACKENDS)}")


def database_exists(backend: str, name: str) -> bool:
    if backend == "sqlite":
        return (WORK_DIR / f"bench_{name}.db").exists()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                               {"n": f"bench_{name}"}) is not None
    finally:
        admin.dispose()


def fresh_database(backend: str, name: str) -> Database:
    """Drop and recreate ``bench_<name>``, migrate it (schema and default configuration)."""
    wire()  # a bench is an entry point: its writes owe webhook deliveries as the server's do
    url = database_url(backend, name)
    if backend == "postgresql":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "bench_{name}"'))
        admin.dispose()
    else:
        path = WORK_DIR / f"bench_{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(url)
    migrate(db)
    return db


def open_database(backend: str, name: str) -> Database:
    wire()
    return Database(database_url(backend, name))


@dataclass
class Client:
    """A user of the desk with an API token (read and write scopes)."""

    user_id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_clients(db: Database, *, role: str, count: int, prefix: str,
                 languages: list[str] | None = None) -> list[Client]:
    """Create users through the people service, each with a token (idempotent by e-mail)."""
    from sqlalchemy import select

    from integrity_desk.people.models import User

    out = []
    with db.session() as session:
        for n in range(count):
            email = f"{prefix}-{n}@bench.example.com"
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                user = create_user(session, email=email, name=f"{prefix} {n}", role=role,
                                   languages=languages, actor=SYSTEM)
            issued = create_token(session, user=user, name="bench", actor=SYSTEM)
            out.append(Client(user.id, email, issued.secret))
    return out


# -- a light HTTP client -------------------------------------------------------------------

class Http:
    """One keep-alive HTTP/1.1 connection (http.client), renewed every ``renew_every`` requests.

    The load generator shares the server's two cores: httpx spent ~0.9 ms of CPU per request,
    this ~0.25 ms, so more of the machine serves the requests being measured. Renewing the
    connection now and then (as clients behind a load balancer do) lets the kernel hand it to
    whichever server process is free: a few connections held for a whole run were spread
    unevenly (one worker process busy twice as long as the other) and never rebalanced.
    """

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float = 60,
                 renew_every: int = 50) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname or "127.0.0.1", parts.port, timeout
        self.headers = {**headers, "Content-Type": "application/json"}
        self.renew_every, self.sent = renew_every, 0
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """Send one request; (status, body). Raises OSError or HTTPException on failure."""
        data = json.dumps(body).encode() if body is not None else None
        self.sent += 1
        if self.sent % self.renew_every == 0:
            self.close()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.RemoteDisconnected):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# -- the server -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tasks:
        try:
            kids = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for kid in kids:
            out.append(int(kid))
            out.extend(_children(int(kid)))
    return out


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


@dataclass
class RssSampler:
    """Samples VmRSS of the server process and its worker processes every ``interval`` s."""

    pid: int
    interval: float = 0.25
    max_per_process: float = 0.0
    max_total: float = 0.0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        values = [v for p in [self.pid, *_children(self.pid)] if (v := rss_mb(p)) is not None]
        if values:
            self.max_per_process = max(self.max_per_process, max(values))
            self.max_total = max(self.max_total, sum(values))
            self.samples += 1

    def reset(self) -> None:
        self.max_per_process = self.max_total = 0.0
        self.samples = 0

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    rss: RssSampler
    log_path: Path
    workers: int

    def worker_pids(self) -> list[int]:
        kids = _children(self.process.pid)
        # uvicorn --workers N: a supervisor (plus multiprocessing's resource tracker) and N
        # workers; the workers are the children that serve.
        return kids if kids and self.workers > 1 else [self.process.pid]


@contextmanager
def server(db_url: str, *, workers: int = 1, port: int | None = None,
           env: dict[str, str] | None = None, name: str = "server") -> Iterator[Server]:
    """Run ``idesk serve`` on a free port until the block ends; sample its RSS meanwhile."""
    port = port or free_port()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log_path = WORK_DIR / f"{name}-{port}.log"
    # The load comes from one address with a few tokens at hundreds of requests a second: the
    # limits are raised (not switched off) so their cost stays in the figures.
    limits = {"IDESK_RATE_LIMIT_PER_TOKEN": "1000000/minute",
              "IDESK_RATE_LIMIT_PER_ADDRESS": "1000000/minute"}
    full_env = {**os.environ, **limits, "IDESK_DATABASE_URL": db_url, **(env or {})}
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            [str(IDESK), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            env=full_env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}; see {log_path}:\n"
                             + log_path.read_text()[-3000:])
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"server did not answer /healthz within 60 s; see {log_path}")
        time.sleep(0.1)
    if workers > 1:
        # Every worker must be up, not only the first one to answer.
        time.sleep(2.0)
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        yield Server(url, process, sampler, log_path, workers)
    finally:
        sampler.stop()
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
        errors = [line for line in log_path.read_text(errors="replace").splitlines()
                  if "Traceback" in line or "ERROR" in line]
        if errors:
            log(f"server log has {len(errors)} error line(s); see {log_path}")


# -- CPU accounting -------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _postgres_pids() -> tuple[list[int], list[int]]:
    """Backends serving bench_* databases, and every other postgres process."""
    ours, others = [], []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() != "postgres":
                    continue
                title = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            (ours if " bench_" in title else others).append(int(entry))
    return ours, others


def _machine_busy() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


@dataclass
class CpuMeter:
    """CPU seconds used by the server, this benchmark process, PostgreSQL and the machine
    between ``start()`` and ``stop()``: where the two cores went."""

    server_pid: int
    used: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0
    per_process: list[float] = field(default_factory=list)

    def _snapshot(self) -> dict[str, float]:
        t = os.times()
        busy, _ = _machine_busy()
        server_pids = [self.server_pid, *_children(self.server_pid)]
        self._per_pid = {p: _proc_cpu(p) for p in server_pids}
        ours, others = _postgres_pids()
        # A backend that ended in between leaves its CPU out: the bench keeps its own open.
        self._seen = {p: _proc_cpu(p) for p in ours + others}
        return {"server": sum(_proc_cpu(p) for p in server_pids),
                "bench client": t.user + t.system,
                "postgresql (bench dbs)": sum(self._seen[p] for p in ours),
                "postgresql (other dbs, bg)": sum(self._seen[p] for p in others),
                "whole machine": busy}

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._s0 = self._snapshot()
        self._pid0 = dict(self._per_pid)

    def stop(self) -> None:
        s1 = self._snapshot()
        self.wall = time.monotonic() - self._t0
        self.used = {k: max(0.0, s1[k] - self._s0[k]) for k in s1}
        self.per_process = [v - self._pid0.get(p, 0.0) for p, v in self._per_pid.items()
                            if v - self._pid0.get(p, 0.0) > 0.01 * self.wall]

    def cores(self, key: str) -> float:
        return self.used.get(key, 0.0) / self.wall if self.wall else math.nan

    def describe(self) -> str:
        others = self.used["whole machine"] - sum(
            v for k, v in self.used.items() if k != "whole machine")
        parts = [f"{k} {self.cores(k):.2f}" for k in self.used if k != "whole machine"]
        if len(self.per_process) > 1:
            parts[0] += " (" + " + ".join(f"{v / self.wall:.2f}" for v in self.per_process) + ")"
        return (", ".join(parts) + f", other processes {others / self.wall:.2f}"
                f" (machine {self.cores('whole machine'):.2f} of {os.cpu_count()})")


# -- profiling ------------------------------------------------------------------------------

@contextmanager
def maybe_profile(pids: Sequence[int], out: Path | None, seconds: float) -> Iterator[None]:
    """Sample the server with py-spy (if installed and asked for) while the block runs."""
    spy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
    procs = []
    if out is not None and spy:
        for pid in pids:
            target = out.with_name(f"{out.stem}-{pid}.txt")
            procs.append(subprocess.Popen(
                [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--gil",
                 "--duration", str(max(1, math.ceil(seconds))), "--output", str(target),
                 "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    elif out is not None:
        log("py-spy is not installed (.venv/bin/pip install py-spy); no profile taken")
    try:
        yield
    finally:
        for p in procs:
            try:
                p.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGINT)
                p.wait()


def summarise_profile(paths: Sequence[Path], top: int = 25) -> list[str]:
    """Top functions by inclusive and by own samples from py-spy's collapsed stacks."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + n
            own[frames[-1]] = own.get(frames[-1], 0) + n
    if not total:
        return ["(no profile samples)"]
    by_package: dict[str, int] = {}
    for frame, n in own.items():
        where = frame.rpartition("(")[2].rstrip(")")
        if "site-packages/" in where:
            where = where.split("site-packages/", 1)[1]
        package = where.split("/", 1)[0] if "/" in where else where.split(".py")[0]
        package = package.split(":")[0] or "?"
        by_package[package] = by_package.get(package, 0) + n
    lines = [f"{total} samples; own time by package: " + ", ".join(
        f"{p} {100 * n / total:.0f}%"
        for p, n in sorted(by_package.items(), key=lambda kv: -kv[1]) if n / total >= 0.01)]
    lines.append("own time by function:")
    for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    lines.append("inclusive (integrity_desk, sqlalchemy, psycopg, fastapi, pydantic frames):")
    keep = ("integrity_desk", "sqlalchemy", "psycopg", "fastapi", "pydantic", "starlette",
            "sqlite3")
    picked = [(f, n) for f, n in inclusive.items() if any(k in f for k in keep)]
    for frame, n in sorted(picked, key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    return lines


# -- SQL of one request, in process ---------------------------------------------------------

@dataclass
class InProcessCall:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None


def in_process(db: Database, calls: Sequence[InProcessCall], *, repeat: int = 5
               ) -> dict[str, dict[str, Any]]:
    """Run each call ``repeat`` times through a TestClient on ``db``; count the SQL statements
    of each run (SQLAlchemy before/after_cursor_execute, so the token lookup, BEGIN IMMEDIATE on
    SQLite and any token-use UPDATE count too) and time them against the request's wall time.

    ``json`` may be a callable of the run number, for bodies that must differ per run."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from integrity_desk.api.app import create_app
    from integrity_desk.settings import Settings

    statements: list[tuple[str, Any, float]] = []
    started: dict[int, float] = {}

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
               many: bool) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
              many: bool) -> None:
        statements.append((statement, params,
                           time.perf_counter() - started.pop(id(cursor), time.perf_counter())))

    app = create_app(db, Settings(database_url=db.url))
    out: dict[str, dict[str, Any]] = {}
    with TestClient(app) as tc:
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            for call in calls:
                counts, walls, sqls, last = [], [], [], []
                for n in range(repeat):
                    body = call.json(n) if callable(call.json) else call.json
                    statements.clear()
                    t = time.perf_counter()
                    r = tc.request(call.method, call.path, headers=call.headers, json=body)
                    walls.append(time.perf_counter() - t)
                    if r.status_code >= 300:
                        raise SystemExit(f"{call.method} {call.path}: {r.status_code} {r.text}")
                    if len(statements) >= max(counts, default=0):
                        last = list(statements)  # the run with the most statements is shown
                    counts.append(len(statements))
                    sqls.append(sum(s[2] for s in statements))
                # The first run may warm caches (configuration, compiled SQL): report the rest.
                steady = slice(1, None) if repeat > 1 else slice(None)
                out[call.name] = {"counts": counts, "statements": last,
                                  "wall": percentile(walls[steady], 50),
                                  "sql": percentile(sqls[steady], 50)}
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
    return out


def statement_lines(statements: Sequence[tuple[str, Any, float]], width: int = 140) -> list[str]:
    """One line per statement in order; statements repeated more than once are folded into
    one line with their count and total time."""
    folded: dict[str, list[float]] = {}
    for sql, _, seconds in statements:
        folded.setdefault(" ".join(sql.split())[:width], []).append(seconds)
    return [f"  {1000 * sum(times):8.2f} ms {len(times):4d}x  {sql}"
            for sql, times in folded.items()]


# -- figures --------------------------------------------------------------------------------

def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_ms(values_s: Sequence[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": max(ms) if ms else math.nan}


@dataclass
class Row:
    figure: str
    value: str
    target: str = ""
    verdict: str = ""


class Table:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[Row] = []

    def add(self, figure: str, value: Any, *, target: str = "", ok: bool | None = None,
            fmt: str = "{:.1f}") -> None:
        shown = fmt.format(value) if isinstance(value, float) else str(value)
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        self.rows.append(Row(figure, shown, target, verdict))

    def print(self) -> None:
        widths = [max(len(h), *(len(getattr(r, a)) for r in self.rows))
                  for h, a in (("figure", "figure"), ("value", "value"), ("target", "target"))]
        print(f"\n== {self.title} ==")
        print(f"{'figure':<{widths[0]}}  {'value':>{widths[1]}}  {'target':<{widths[2]}}  ")
        for r in self.rows:
            print(f"{r.figure:<{widths[0]}}  {r.value:>{widths[1]}}  {r.target:<{widths[2]}}  "
                  f"{r.verdict}")
        sys.stdout.flush()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
