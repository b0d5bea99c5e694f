"""Console pages at scale: server-side time of each page for a signed-in manager.

    .venv/bin/python -m bench.dataset --db postgresql --cases 1000000     # once
    .venv/bin/python -m bench.console_pages --db postgresql --cases 1000000 [--repeat 50]

Builds no data: it opens the data set of ``--cases`` cases that bench/dataset.py made (and
migrates it, so a data set built before this version has its tables), signs a manager in
through the login form of an in-process app (TestClient: the time measured is the app's —
routing, session check, queries, templates — without a network hop), then requests each page
``--repeat`` times after one warm-up request and prints p50/p95/max per page. Pages this
checkout does not have (404) are skipped.

The warm-up request of /queues recomputes the counts' snapshot when it is stale (no worker
runs during the bench); that refresh is timed on its own and printed, since in production the
worker does it every ``metrics_refresh_seconds``, off the request path.
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bench.common import Table, latency_ms, load_average, log, open_database
from bench.dataset import database_exists, dataset_name
from integrity_desk.api.app import create_app
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.domain import case_key
from integrity_desk.db import Database, utcnow
from integrity_desk.metrics import service as metrics
from integrity_desk.migrate import migrate
from integrity_desk.people.models import User
from integrity_desk.people.passwords import hash_password
from integrity_desk.people.service import create_user
from integrity_desk.settings import Settings

EMAIL = "console-bench-manager@bench.example.com"
PASSWORD = "bench-console-pages-password-1"
TARGET_MS = 100.0


def _manager(db: Database) -> None:
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == EMAIL))
        if user is None:
            user = create_user(session, email=EMAIL, name="Bench Manager", role="manager",
                               actor=SYSTEM)
        user.password_hash = hash_password(PASSWORD)


def _sign_in(client: TestClient) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no login form"
    r = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                    "csrf_token": token.group(1)}, follow_redirects=False)
    if r.status_code != 303:
        raise SystemExit(f"sign-in failed: {r.status_code} {r.text[:300]}")


def _pages(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT id, kind FROM cases WHERE is_open ORDER BY id LIMIT 1")).first()
    today = utcnow().date().isoformat()
    pages = [("queues", "/queues"), ("overview", "/overview"), ("my work", "/"),
             ("case list", "/cases"), ("case list, queue+P1", "/cases?queue=flags&priority=P1"),
             ("case list, at risk", "/cases?sla=at_risk"),
             ("case list, breached", "/cases?sla=breached"),
             ("case list, opened today", f"/cases?opened_on={today}"),
             ("case list, German, due first", "/cases?language=de&sort=due"),
             ("search, a review id", "/search?q=bench-r12345"),
             ("search, two words", "/search?q=hotel+refund"),
             ("flaggers", "/flaggers"), ("held letters", "/messages/held")]
    if row is not None:
        key = case_key(row.kind, row.id)
        pages += [("case view", f"/cases/{key}"), ("decision panel", f"/cases/{key}/decision")]
    return pages


def run(db: Database, *, repeat: int) -> Table:
    settings = Settings(database_url=db.url)
    app = create_app(db, settings)
    table = Table(f"console pages, server-side, {repeat} requests each "
                  f"(load average {load_average()})")
    with TestClient(app) as client:
        _sign_in(client)
        t = time.perf_counter()
        with db.session() as session:
            info = metrics.refresh(session, now=utcnow())
        table.add("counts snapshot refresh (worker job)", 1000 * (time.perf_counter() - t),
                  target="off the request path; every 30 s", fmt="{:.0f} ms")
        log(f"snapshot refreshed in {info.took_ms} ms of SQL")
        for name, path in _pages(db):
            first = client.get(path, follow_redirects=False)
            if first.status_code == 404:
                log(f"skipping {path}: 404 (not in this checkout)")
                continue
            if first.status_code != 200:
                raise SystemExit(f"{path}: {first.status_code} {first.text[:300]}")
            walls = []
            for _ in range(repeat):
                t = time.perf_counter()
                r = client.get(path, follow_redirects=False)
                walls.append(time.perf_counter() - t)
                assert r.status_code == 200, (path, r.status_code)
            figures = latency_ms(walls)
            table.add(f"{name} ({path}) p50", figures["p50"], fmt="{:.1f} ms")
            table.add(f"{name} p95", figures["p95"], target=f"<= {TARGET_MS:.0f} ms",
                      ok=figures["p95"] <= TARGET_MS, fmt="{:.1f} ms")
            table.add(f"{name} max", figures["max"], fmt="{:.1f} ms")
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=50)
    args = p.parse_args(argv)
    name = dataset_name(args.cases)
    if not database_exists(args.db, name):
        raise SystemExit(f"no data set bench_{name}: run python -m bench.dataset --db "
                         f"{args.db} --cases {args.cases} first")
    db = open_database(args.db, name)
    migrate(db)
    _manager(db)
    try:
        table: Any = run(db, repeat=args.repeat)
    finally:
        db.dispose()
    table.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
