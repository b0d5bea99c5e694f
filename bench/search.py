"""Search at scale: p50/p95 of each kind of query, server-side, on the bench data set.

    .venv/bin/python -m bench.dataset --db postgresql --cases 1000000
    .venv/bin/python -m bench.search --db postgresql --cases 1000000 [--runs 40]

The data set's case titles and descriptions are made of words from small vocabularies (see
bench/dataset.py): a kind of business is in one case of 40, an issue in one of 49, a pair of
them in one of 2,000. ``--comments`` comment events (default one per 20 cases) are added with
words of their own, by one INSERT … SELECT, unless that many are there already.

Each query kind is run ``--runs`` times with varying values, as a manager (reads everything),
a specialist (no legal cases) and a vendor agent (only the ``flags`` queue, lent to a bench
team for the run and given back after), through ``search.service.search`` and the API's
shaping of its answer: what a request spends on the server, without HTTP. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select, text

from bench.common import Table, latency_ms, log
from bench.dataset import BUSINESS_TYPES, CITIES, ISSUES, ORGANISATIONS, ensure_dataset, word
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.domain import case_key
from integrity_desk.db import Database
from integrity_desk.people.models import Team, User
from integrity_desk.people.service import create_user
from integrity_desk.routing.models import Queue
from integrity_desk.search import service
from integrity_desk.search.api import page_out

COMMENT_WORDS = ["voicemail", "screenshot", "receipt", "callback", "escalated", "invoice",
                     "translation", "chargeback", "lookalike", "sockpuppet", "timestamp",
                     "geolocation"]
TARGET_MS = 100.0


def add_comments(db: Database, wanted: int) -> None:
    """Comment events on every 20th case or so, in one statement (no hash chain: the bench
    reads them, nothing verifies them)."""
    with db.engine.connect() as conn:
        have = conn.scalar(text("SELECT count(*) FROM audit_events WHERE category = 'comment'"
                                " AND chain_key LIKE 'bench-comment:%'")) or 0
        cases = conn.scalar(text("SELECT max(id) FROM cases")) or 0
    if have >= wanted or not cases:
        log(f"{have:,} bench comments present")
        return
    pg = db.dialect == "postgresql"
    series = ("s(g) AS (SELECT generate_series(1::bigint, :n))" if pg else
              "s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n)")
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    body = (f"'Left a ' || {word('g * 911', COMMENT_WORDS)} || ' about the ' || "
            f"{word('g * 613', ISSUES)} || ' with the ' || {word('g * 419', BUSINESS_TYPES)}")
    payload = (f"json_build_object('body', {body})::text" if pg
               else f"json_object('body', {body})")
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE chain_key LIKE 'bench-comment:%'"))
        conn.execute(text(f"""
            {'WITH' if pg else 'WITH RECURSIVE'} {series}
            INSERT INTO audit_events (chain_key, seq, case_id, actor_id, actor_label, kind,
                                      category, occurred_at, payload, prev_hash, hash)
            SELECT 'bench-comment:' || g, 1, 1 + (g * 7919) % :cases, NULL, 'bench', 'comment',
                   'comment', {now}, {payload}, :zeros, :zeros
            FROM s"""), {"n": wanted, "cases": cases, "zeros": "0" * 64})
    if pg:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) audit_events"))
    log(f"added {wanted:,} bench comments in {time.perf_counter() - t0:.1f} s")


def _user(db: Database, role: str, team: Team | None = None) -> User:
    email = f"bench-search-{role}@desk.example.com"
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(session, email=email, name=f"Bench {role}", role=role,
                               team=team, actor=SYSTEM)
        elif team is not None:
            user.team_id = team.id
        session.flush()
        session.refresh(user)
        session.expunge(user)
    return user


def _vendor(db: Database) -> tuple[User, int | None]:
    """A vendor agent whose team owns the flags queue for this run; the queue's team before."""
    with db.session() as session:
        team = session.scalar(select(Team).where(Team.name == "Bench search vendor"))
        if team is None:
            team = Team(name="Bench search vendor", kind="vendor")
            session.add(team)
            session.flush()
        queue = session.scalar(select(Queue).where(Queue.slug == "flags"))
        assert queue is not None
        before = queue.team_id
        queue.team_id = team.id
        session.expunge(team)
    return _user(db, "agent", team), before


