"""Claims and case lists at scale: 32 concurrent claimers on a queue of a million open cases,
then the case list, over HTTP against a real server.

    .venv/bin/python -m bench.claim_and_list --db postgresql --cases 1000000 [--reuse]

1. The data set (bench/dataset.py) is built, or with ``--reuse`` reused with earlier claims put
   back.
2. ``--claimers`` threads, each a distinct specialist with its own keep-alive connection, POST
   /api/v1/queues/flags/claim for ``--claim-seconds``, back to back or with ``--think-ms``
   between claims (all in lock-step after a barrier, or with ``--jitter`` a random 0–2× that
   think time and a random start, as people claim). Afterwards the database is
   checked for double claims: every claimed case is assigned to exactly the claimer that was
   told it won, no case key was handed out twice, and no case has two ``case.claimed`` events.
3. One client GETs /api/v1/cases?limit=50 (default sort), ?queue=flags&sort=priority, the
   second page of the default list (by its cursor), and ?sort=due, each for
   ``--list-seconds``.
4. In-process, through a TestClient on the same database, the SQL statements of one request of
   each kind are counted (before_cursor_execute; token lookup included) and timed; on
   PostgreSQL the slowest statement of each is EXPLAIN ANALYZEd.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

import httpx
from sqlalchemy import event, text

from bench.common import (
    WORK_DIR,
    Client,
    CpuMeter,
    Http,
    InProcessCall,
    Table,
    in_process,
    latency_ms,
    load_average,
    log,
    make_clients,
    maybe_profile,
    server,
    statement_lines,
    summarise_profile,
)
from bench.dataset import describe, ensure_dataset
from integrity_desk.cases.domain import parse_case_key
from integrity_desk.db import Database, utcnow

QUEUE = "flags"


# -- claims -----------------------------------------------------------------------------------

@dataclass
class Claimer:
    client: Client
    latencies: list[float] = field(default_factory=list)
    won: list[int] = field(default_factory=list)
    empty: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def run_claims(url: str, claimers: list[Claimer], *, seconds: float, warmup: float,
               cpu: CpuMeter, think: float = 0.0, jitter: bool = False) -> float:
    t0 = time.monotonic() + 0.3
    measure_from, stop_at = t0 + warmup, t0 + warmup + seconds
    barrier = threading.Barrier(len(claimers) + 1)

    def work(c: Claimer) -> None:
        rnd = random.Random(c.client.user_id)
        http = Http(url, c.client.headers)
        http.request("GET", "/healthz")  # open the keep-alive connection before the clock starts
        barrier.wait()
        if jitter:  # people do not all claim at the same instant
            time.sleep(rnd.uniform(0, 2 * think))
        while (now := time.monotonic()) < stop_at:
            t = time.perf_counter()
            try:
                status, body = http.request("POST", f"/api/v1/queues/{QUEUE}/claim")
            except (OSError, HTTPException) as exc:
                status, body = 0, b""
                c.errors.append(repr(exc))
            elapsed = time.perf_counter() - t
            if status == 200:
                key = json.loads(body)["case"]
                if key is None:
                    c.empty += 1
                else:
                    parsed = parse_case_key(key)
                    assert parsed is not None
                    c.won.append(parsed[1])
            elif status and len(c.errors) < 5:
                c.errors.append(f"{status}: {body[:300].decode(errors='replace')}")
            if now >= measure_from:
                c.latencies.append(elapsed)
                c.statuses[status] += 1
            if think:
                time.sleep(rnd.uniform(0, 2 * think) if jitter else think)
        http.close()

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in claimers]
    for t in threads:
        t.start()
    barrier.wait()
    time.sleep(max(0.0, measure_from - time.monotonic()))
    cpu.start()
    for t in threads:
        t.join()
    cpu.stop()
    return seconds


def check_claims(db: Database, claimers: list[Claimer]) -> dict[str, Any]:
    """Compare what the claimers were told with what the database says."""
    told: dict[int, list[int]] = {}
    for c in claimers:
        for case_id in c.won:
            told.setdefault(case_id, []).append(c.client.user_id)
    handed_twice = sum(1 for owners in told.values() if len(owners) > 1)
    user_ids = [c.client.user_id for c in claimers]
    with db.engine.connect() as conn:
        assigned = {
            cid: (uid, status) for cid, uid, status in conn.execute(text(
                "SELECT id, assignee_id, status FROM cases WHERE assignee_id IN ("
                + ", ".join(str(u) for u in user_ids) + ")"))
        }
        claimed_twice = conn.scalar(text(
            "SELECT count(*) FROM (SELECT case_id FROM audit_events WHERE kind = 'case.claimed' "
            "GROUP BY case_id HAVING count(*) > 1) t"))
        claim_events = conn.scalar(text(
            "SELECT count(*) FROM audit_events WHERE kind = 'case.claimed'"))
    wrong_owner = sum(1 for cid, owners in told.items()
                      if assigned.get(cid, (None, None))[0] != owners[0])
    not_assigned = sum(1 for cid in told if assigned.get(cid, (None, ""))[1] != "assigned")
    untold = len(set(assigned) - set(told))
    claims = sum(len(c.won) for c in claimers)
    return {"claims": claims, "distinct": len(told), "handed_twice": handed_twice,
            "wrong_owner": wrong_owner, "not_assigned": not_assigned, "untold": untold,
            "events": claim_events, "claimed_twice_events": claimed_twice,
            "double": handed_twice + wrong_owner + (claimed_twice or 0)}


# -- lists ------------------------------------------------------------------------------------

def list_variants(url: str, client: Client) -> dict[str, str]:
    first = httpx.get(f"{url}/api/v1/cases", params={"limit": 50}, headers=client.headers,
                      timeout=120)
    first.raise_for_status()
    cursor = first.json()["next_cursor"]
    return {
        "default (sort=priority)": "/api/v1/cases?limit=50",
        "queue=flags&sort=priority": "/api/v1/cases?limit=50&queue=flags&sort=priority",
        "page 2 by cursor": f"/api/v1/cases?limit=50&cursor={cursor}",
        "sort=due": "/api/v1/cases?limit=50&sort=due",
    }


def run_lists(url: str, client: Client, variants: dict[str, str], *, seconds: float,
              max_requests: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    http = Http(url, client.headers, timeout=120)
    for name, path in variants.items():
        latencies: list[float] = []
        items = set()
        for _ in range(3):  # warm the path, the plan cache and the pages
            http.request("GET", path)
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at and len(latencies) < max_requests:
            t = time.perf_counter()
            status, body = http.request("GET", path)
            latencies.append(time.perf_counter() - t)
            if status != 200:
                raise SystemExit(f"GET {path}: {status} {body[:300]!r}")
            items.add(len(json.loads(body)["items"]))
        out[name] = {"latency": latency_ms(latencies), "n": len(latencies),
                     "items": sorted(items)}
    http.close()
    return out


# -- statements, in process -------------------------------------------------------------------

def count_statements(db: Database, client: Client, variants: dict[str, str]
                     ) -> dict[str, dict[str, Any]]:
    """SQL statements (and their time) of a request of each variant, via a TestClient."""
    calls = [InProcessCall(name, "GET", path, client.headers) for name, path in variants.items()]
    return in_process(db, calls, repeat=5)


def explain(db: Database, statement: str, params: Any) -> list[str]:
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            rows = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
        conn.rollback()
    return [" | ".join(str(v) for v in row) if len(row) > 1 else str(row[0]) for row in rows]


def explain_claim(db: Database, user_id: int) -> list[str]:
    """Plan of the claim UPDATE as claim_next builds it, executed and rolled back."""
    from sqlalchemy.orm import Session

    from integrity_desk.people.models import User
    from integrity_desk.routing import service
    from integrity_desk.routing.service import get_queue

    captured: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
               many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE CASES"):
            captured.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        with Session(db.engine) as session:
            user = session.get(User, user_id)
            assert user is not None
            service.claim_next(session, user=user, queue=get_queue(session, QUEUE),
                               now=utcnow())
            session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    if not captured:
        return ["(no claim statement captured)"]
    lines = explain(db, *captured[0])
    return [f"SQL: {' '.join(captured[0][0].split())}", *lines]


# -- main -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--reuse", action="store_true", help="reuse the data set if it exists")
    p.add_argument("--claimers", type=int, default=32)
    p.add_argument("--claim-seconds", type=float, default=15.0)
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--jitter", action="store_true",
                   help="think a random 0..2x --think-ms (and start at a random moment), "
                        "not all claimers in lock-step")
    p.add_argument("--think-ms", type=float, default=0.0,
                   help="pause of each claimer between claims (0: back to back, closed loop)")
    p.add_argument("--list-seconds", type=float, default=8.0, help="per list variant")
    p.add_argument("--list-max", type=int, default=500, help="requests per list variant")
    p.add_argument("--workers", type=int, default=2, help="server processes")
    p.add_argument("--profile", action="store_true", help="sample the server with py-spy")
    args = p.parse_args(argv)

    log(f"claim and list benchmark on {args.db}, {args.cases:,} cases; "
        f"load average {load_average()}")
    db, build_s = ensure_dataset(args.db, args.cases, reuse=args.reuse)
    for line in describe(db):
        log(line)
    claimers = [Claimer(c) for c in make_clients(db, role="specialist", count=args.claimers,
                                                  prefix="claimer")]
    reader = make_clients(db, role="specialist", count=1, prefix="reader")[0]
    url = db.engine.url.render_as_string(hide_password=False)
    table = Table(f"claim and list on {args.db}, {args.cases:,} cases "
                  f"({args.workers} server worker(s))")
    if build_s is not None:
        table.add("data set build s", build_s)
    notes: list[str] = []
    stamp = time.strftime("%H%M%S")
    with server(url, workers=args.workers, name=f"claim-{args.db}") as srv:
        pids = srv.worker_pids()
        log(f"server up at {srv.url} (pids {pids}); {args.claimers} claimers for "
            f"{args.warmup:.0f}+{args.claim_seconds:.0f} s, think time {args.think_ms:.0f} ms"
            + (" on average" if args.jitter else ""))
        cpu = CpuMeter(srv.process.pid)
        prof = WORK_DIR / f"profile-claim-{args.db}-{stamp}" if args.profile else None
        with maybe_profile(pids, prof, args.warmup + args.claim_seconds + 1):
            run_claims(srv.url, claimers, seconds=args.claim_seconds, warmup=args.warmup,
                       cpu=cpu, think=args.think_ms / 1000, jitter=args.jitter)
        if prof:
            notes += ["-- claim profile (server, GIL holders) --",
                      *summarise_profile(list(WORK_DIR.glob(f"{prof.name}-*.txt")))]
        srv.rss.sample()
        latencies = [x for c in claimers for x in c.latencies]
        statuses: Counter[int] = Counter()
        for c in claimers:
            statuses.update(c.statuses)
        lat = latency_ms(latencies)
        check = check_claims(db, claimers)
        table.add("claim: requests measured / per s",
                  f"{len(latencies)} / {len(latencies) / args.claim_seconds:.0f}")
        table.add("claim: p50 ms", lat["p50"])
        table.add("claim: p99 ms", lat["p99"], target="<= 25", ok=lat["p99"] <= 25)
        table.add("claim: max ms", lat["max"])
        table.add("claim: non-200 responses", sum(n for s, n in statuses.items() if s != 200),
                  ok=statuses[200] == len(latencies))
        table.add("claim: cases won / distinct / DB claim events",
                  f"{check['claims']} / {check['distinct']} / {check['events']}")
        table.add("claim: double claims (keys twice, wrong owner, 2 events)",
                  f"{check['handed_twice']}, {check['wrong_owner']}, "
                  f"{check['claimed_twice_events']}", target="0", ok=check["double"] == 0)
        table.add("claim: won but not assigned / assigned but not told",
                  f"{check['not_assigned']} / {check['untold']}",
                  ok=check["not_assigned"] == 0 and check["untold"] == 0)
        table.add("claim: empty-queue answers", sum(c.empty for c in claimers))
        table.add("claim: server CPU ms per claim",
                  1000 * cpu.used["server"] / max(1, len(latencies)))
        table.add("claim: server max RSS MB", srv.rss.max_per_process, target="<= 250",
                  ok=srv.rss.max_per_process <= 250)
        notes.append(f"CPU cores used while claiming: {cpu.describe()}")
        for c in claimers:
            for e in c.errors[:2]:
                log(f"claim error: {e}")

        srv.rss.reset()
        variants = list_variants(srv.url, reader)
        log(f"list phase: {len(variants)} variants x {args.list_seconds:.0f} s, one client")
        lcpu = CpuMeter(srv.process.pid)
        lcpu.start()
        prof = WORK_DIR / f"profile-list-{args.db}-{stamp}" if args.profile else None
        with maybe_profile(pids, prof, min(20.0, args.list_seconds * len(variants))):
            lists = run_lists(srv.url, reader, variants, seconds=args.list_seconds,
                              max_requests=args.list_max)
        lcpu.stop()
        if prof:
            notes += ["-- list profile (server, GIL holders) --",
                      *summarise_profile(list(WORK_DIR.glob(f"{prof.name}-*.txt")))]
        srv.rss.sample()
        for name, res in lists.items():
            lat = res["latency"]
            table.add(f"list {name}: p50 ms", lat["p50"], target="<= 15", ok=lat["p50"] <= 15)
            table.add(f"list {name}: p95 ms (n={res['n']}, items {res['items']})", lat["p95"])
        table.add("list: server max RSS MB", srv.rss.max_per_process, target="<= 250",
                  ok=srv.rss.max_per_process <= 250)
        notes.append(f"CPU cores used while listing: {lcpu.describe()}")
        if args.workers > 1:
            table.add("server total RSS MB (all processes)", srv.rss.max_total)

    log("counting SQL statements per request in process (TestClient, same database)")
    counted = count_statements(db, reader, variants)
    claim_sql = in_process(db, [InProcessCall("claim", "POST", f"/api/v1/queues/{QUEUE}/claim",
                                              claimers[0].client.headers)])["claim"]
    table.add("claim: SQL statements per request (in process)",
              f"{max(claim_sql['counts'])} (runs: {claim_sql['counts']})")
    table.add("claim: in-process wall / SQL ms (one at a time)",
              f"{1000 * claim_sql['wall']:.1f} / {1000 * claim_sql['sql']:.1f}")
    for name, res in counted.items():
        n = max(res["counts"])
        begins = sum(1 for sql, _, _ in res["statements"] if sql.strip().upper().startswith(
            "BEGIN"))
        shown = f"{n} (runs: {res['counts']})" + (f", {begins} of them BEGIN" if begins else "")
        table.add(f"list {name}: SQL statements per request", shown, target="<= 3", ok=n <= 3)
        table.add(f"list {name}: in-process wall / SQL ms",
                  f"{1000 * res['wall']:.1f} / {1000 * res['sql']:.1f}")
    table.add("load average after run", load_average())
    table.print()
    for line in notes:
        print(line)
    print("\n-- statements of one claim --")
    print("\n".join(statement_lines(claim_sql["statements"])))
    for name, res in counted.items():
        print(f"\n-- statements of one '{name}' request --")
        print("\n".join(statement_lines(res["statements"])))
        slowest = max(res["statements"], key=lambda s: s[2])
        if slowest[2] > 0.003:
            print(f"  plan of the slowest ({1000 * slowest[2]:.1f} ms):")
            for line in explain(db, slowest[0], slowest[1])[:25]:
                print(f"    {line}")
    print("\n-- the claim statement --")
    for line in explain_claim(db, claimers[0].client.user_id)[:30]:
        print(f"  {line}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
