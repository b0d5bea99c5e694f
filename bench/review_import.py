"""How fast the platform's reviews come in: ``idesk import reviews`` into PostgreSQL.

Target (issue "Review data and fraud signals"): ≥ 50,000 reviews/s into PostgreSQL with the
server's memory flat. The bench writes a CSV of N synthetic reviews (texts of ~300 characters
over 2,000 businesses and N/4 reviewers), then imports it in process through the same
``run_import`` the command runs, twice: into an empty database, and again (every row already
there: the idempotent re-run). It reports rows/s, the CPU of this process and of the
PostgreSQL backend per 1,000 rows, and the backend's memory at the start and its peak.

    .venv/bin/python -m bench.review_import [--rows 1000000] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import threading
import time
from pathlib import Path

from sqlalchemy import text

from bench.common import (
    WORK_DIR,
    Table,
    _postgres_pids,
    _proc_cpu,
    fresh_database,
    load_average,
    log,
    rss_mb,
)
from integrity_desk.audit.service import SYSTEM
from integrity_desk.reviewdata.rows import open_rows
from integrity_desk.reviewdata.service import run_import

WORDS = (
    "great", "friendly", "staff", "clean", "room", "would", "come", "back", "again",
    "terrible", "service", "slow", "rude", "waiter", "cold", "food", "excellent", "value",
    "price", "location", "noisy", "breakfast", "view", "pool", "parking", "helpful", "manager",
    "booking", "check", "quick", "dirty", "lovely", "stay", "night", "family",
)


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["ref", "business", "reviewer", "rating", "published_at", "text",
                         "device_id"])
        for i in range(rows):
            words = " ".join(rng.choices(WORDS, k=50))
            writer.writerow([f"rv{i}", f"b{rng.randrange(2000)}.example.com",
                             f"u{rng.randrange(max(rows // 4, 1))}", rng.randint(1, 5),
                             f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                             words, f"d{rng.randrange(rows)}"])


def _backend_pid(db) -> int | None:  # type: ignore[no-untyped-def]
    if db.dialect != "postgresql":
        return None
    with db.engine.connect() as conn:  # the pool keeps this connection: the import reuses it
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def run(rows: int, backend: str) -> Table:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = WORK_DIR / f"reviews-{rows}.csv"
    if not path.exists():
        log(f"writing {rows:,} reviews to {path}")
        write_file(path, rows)
    db = fresh_database(backend, "review_import")
    table = Table(f"review import, {rows:,} rows, {backend}, load {load_average()}, "
                  f"{os.cpu_count()} cores")
    for label in ("empty database", "re-run (all present)"):
        pid = _backend_pid(db)
        peak = [rss_mb(pid) or 0.0] if pid else [0.0]
        start_rss = peak[0]
        done = threading.Event()

        def sample(pid: int | None = pid, peak: list[float] = peak,
                   done: threading.Event = done) -> None:
            while pid and not done.wait(0.2):
                peak[0] = max(peak[0], rss_mb(pid) or 0.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        ours0 = {p: _proc_cpu(p) for p in _postgres_pids()[0]}
        cpu0, t0 = os.times(), time.perf_counter()
        summary = run_import(db, "reviews", open_rows(path), actor=SYSTEM)
        wall = time.perf_counter() - t0
        cpu1 = os.times()
        server_cpu = sum(_proc_cpu(p) - ours0.get(p, 0.0) for p in _postgres_pids()[0])
        done.set()
        sampler.join()
        client_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        log(f"{label}: {summary.as_dict()}")
        table.add(f"{label}: reviews/s", rows / wall, target="≥ 50,000" if backend ==
                  "postgresql" and label == "empty database" else "",
                  ok=rows / wall >= 50_000 if backend == "postgresql" and
                  label == "empty database" else None, fmt="{:,.0f}")
        table.add(f"{label}: client CPU ms / 1,000 rows", client_cpu / rows * 1e6)
        if pid:
            table.add(f"{label}: PostgreSQL CPU ms / 1,000 rows", server_cpu / rows * 1e6)
            table.add(f"{label}: backend memory MB (start → peak)",
                      f"{start_rss:.0f} → {peak[0]:.0f}")
    db.dispose()
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()
    run(args.rows, args.database).print()


if __name__ == "__main__":
    main()
