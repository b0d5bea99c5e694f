"""One decision over every member of a 5,000-member investigation, applied in chunks.

    .venv/bin/python -m bench.decide_chunks --db postgresql [--members 5000]
    .venv/bin/python -m bench.decide_chunks --db sqlite

Builds the workspace bench's investigation (bench/workspace.py: 4,000 campaign reviews, 999
accounts, one business, reached through findings as the signals reach them), claims it, and
decides "remove every member review, warn every member account" in one request
(``members:review`` and ``members:reviewer`` lines). The decision is over ``AT_ONCE`` actions,
so the request records it whole (every action, the decided evidence snapshots) and the worker
applies it, ``CHUNK`` actions a transaction; here one in-process ``Worker`` runs the jobs back
to back, as ``idesk worker`` would.

Reported: the deciding request (wall and CPU of this process), each chunk (wall, CPU, SQL
statements), the time from the decision to "applied", and a check that every subject changed
and has exactly one statement of reasons.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from sqlalchemy import event, text

from bench.common import Table, fresh_database, load_average, log
from bench.workspace import _api, _people, build
from integrity_desk.db import Database
from integrity_desk.decisions import applying, service
from integrity_desk.jobs.worker import Worker
from integrity_desk.settings import Settings


def decide(db: Database, key: str, headers: dict[str, str]) -> tuple[float, float, dict[str, Any]]:
    client = _api(db, headers)
    r = client.post(f"/api/v1/cases/{key}/claim", headers=headers)
    if r.status_code != 200:
        raise SystemExit(f"claim: {r.status_code} {r.text[:300]}")
    body = {"guideline": "fake", "explanation": "The reviews follow one paid template.",
            "facts": "One template, one device per six accounts, a third on one day.",
            "territorial_scope": ["DE", "NL"],
            "actions": [{"action": "remove_review", "subject": "members:review"},
                        {"action": "warn_reviewer", "subject": "members:reviewer"}]}
    t, c = time.perf_counter(), time.process_time()
    r = client.post(f"/api/v1/cases/{key}/decisions", headers=headers, json=body)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    if r.status_code != 201:
        raise SystemExit(f"decide: {r.status_code} {r.text[:500]}")
    return wall, cpu, r.json()


def apply_all(db: Database) -> list[tuple[float, float, int]]:
    """Run the worker until nothing is due: (wall, CPU, SQL statements) of each chunk."""
    worker = Worker(db, Settings(database_url=db.url))
    counted = [0]

    def count(*_: Any) -> None:
        counted[0] += 1

    chunks = []
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        while True:
            counted[0] = 0
            t, c = time.perf_counter(), time.process_time()
            kind = worker.run_once()
            if kind is None:
                return chunks
            if kind == applying.JOB:
                chunks.append((time.perf_counter() - t, time.process_time() - c, counted[0]))
                log(f"chunk {len(chunks)}: {chunks[-1][0]:.2f} s")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def check(db: Database, decision_id: int) -> dict[str, int]:
    with db.engine.connect() as conn:
        def one(sql: str) -> int:
            return int(conn.scalar(text(sql), {"d": decision_id}) or 0)
        return {
            "actions": one("SELECT count(*) FROM decision_actions WHERE decision_id = :d"),
            "applied": one("SELECT count(*) FROM decision_actions WHERE decision_id = :d "
                           "AND applied_at IS NOT NULL"),
            "statements": one("SELECT count(*) FROM dsa_statements WHERE decision_id = :d"),
            "distinct subjects stated": one(
                "SELECT count(DISTINCT subject_ref) FROM dsa_statements WHERE decision_id = :d"),
            "decision applied": one("SELECT count(*) FROM decisions WHERE id = :d "
                                    "AND status = 'applied'")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--members", type=int, default=5_000)
    args = p.parse_args(argv)
    db = fresh_database(args.db, "decide_chunks")
    try:
        headers = _people(db)
        log(f"building a {args.members:,}-member investigation on {args.db}")
        key = build(db, args.members, headers)
        wall, cpu, decision = decide(db, key, headers)
        log(f"decided {key}: {decision['progress']['total']:,} actions, status "
            f"{decision['status']} in {wall:.2f} s")
        t = time.perf_counter()
        chunks = apply_all(db)
        total = time.perf_counter() - t
        found = check(db, decision["id"])
    finally:
        db.dispose()
    table = Table(f"A decision over every member of {key} ({args.db}, {load_average()}; "
                  f"at once up to {service.AT_ONCE:,}, chunks of {applying.CHUNK})")
    table.add("actions", f"{decision['progress']['total']:,}")
    table.add("deciding request: wall / CPU", f"{wall:.2f} s / {cpu:.2f} s",
              target="≤ 5 s (as a 1,000-member one)", ok=wall <= 5)
    table.add("chunks", str(len(chunks)))
    walls = [c[0] for c in chunks]
    table.add("a chunk: wall p50 / max", f"{statistics.median(walls):.2f} / {max(walls):.2f} s")
    table.add("a chunk: CPU p50", f"{statistics.median(c[1] for c in chunks):.2f} s")
    table.add("a chunk: SQL statements p50", f"{statistics.median(c[2] for c in chunks):.0f}")
    table.add("decided → applied (all chunks)", f"{total:.1f} s")
    for name, value in found.items():
        table.add(name, f"{value:,}")
    table.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
