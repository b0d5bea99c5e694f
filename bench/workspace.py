"""The investigation workspace of a 5,000-member investigation: its server-side render time.

    .venv/bin/python -m bench.workspace --db postgresql [--members 5000] [--repeat 7]
    .venv/bin/python -m bench.workspace --db sqlite

Builds a fresh database ``bench_workspace``: one business with a year of ordinary reviews
around the campaign, and an investigation opened through the API whose members are one
business, ``--members`` × 4/5 reviews and the rest their accounts (four reviews each), reached
as the signals reach them: a burst finding on the campaign's day, copied-text clusters of 30
reviews, rings of six accounts on a shared device, and the case's own 200 subjects. Then a
manager signs in through the login form of an in-process app (TestClient: routing, session
check, queries, templates, no network hop) and GET /cases/{key}/workspace runs ``--repeat``
times after one warm-up: median wall time, median CPU time of this process (SQLite's work is
in it; PostgreSQL's is not), and the SQL statements of one request (counted with SQLAlchemy's
cursor events, the session check's included). Target (issue 24): ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, insert, select

from bench.common import Table, fresh_database, load_average, log
from integrity_desk.api.app import create_app
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.db import Database
from integrity_desk.people.passwords import hash_password
from integrity_desk.people.service import create_token, create_user
from integrity_desk.settings import Settings
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.subjects.models import Business, Review, Reviewer

EMAIL = "workspace-bench@bench.example.com"
PASSWORD = "bench-workspace-password-1"
TARGET_MS = 300.0
SHOP = "campaign.example.com"
DAY = datetime(2026, 6, 1, tzinfo=UTC)
TEXT = ("Absolutely the best place in town, the staff were wonderful and the prices fair. "
        "I will recommend it to all my friends and family without any doubt.")


def _people(db: Database) -> dict[str, str]:
    with db.session() as session:
        user = create_user(session, email=EMAIL, name="Bench Manager", role="manager",
                           actor=SYSTEM)
        user.password_hash = hash_password(PASSWORD)
        token = create_token(session, user=user, scopes=["read", "write"], actor=SYSTEM)
    return {"Authorization": f"Bearer {token.secret}"}


def build(db: Database, members: int, headers: dict[str, str]) -> str:
    """The investigation; returns its key."""
    rng = random.Random(24)
    n_reviews = members * 4 // 5
    n_accounts = members - n_reviews - 1
    with db.session() as session:
        session.add(Business(domain=SHOP, name="Campaign shop", review_count=0))
        session.flush()
        shop = session.scalar(select(Business.id).where(Business.domain == SHOP))
        session.execute(insert(Reviewer), [
            {"ref": f"acct{i}", "display_name": f"Account {i}", "review_count": 4,
             "status": "active", "joined_at": DAY - timedelta(days=3)}
            for i in range(n_accounts)])
        accounts = dict(session.execute(select(Reviewer.ref, Reviewer.id)).all())
        rows = []
        for i in range(n_reviews):  # the campaign: three weeks, a third of it on one day
            day = DAY if i % 3 == 0 else DAY + timedelta(days=rng.randrange(-10, 11))
            rows.append({"ref": f"camp{i}", "business_id": shop,
                         "reviewer_id": accounts[f"acct{i % n_accounts}"], "rating": 5,
                         "text": TEXT.replace("town", f"town {i % 7}"), "status": "published",
                         "harm_checked": True, "published_at": day,
                         "device_id": f"dev{(i % n_accounts) // 6}", "language": "en"})
        for i in range(20_000):  # a year of the shop's ordinary reviews around it
            rows.append({"ref": f"plain{i}", "business_id": shop, "reviewer_id": None,
                         "rating": rng.randint(1, 5), "text": "An ordinary visit.",
                         "status": "published", "harm_checked": True,
                         "published_at": DAY - timedelta(days=rng.randrange(-180, 180))})
        for start in range(0, len(rows), 5_000):
            session.execute(insert(Review), rows[start:start + 5_000])
    response = _api(db, headers).post("/api/v1/cases", headers=headers, json={
        "kind": "investigation", "title": f"Campaign on {SHOP}",
        "description": "Bench: a 5,000-member investigation.", "business_domains": [SHOP],
        "reviews": [{"ref": f"camp{i}"} for i in range(200)],
        "reviewer_refs": [f"acct{i}" for i in range(200)]})
    if response.status_code != 201:
        raise SystemExit(f"opening the case: {response.status_code} {response.text[:300]}")
    key = response.json()["case"]["key"]
    case_id = int(key.split("-")[1])
    with db.session() as session:
        reviews = dict(session.execute(select(Review.ref, Review.id).where(
            Review.ref.like("camp%"))).all())
        now = datetime.now(UTC)
        signals: list[tuple[dict[str, Any], list[tuple[str, int]]]] = []
        burst_refs = [f"camp{i}" for i in range(0, n_reviews, 3)]
        signals.append(({"kind": "burst", "key": f"burst:{SHOP}:2026-06-01:volume",
                         "score": 0.97, "explanation": f"{len(burst_refs)} reviews on 2026-06-01",
                         "evidence": {"day": "2026-06-01", "kind": "volume"}},
                        [("review", reviews[r]) for r in burst_refs]))
        for c in range(0, n_reviews, 30):  # copied-text clusters of 30
            refs = [f"camp{i}" for i in range(c, min(c + 30, n_reviews))]
            signals.append(({"kind": "duplicates", "key": f"dup:{refs[0]}", "score": 1.0,
                             "explanation": f"{len(refs)} reviews share one text",
                             "evidence": {"representative": refs[0], "members": [
                                 {"review": r} for r in refs]}},
                            [("review", reviews[r]) for r in refs]))
        for g in range(0, n_accounts, 6):  # rings of six accounts on one device
            ids = [accounts[f"acct{i}"] for i in range(g, min(g + 6, n_accounts))]
            refs = [f"camp{i}" for i in range(g, n_reviews, n_accounts)
                    if i % n_accounts < g + 6]
            signals.append(({"kind": "ring", "key": f"ring:{g}", "score": 0.9,
                             "explanation": "Six accounts on one device review together",
                             "evidence": {"shared_devices": [f"dev{g // 6}"]}},
                            [("reviewer", i) for i in ids]
                            + [("review", reviews[r]) for r in refs[:24] if r in reviews]))
        for fields, subjects in signals:
            signal = Signal(business_id=fields.pop("business_id", None), first_seen_at=now,
                            last_seen_at=now, case_id=case_id, **fields)
            session.add(signal)
            session.flush()
            session.execute(insert(SignalSubject), [
                {"signal_id": signal.id, "subject_type": t, "subject_id": i}
                for t, i in dict.fromkeys(subjects)])
        counted = session.scalar(select(Case.id).where(Case.id == case_id))
        assert counted is not None
        subjects = session.scalar(select(CaseSubject.id).where(CaseSubject.case_id == case_id))
        assert subjects is not None
    return key


def _api(db: Database, headers: dict[str, str]) -> TestClient:
    return TestClient(create_app(db, Settings(database_url=db.url)))


def _sign_in(client: TestClient) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no login form"
    r = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                    "csrf_token": token.group(1)}, follow_redirects=False)
    if r.status_code != 303:
        raise SystemExit(f"sign-in failed: {r.status_code} {r.text[:300]}")


def run(db: Database, key: str, *, repeat: int, backend: str) -> Table:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    path = f"/cases/{key}/workspace"
    table = Table(f"workspace of {key} on {backend}, {repeat} requests "
                  f"(load average {load_average()})")
    with TestClient(create_app(db, Settings(database_url=db.url))) as client:
        _sign_in(client)
        first = client.get(path)
        if first.status_code != 200:
            raise SystemExit(f"{path}: {first.status_code} {first.text[:300]}")
        members = re.search(r"([\d,]+) members:", first.text)
        walls, cpus, counts = [], [], []
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for _ in range(repeat):
                statements.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                r = client.get(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                counts.append(len(statements))
                assert r.status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        median = 1000 * statistics.median(walls)
        table.add("members", members.group(1) if members else "?")
        table.add("page size", f"{len(first.content) / 1024:.0f} KiB")
        table.add("wall p50", median, target=f"<= {TARGET_MS:.0f} ms",
                  ok=median <= TARGET_MS, fmt="{:.1f} ms")
        table.add("wall min / max", f"{1000 * min(walls):.1f} / {1000 * max(walls):.1f} ms")
        table.add("CPU of this process p50", 1000 * statistics.median(cpus), fmt="{:.1f} ms")
        table.add("SQL statements a request", f"{min(counts)}–{max(counts)}")
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--members", type=int, default=5_000)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    db = fresh_database(args.db, "workspace")
    try:
        log(f"building a {args.members:,}-member investigation on {args.db}")
        t = time.perf_counter()
        key = build(db, args.members, _people(db))
        log(f"built {key} in {time.perf_counter() - t:.1f} s")
        table = run(db, key, repeat=args.repeat, backend=args.db)
    finally:
        db.dispose()
    table.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
