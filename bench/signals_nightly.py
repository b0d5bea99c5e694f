"""The nightly signals pass over a whole platform's reviews, on PostgreSQL.

Target (issue 23): the nightly pass over 10,000,000 reviews in ≤ 30 minutes on the 2-core
machine, memory reported, on synthetic data with planted bursts, duplicates and rings whose
recovery is reported too. The bench streams a CSV (never the rows in memory) of ``--reviews``
reviews over ``--businesses`` businesses of skewed sizes (business k of B draws a share
∝ 1/√k: the largest holds ~0.5 % of everything) by reviews × 0.3 reviewers, texts of
100-200 characters over three years, and plants at known quiet businesses: ``--planted`` bursts
(30 five-star reviews by new accounts on one day), as many copied-text clusters (8 accounts
posting one text with one word changed) and as many rings (6 accounts reviewing the same 4
businesses within 2 days). It imports the file with ``run_import`` (rows/s, client and
PostgreSQL CPU), then runs the pass as ``idesk signals run`` does — ``run_many`` over
``due(...)``, a unit of work per business — and reports wall time, businesses/s, the peak RSS of
this process and of the PostgreSQL backend, and what came back of the planted campaigns
(counted from the ``signals`` table by key and evidence).

    .venv/bin/python -m bench.signals_nightly [--reviews 10000000] [--businesses 100000]
        [--reuse]   # the database of the last run with the same sizes: the pass only
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import resource
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bench.common import (
    WORK_DIR,
    Table,
    fresh_database,
    load_average,
    log,
    open_database,
    rss_mb,
)
from bench.signals_business import (
    DAYS,
    NOW,
    REVIEW_HEADER,
    START,
    _backends,
    cpu_meter,
    moment,
    near_copy,
    review_text,
)
from integrity_desk.audit.service import SYSTEM
from integrity_desk.reviewdata.rows import open_rows
from integrity_desk.reviewdata.service import run_import
from integrity_desk.signals import service
from integrity_desk.signals.models import Signal

BURST_SIZE, CLUSTER_SIZE, RING_SIZE, RING_BUSINESSES = 30, 8, 6, 4


def write_platform(path: Path, *, reviews: int, businesses: int, planted_each: int,
                   seed: int = 23) -> dict[str, Any]:
    rng = random.Random(seed)
    accounts = max(int(reviews * 0.3), 1)
    # Planted campaigns go to quiet businesses (the tail of the skew), each to its own.
    quiet = rng.sample(range(businesses // 2, businesses), planted_each * (2 + RING_BUSINESSES))
    truth: dict[str, Any] = {"bursts": [], "clusters": [], "rings": []}
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(REVIEW_HEADER)

        def write(business: int, reviewer: str, day: date, rating: int, body: str,
                  device: str = "") -> str:
            nonlocal n
            ref = f"r{n}"
            n += 1
            out.writerow([ref, f"b{business}.example.com", reviewer, rating,
                          moment(day, rng), body, device, ""])
            return ref

        planted_rows = planted_each * (BURST_SIZE + CLUSTER_SIZE + RING_SIZE * RING_BUSINESSES)
        for _ in range(max(reviews - planted_rows, 0)):
            business = min(int(businesses * rng.random() ** 2), businesses - 1)
            write(business, f"u{rng.randrange(accounts)}",
                  START + timedelta(days=rng.randrange(DAYS)),
                  rng.choices((1, 2, 3, 4, 5), (8, 6, 12, 34, 40))[0],
                  review_text(rng, 100, 200), f"d{rng.randrange(10**9)}")
        for p in range(planted_each):
            business = quiet[p]
            day = START + timedelta(days=rng.randrange(60, DAYS))
            for i in range(BURST_SIZE):
                write(business, f"pb{p}-{i}", day, 5, review_text(rng, 100, 200))
            truth["bursts"].append([f"b{business}.example.com", day.isoformat()])
            business = quiet[planted_each + p]
            base = review_text(rng, 150, 250)
            truth["clusters"].append([
                write(business, f"pc{p}-{i}", START + timedelta(days=rng.randrange(DAYS)), 5,
                      near_copy(rng, base)) for i in range(CLUSTER_SIZE)])
            places = [quiet[2 * planted_each + p * RING_BUSINESSES + k]
                      for k in range(RING_BUSINESSES)]
            members = [f"pr{p}-{i}" for i in range(RING_SIZE)]
            start = START + timedelta(days=rng.randrange(DAYS - 60))
            for k, business in enumerate(places):
                for member in members:
                    write(business, member, start + timedelta(days=9 * k + rng.randrange(2)),
                          5, review_text(rng, 100, 200))
            truth["rings"].append(members)
    truth["rows"] = n
    return truth


def recovery(db: Any, truth: dict[str, Any]) -> dict[str, str]:
    bursts = clusters = rings = 0
    by_kind: dict[str, int] = {}
    with db.session() as session:
        keys: set[str] = set()
        members: list[set[str]] = []
        reviewers: list[set[str]] = []
        for kind, key, evidence in session.execute(select(Signal.kind, Signal.key,
                                                          Signal.evidence)):
            by_kind[kind] = by_kind.get(kind, 0) + 1
            if kind == "burst":
                keys.add(key.rsplit(":", 1)[0])
            elif kind == "duplicates":
                members.append({m["review"] for m in evidence["members"]})
            elif kind == "ring":
                reviewers.append(set(evidence["reviewers"]))
    bursts = sum(f"burst:{domain}:{day}" in keys for domain, day in truth["bursts"])
    clusters = sum(any(len(set(refs) & m) >= len(refs) // 2 for m in members)
                   for refs in truth["clusters"])
    rings = sum(any(len(set(who) & r) >= len(who) - 1 for r in reviewers)
                for who in truth["rings"])
    planted = len(truth["bursts"])
    return {"bursts": f"{bursts} of {planted}", "clusters": f"{clusters} of {planted}",
            "rings": f"{rings} of {planted}", "signals stored": json.dumps(by_kind)}


def _run_share(share: list[int]) -> tuple[int, int, int]:
    """One worker process's share of the pass (``--workers``): its own engine and backend."""
    db = open_database("postgresql", "signals_nightly")
    runs = service.run_many(db, share, now=NOW, actor=service.ACTOR, open_at=0.6)
    db.dispose()
    return len(runs), sum(r.reviews for r in runs), sum(r.findings for r in runs)


