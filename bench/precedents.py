"""Precedents at scale on PostgreSQL: p50/p95 of finding a case's precedents (issue 24).

    .venv/bin/python -m bench.precedents --cases 1000000 [--asks 50] [--reuse]

Builds ``bench_precedents_<N>``: N decided cases, each a pair of tweets from the toxicity
texts (/work/shared/data/toxicity/, title one, description another, so that no two cases say
the same), with the first tweet's label as outcome, one of six categories, a business
(N/100 of them), a reviewer (N/5), its review, a signal on one case in 20 and an overturn on
one in 25; their precedent rows and keys as the hook writes them. Built in SQL: the tweets'
terms (precedents.domain.terms) are copied in once, then one INSERT … SELECT over
generate_series per table, the keys' primary key built after the load. Foreign keys are not
checked while loading (session_replication_role=replica): no decisions rows are written.

Then ``--asks`` open cases (other tweet pairs, a business and a reviewer subject each) ask for
their five precedents through precedents.service.find, as the API does, once to warm the
cache and then measured: wall time, this process's CPU and the PostgreSQL backend's CPU, for
a manager and for a specialist (legal cases filtered). Target: p95 ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import time
from pathlib import Path

from sqlalchemy import select, text

from bench.common import database_exists, fresh_database, load_average, log, open_database
from bench.precedents_accuracy import load_toxicity
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.people.models import User
from integrity_desk.precedents import domain, service

TARGET_MS = 200.0
CATEGORIES = "ARRAY['fake','harassment','hate','spam','conflict','privacy']"
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _cases_sql(first: str, last: str, status: str, is_open: str, m: int) -> str:
    return f"""
        INSERT INTO cases (id, kind, channel, title, description, status, is_open, tier,
            priority, priority_score, priority_reasons, legal_restricted, requester_type,
            details, tag_list, linked_request_count, created_at, updated_at,
            sla_paused_minutes, category, decided_at)
        SELECT g, 'flag', 'api', a.title, b.title, '{status}', {is_open}, 1, 3, 0, '[]',
            g % 50 = 0, 'user', '{{}}', '[]', 0,
            timestamptz '2025-01-01' + g * interval '20 seconds',
            timestamptz '2025-01-01' + g * interval '20 seconds', 0,
            ({CATEGORIES})[1 + g % 6], timestamptz '2025-01-01' + g * interval '20 seconds'
        FROM generate_series({first}::int, {last}::int) g
        JOIN bench_tweets a ON a.i = g % {m} JOIN bench_tweets b ON b.i = (g::bigint * 7919) % {m}
    """


def build(db: Database, n: int) -> None:
    tweets = load_toxicity()
    m = len(tweets)
    buf = io.StringIO()
    for i, (tweet, outcome) in enumerate(tweets):
        clean = tweet.replace("\\", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
        buf.write(f"{i}\t{clean[:300]}\t{outcome}\t{' '.join(domain.terms(tweet))}\n")
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for sql in ("SET synchronous_commit = off", "SET session_replication_role = replica",
                    "SET maintenance_work_mem = '512MB'", "SET work_mem = '256MB'",
                    "CREATE UNLOGGED TABLE bench_tweets (i int PRIMARY KEY, title text, "
                    "outcome text, terms text)"):
            cur.execute(sql)
        with cur.copy("COPY bench_tweets FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute("CREATE UNLOGGED TABLE bench_tweet_terms AS SELECT i, "
                    "unnest(string_to_array(terms, ' ')) AS term FROM bench_tweets "
                    "WHERE terms <> ''")
        cur.execute("CREATE INDEX ON bench_tweet_terms (i)")
        cur.execute("ANALYZE bench_tweets; ANALYZE bench_tweet_terms")
        t0 = time.perf_counter()
        cur.execute(_cases_sql("1", str(n), "closed", "false", m))
        log(f"  cases: {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        cur.execute(f"""
            INSERT INTO precedents (case_id, decision_id, outcome, guideline_code, category,
                kind, decided_at, appeal, terms)
            SELECT c.id, c.id, a.outcome, CASE WHEN a.outcome = 'action' THEN c.category END,
                c.category, 'flag', c.decided_at,
                CASE WHEN c.id % 25 = 0 THEN 'overturned' ELSE 'none' END,
                trim(a.terms || ' ' || b.terms)
            FROM cases c JOIN bench_tweets a ON a.i = c.id % {m}
            JOIN bench_tweets b ON b.i = (c.id::bigint * 7919) % {m}""")
        log(f"  precedents: {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        cur.execute("ALTER TABLE precedent_keys DROP CONSTRAINT pk_precedent_keys")
        cur.execute("DROP INDEX ix_precedent_keys_case")
        cur.execute(f"""
            INSERT INTO precedent_keys (key, case_id)
            SELECT 't:' || x.term, g FROM generate_series(1, {n}) g CROSS JOIN LATERAL (
                SELECT DISTINCT term FROM bench_tweet_terms
                WHERE i IN (g % {m}, (g::bigint * 7919) % {m})) x""")
        cur.execute(f"""
            INSERT INTO precedent_keys (key, case_id)
            SELECT k, g FROM generate_series(1, {n}) g, LATERAL (VALUES
                ('b:' || (g % ({n} / 100 + 1))), ('r:' || ((g::bigint * 31) % ({n} / 5 + 1))),
                ('v:' || g), ('c:' || ({CATEGORIES})[1 + g % 6]),
                (CASE WHEN g % 20 = 0 THEN 's:' || (ARRAY['burst','duplicates','ring'])[1 + g % 3]
                 END)) v(k) WHERE k IS NOT NULL""")
        log(f"  keys loaded: {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        cur.execute("ALTER TABLE precedent_keys ADD CONSTRAINT pk_precedent_keys "
                    "PRIMARY KEY (key, case_id)")
        cur.execute("CREATE INDEX ix_precedent_keys_case ON precedent_keys (case_id)")
        log(f"  keys indexed: {time.perf_counter() - t0:.0f} s")
        # The open cases that ask: other tweet pairs, a business and a reviewer each.
        cur.execute(_cases_sql(str(n + 1), str(n + 200), "new", "true", m).replace(
            "g % 50 = 0", "false").replace(f"a.i = g % {m}", f"a.i = (g::bigint * 104729) % {m}"))
        cur.execute(f"""
            INSERT INTO case_subjects (case_id, subject_type, subject_id, role)
            SELECT g, t, CASE WHEN t = 'business' THEN g % ({n} / 100 + 1)
                              ELSE (g::bigint * 31) % ({n} / 5 + 1) END, 'primary'
            FROM generate_series({n + 1}, {n + 200}) g, unnest(ARRAY['business','reviewer']) t""")
        cur.execute(f"SELECT setval('cases_id_seq', {n + 200})")
        raw.commit()
    finally:
        raw.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        t0 = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE cases"))
        conn.execute(text("VACUUM ANALYZE precedents"))
        conn.execute(text("VACUUM ANALYZE precedent_keys"))
        log(f"  vacuum analyze: {time.perf_counter() - t0:.0f} s")


def measure(db: Database, n: int, asks: int, user: User) -> dict[str, float]:
    walls, cpus, pg = [], [], []
    with db.session() as s:
        backend = s.scalar(text("SELECT pg_backend_pid()"))
        cases = list(s.scalars(select(Case).where(Case.id > n).order_by(Case.id).limit(asks)))
        for c in cases:  # warm: the first ask of a key reads it from disk
            service.find(s, user, c)
        found = 0
        for c in cases:
            p0, c0, w0 = _cpu(backend), time.process_time(), time.perf_counter()
            found += len(service.find(s, user, c))
            walls.append((time.perf_counter() - w0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
            pg.append((_cpu(backend) - p0) * 1000)
    q = statistics.quantiles(walls, n=20)
    return {"p50": statistics.median(walls), "p95": q[18], "max": max(walls),
            "cpu_py": statistics.mean(cpus), "cpu_pg": statistics.mean(pg),
            "found": found / max(1, len(cases))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--asks", type=int, default=50)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    name = f"precedents_{args.cases}"
    if args.reuse and database_exists("postgresql", name):
        db = open_database("postgresql", name)
    else:
        log(f"building bench_{name}: {args.cases:,} decided cases")
        t0 = time.perf_counter()
        db = fresh_database("postgresql", name)
        build(db, args.cases)
        log(f"built in {time.perf_counter() - t0:.0f} s")
    with db.engine.connect() as conn:
        keys = conn.scalar(text("SELECT count(*) FROM precedent_keys"))
        size = conn.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('precedent_keys')"
                                " + pg_total_relation_size('precedents'))"))
    print(f"{platform.node()} {os.cpu_count()} CPUs; load {load_average()}; "
          f"{args.cases:,} precedents, {keys:,} keys, {size}")
    for role in ("manager", "specialist"):
        r = measure(db, args.cases, args.asks, User(role=role))
        verdict = "ok" if r["p95"] <= TARGET_MS else "OVER TARGET"
        print(f"{role:10} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms"
              f"  CPU: python {r['cpu_py']:5.1f} ms, postgres {r['cpu_pg']:5.1f} ms a find"
              f"  ({r['found']:.1f} found)  {verdict}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