def queries(db: Database, rng: random.Random) -> dict[str, Callable[[], str]]:
    with db.engine.connect() as conn:
        n = conn.scalar(text("SELECT max(id) FROM cases")) or 1
        sample = conn.execute(
            text("SELECT id, kind FROM cases WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)),
            {"ids": [rng.randrange(1, n + 1) for _ in range(200)]}).all()
        businesses = conn.scalar(text("SELECT max(id) FROM businesses")) or 1
    keys = [case_key(kind, case_id) for case_id, kind in sample]
    pick = rng.choice
    return {
        "case key": lambda: pick(keys),
        "review id": lambda: f"bench-r{rng.randrange(1, n + 1)}",
        "review URL": lambda: f"https://reviews.example.com/reviews/bench-r{rng.randrange(1, n)}",
        "business domain": lambda: f"shop{rng.randrange(1, businesses)}.bench.example.com",
        "reviewer id": lambda: f"reviewer:bench-u{rng.randrange(1, n // 5 + 2)}",
        "organisation": lambda: pick([o.split()[0] for o in ORGANISATIONS] + ORGANISATIONS),
        "text, one common word": lambda: pick(BUSINESS_TYPES + ISSUES),
        "text, two words": lambda: f"{pick(BUSINESS_TYPES)} {pick(ISSUES)}",
        "text, phrase + city": lambda: f'"{pick(ISSUES)} at the" {pick(CITIES)}',
        "text, comment word": lambda: f"{pick(COMMENT_WORDS)} {pick(BUSINESS_TYPES)}",
        "text, no hit": lambda: f"zeppelin{rng.randrange(1000)}",
    }


def run(db: Database, users: dict[str, User], runs: int, seed: int,
        only: str | None = None) -> Table:
    rng = random.Random(seed)
    kinds = {k: v for k, v in queries(db, rng).items() if not only or only in k}
    table = Table(f"search, server-side, {runs} runs per query kind and role "
                  f"(target p95 <= {TARGET_MS:.0f} ms)")
    worst = 0.0
    for label, make in kinds.items():
        for role, user in users.items():
            times: list[float] = []
            found: list[int] = []
            for i in range(runs + 2):
                q = make()
                with db.session() as session:
                    t0 = time.perf_counter()
                    result = service.search(session, user, q)
                    page_out(result)
                    elapsed = time.perf_counter() - t0
                if i >= 2:  # the first two warm the caches and the statement cache
                    times.append(elapsed)
                    found.append(len(result.hits))
            lat = latency_ms(times)
            worst = max(worst, lat["p95"])
            table.add(f"{label} · {role}: p50 / p95 ms (hits on page, mean)",
                      f"{lat['p50']:.1f} / {lat['p95']:.1f} ({sum(found) / len(found):.1f})",
                      target=f"p95 <= {TARGET_MS:.0f}", ok=lat["p95"] <= TARGET_MS)
    table.add("worst p95 ms", worst, target=f"<= {TARGET_MS:.0f}", ok=worst <= TARGET_MS)
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--comments", type=int, default=None, help="default: cases / 20")
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--only", help="only the query kinds whose name contains this")
    args = p.parse_args(argv)
    db, _ = ensure_dataset(args.db, args.cases, reuse=True)
    add_comments(db, args.comments if args.comments is not None else args.cases // 20)
    vendor, flags_team = _vendor(db)
    users: dict[str, Any] = {"manager": _user(db, "manager"),
                             "specialist": _user(db, "specialist"), "vendor agent": vendor}
    try:
        run(db, users, args.runs, args.seed, args.only).print()
    finally:
        with db.session() as session:
            queue = session.scalar(select(Queue).where(Queue.slug == "flags"))
            if queue is not None:
                queue.team_id = flags_team
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