class Peak:
    """The peak RSS of some processes, sampled every half second."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids, self.peak = pids, dict.fromkeys(pids, 0.0)
        self.start = {k: rss_mb(p) or 0.0 for k, p in pids.items()}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.5):
            for k, p in self.pids.items():
                self.peak[k] = max(self.peak[k], rss_mb(p) or 0.0)
            for p in _backends("signals_nightly"):  # with --workers, each worker's backend
                self.peak["postgresql backend"] = max(self.peak["postgresql backend"],
                                                      rss_mb(p) or 0.0)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def run(reviews: int, businesses: int, planted: int, reuse: bool, workers: int = 1) -> Table:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    name = f"signals-nightly-{reviews}-{businesses}"
    path, truth_path = WORK_DIR / f"{name}.csv", WORK_DIR / f"{name}-planted.json"
    table = Table(f"nightly signals pass, {reviews:,} reviews, {businesses:,} businesses, "
                  f"PostgreSQL, {os.cpu_count()} cores")
    if reuse and truth_path.exists():
        truth = json.loads(truth_path.read_text())
        db = open_database("postgresql", "signals_nightly")
        with db.engine.begin() as conn:  # every business due again, no finding stored yet
            conn.execute(text("DELETE FROM signal_subjects"))
            conn.execute(text("UPDATE signals SET case_id = NULL"))
            conn.execute(text("DELETE FROM signals"))
            conn.execute(text("UPDATE businesses SET signals_at = NULL"))
    else:
        t = time.perf_counter()
        truth = write_platform(path, reviews=reviews, businesses=businesses,
                               planted_each=planted)
        log(f"wrote {truth['rows']:,} rows to {path} in {time.perf_counter() - t:.0f} s")
        truth_path.write_text(json.dumps(truth))
        db = fresh_database("postgresql", "signals_nightly")
        log(f"importing, load {load_average()}")
        with cpu_meter() as cpu:
            summary = run_import(db, "reviews", open_rows(path), actor=SYSTEM)
        log(f"imported {summary.as_dict()} in {cpu['wall']:.0f} s, load {load_average()}")
        table.add("import: reviews/s", truth["rows"] / cpu["wall"], target="≥ 50,000",
                  ok=truth["rows"] / cpu["wall"] >= 50_000, fmt="{:,.0f}")
        table.add("import: CPU ms / 1,000 rows client / PostgreSQL",
                  f"{cpu['client'] / truth['rows'] * 1e6:.1f} / "
                  f"{cpu['postgresql'] / truth['rows'] * 1e6:.1f}")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # autovacuum's work, not the pass's
    with db.session() as session:
        todo = service.due(session)
    with db.engine.connect() as conn:  # the pool hands this connection to every unit of work
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    peak = Peak({"client": os.getpid(), "postgresql backend": backend})
    done = {"n": 0, "reviews": 0, "findings": 0}
    started = time.perf_counter()

    def progress(result: service.BusinessRun) -> None:
        done["n"] += 1
        done["reviews"] += result.reviews
        done["findings"] += result.findings
        if done["n"] % 1000 == 0:
            wall = time.perf_counter() - started
            log(f"{done['n']:,} of {len(todo):,} businesses, {done['reviews']:,} reviews, "
                f"{wall:.0f} s, load {load_average()}")

    log(f"nightly pass over {len(todo):,} businesses, {workers} process(es), "
        f"load {load_average()}")
    children0 = os.times()
    with cpu_meter() as cpu:
        if workers == 1:
            service.run_many(db, todo, now=NOW, actor=service.ACTOR, open_at=0.6,
                             on_each=progress)
        else:  # the businesses dealt round-robin to worker processes, as N job runners would
            db.dispose()
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                for n, count, findings in pool.map(_run_share,
                                                   [todo[i::workers] for i in range(workers)]):
                    done["n"] += n
                    done["reviews"] += count
                    done["findings"] += findings
    children1 = os.times()
    children_cpu = ((children1.children_user - children0.children_user)
                    + (children1.children_system - children0.children_system))
    cpu["client"] += children_cpu
    peak.stop()
    if workers > 1:
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        table.add("pass: worker processes, peak RSS MB of one", f"{workers}, {worker_peak:,.0f}")
    wall = cpu["wall"]
    log(f"pass done in {wall:.0f} s, load {load_average()}")
    target = 30 * 60 * reviews / 10_000_000
    table.add("pass: businesses run", f"{done['n']:,} ({done['reviews']:,} reviews)")
    table.add("pass: wall s", wall, target=f"≤ {target:,.0f} (30 min × N/10M)",
              ok=wall <= target, fmt="{:,.0f}")
    table.add("pass: businesses/s", done["n"] / wall, fmt="{:,.1f}")
    table.add("pass: reviews/s", done["reviews"] / wall, fmt="{:,.0f}")
    table.add("pass: CPU s client / PostgreSQL", f"{cpu['client']:,.0f} / "
              f"{cpu['postgresql']:,.0f}")
    for who in peak.pids:
        table.add(f"pass: RSS MB {who} (start → peak)",
                  f"{peak.start[who]:,.0f} → {peak.peak[who]:,.0f}")
    for what, verdict in recovery(db, truth).items():
        table.add(f"recovered {what}", verdict)
    table.add("load average at the end", load_average())
    db.dispose()
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000_000)
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=50, help="campaigns of each kind")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes sharing the pass (1: this one, as one job runner)")
    args = parser.parse_args()
    run(args.reviews, args.businesses, args.planted, args.reuse, args.workers).print()


if __name__ == "__main__":
    main()
