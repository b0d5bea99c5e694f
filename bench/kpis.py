"""KPIs at scale (issue 21): the dashboard's and a vendor scorecard's reads over 1,000,000 cases
and 10,000,000 timeline events on PostgreSQL, and what keeping the daily rollup costs.

    .venv/bin/python -m bench.kpis --cases 1000000 --events 10000000 [--reuse]

Target: "the dashboard and a vendor scorecard answer in <= 300 ms p95".

1. The data set (bench.kpi_dataset): six months of cases, their KPI facts, work intervals,
   decisions and appeals, and the timeline events.
2. The rollup's first run (what a desk upgrading to this version pays once: every day counted,
   the last 35 days' backlogs reconstructed), then an incremental run after a day of new work
   (what the worker pays every five minutes): wall time and this process's CPU.
3. The reads, in process through the API with a manager's token (HTTP and JSON on the same two
   cores would only add noise): each ``--repeat`` times; p50 and p95 wall, CPU of this process
   per request (the server's share), SQL statements per request.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select, text

from bench.common import latency_ms, load_average, log, make_clients
from bench.kpi_dataset import ensure
from integrity_desk.db import Database, utcnow
from integrity_desk.kpis import rollup


def _rollup(db: Database, *, rebuild: bool, now: Any) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    with db.session() as s:
        said = rollup.run(s, now=now, rebuild=rebuild)
    return time.perf_counter() - wall, time.process_time() - cpu, said


def _a_day_of_work(db: Database, now: Any) -> None:
    """Some new facts since the last run, as a day brings: closures, a reopen."""
    with db.engine.begin() as conn:
        conn.execute(text(
            "UPDATE case_outcomes SET reopened_at = :now, changed_at = :now WHERE id IN "
            "(SELECT id FROM case_outcomes WHERE event = 'closed' AND reopened_at IS NULL "
            "AND at > :since ORDER BY id LIMIT 50)"),
            {"now": now, "since": now - timedelta(days=20)})


def _measure(tc: Any, name: str, path: str, headers: dict[str, str], engine: Any,
             repeat: int) -> dict[str, Any]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    walls, cpus, counts = [], [], []
    try:
        for _ in range(repeat + 1):
            statements.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            r = tc.get(path, headers=headers)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            counts.append(len(statements))
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    walls, cpus, counts = walls[1:], cpus[1:], counts[1:]  # the first warms the caches
    lat = latency_ms(walls)
    return {"name": name, "path": path, "p50": lat["p50"], "p95": lat["p95"],
            "cpu_ms": 1000 * sum(cpus) / len(cpus), "statements": max(counts)}


def reads(db: Database, repeat: int) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from integrity_desk.api.app import create_app
    from integrity_desk.people.models import Vendor
    from integrity_desk.settings import Settings

    [manager] = make_clients(db, role="manager", count=1, prefix="kpi-manager")
    with db.session() as s:
        vendor = s.scalar(select(Vendor.id).where(Vendor.name.like("Bench vendor%"))
                          .order_by(Vendor.id))
    app = create_app(db, Settings(database_url=db.url, kpi_stale_seconds=86400))
    calls: list[tuple[str, str]] = [
        ("desk, this week", "/api/v1/kpis"),
        ("by vendor, this week", "/api/v1/kpis?by=vendor"),
        ("by queue, last month", f"/api/v1/kpis?by=queue&period={_last_month()}"),
        ("by person, this week", "/api/v1/kpis?by=person"),
        ("12-week trend of a vendor", f"/api/v1/kpis/trend?by=vendor&key={vendor}"),
    ]
    calls += [("funnel by source, this week", "/api/v1/kpis/funnel?by=source"),
              ("funnel by category, last month",
               f"/api/v1/kpis/funnel?by=category&period={_last_month()}"),
              ("vendor scorecard (API)", f"/api/v1/vendors/{vendor}/scorecard")]
    pages = [("dashboard page", "/dashboard"),
             ("dashboard page, last month", f"/dashboard?period={_last_month()}"),
             ("vendor scorecard page", f"/vendors/{vendor}/scorecard")]
    with TestClient(app) as tc:
        out = [_measure(tc, name, path, manager.headers, db.engine, repeat)
               for name, path in calls]
    with TestClient(app) as browser:
        _sign_in(db, browser, manager.email)
        out += [_measure(browser, name, path, {}, db.engine, repeat) for name, path in pages]
    return out


def _sign_in(db: Database, browser: Any, email: str) -> None:
    """Sign the manager in through the login form, as a browser does."""
    import re

    from integrity_desk.people.models import User
    from integrity_desk.people.passwords import hash_password

    password = "violet-harbour-engine-42"
    with db.session() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        user.password_hash = hash_password(password)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
    assert token, "no sign-in form"
    r = browser.post("/login", data={"email": email, "password": password,
                                     "csrf_token": token.group(1)}, follow_redirects=False)
    if r.status_code != 303:
        raise SystemExit(f"sign-in failed: {r.status_code}")


def _last_month() -> str:
    first = utcnow().date().replace(day=1) - timedelta(days=1)
    return f"{first:%Y-%m}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--reuse", action="store_true", help="keep an existing data set")
    p.add_argument("--skip-rebuild", action="store_true",
                   help="keep the rollup a reused data set has (no first run)")
    args = p.parse_args(argv)
    db = ensure(args.cases, args.events, reuse=args.reuse)
    with db.engine.connect() as conn:
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in (
            "cases", "audit_events", "case_outcomes", "work_intervals", "decisions")}
        open_cases = conn.scalar(text("SELECT count(*) FROM cases WHERE is_open"))
    log("data: " + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + f"; open cases {open_cases:,}")
    now = utcnow()
    if not args.skip_rebuild:
        wall, cpu, said = _rollup(db, rebuild=True, now=now)
        log(f"rollup, first run: {wall:.1f} s wall, {cpu:.1f} s CPU of this process ({said})")
    later = now + timedelta(days=1)
    _a_day_of_work(db, later - timedelta(minutes=1))
    wall, cpu, said = _rollup(db, rebuild=False, now=later)
    log(f"rollup, incremental after a day: {wall:.2f} s wall, {cpu:.2f} s CPU ({said})")
    wall, cpu, said = _rollup(db, rebuild=False, now=later + timedelta(minutes=5))
    log(f"rollup, incremental 5 min later: {wall:.2f} s wall, {cpu:.2f} s CPU ({said})")
    log(f"load average before the reads: {load_average()}")
    for r in reads(db, args.repeat):
        log(f"{r['name']:<32} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
            f"CPU {r['cpu_ms']:6.1f} ms/request  {r['statements']} statements  "
            f"{'OK' if r['p95'] <= 300 else 'OVER 300 ms'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
