"""Export benchmark: ``idesk dsa export`` at 10,000, 100,000 and 1,000,000 statements.

    .venv/bin/python -m bench.dsa_export --db postgresql            # build 1M, then export
    .venv/bin/python -m bench.dsa_export --db sqlite --reuse        # export an existing set

The data set is built in SQL, one ``INSERT … SELECT`` over a row generator (no Python per
row): realistic statements (three variants built by ``build_statement``, ~1.1 kB of JSON each)
on three consecutive days holding 10,000, 90,000 and 900,000 statements, so that the windows
day 1, days 1–2 and days 1–3 export 10k, 100k and 1M. Each export is a real ``idesk dsa
export`` process writing to /dev/null (the desk's throughput, not the disk's); its peak RSS
comes from wait4(), its rate from its wall time. An empty window measures the fixed cost
(interpreter and imports), reported apart so the streaming rate is visible too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import func, select, text

from bench.common import (
    IDESK,
    ROOT,
    Table,
    _machine_busy,
    database_exists,
    database_url,
    fresh_database,
    load_average,
    log,
    open_database,
)
from bench.dataset import Dialect
from integrity_desk.db import Database
from integrity_desk.dsa import schema as s
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.dsa.statement import StatementFacts, build_statement

NAME = "dsa_export"
DAY1 = date(2026, 11, 1)
SIZES = (10_000, 100_000, 1_000_000)
TARGET_RATE = 20_000


def _templates() -> list[str]:
    """Three realistic statements as JSON text with a puid placeholder."""
    common = dict(content_date=date(2026, 10, 1), application_date=date(2026, 11, 1),
                  content_language="en", people=["Jane Doe"])
    variants = [
        StatementFacts(
            decision_ground=s.GROUND_INCOMPATIBLE, category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
            ground="Guidelines for Reviewers, section 4 'Fake reviews', version 7",
            explanation="The review is not based on a genuine buying or service experience: "
                        "it belongs to a cluster of reviews written from one device for one "
                        "business within hours.", incompatible_content_illegal=False,
            keywords=["KEYWORD_INAUTHENTIC_USER_REVIEWS"],
            visibility=["DECISION_VISIBILITY_CONTENT_REMOVED"],
            facts="Detected by the fake-review model (score 0.97) and confirmed by a cluster "
                  "of 37 reviews sharing a device fingerprint and payment pattern. " * 2,
            source_type=s.SOURCE_VOLUNTARY, automated_detection=True,
            automated_decision=s.AUTOMATED_FULLY, puid="__PUID__", **common),
        StatementFacts(
            decision_ground=s.GROUND_INCOMPATIBLE,
            category="STATEMENT_CATEGORY_CONSUMER_INFORMATION",
            ground="Guidelines for Reviewers, section 6 'Incentivised reviews', version 7",
            explanation="The reviewer was offered a voucher in exchange for a positive review.",
            keywords=["KEYWORD_HIDDEN_ADVERTISEMENT"],
            visibility=["DECISION_VISIBILITY_CONTENT_REMOVED"],
            account="DECISION_ACCOUNT_SUSPENDED", account_end=date(2026, 12, 1),
            account_type="ACCOUNT_TYPE_PRIVATE",
            facts="A business reported the review under our terms; the reviewer confirmed "
                  "receiving a voucher worth EUR 20 for a five-star review.",
            source_type=s.SOURCE_OTHER_NOTIFICATION, automated_detection=False,
            automated_decision=s.AUTOMATED_NOT, puid="__PUID__", **common),
        StatementFacts(
            decision_ground=s.GROUND_ILLEGAL,
            category="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
            ground="§ 186 StGB (üble Nachrede)", territorial_scope="DE",
            explanation="The review asserts as fact, without evidence, that the owner "
                        "committed a crime.", keywords=["KEYWORD_DEFAMATION"],
            visibility=["DECISION_VISIBILITY_CONTENT_DISABLED"],
            facts="A notice under Article 16 DSA from a law firm acting for the business; "
                  "reviewed by a specialist against the notice and the review.",
            source_type=s.SOURCE_ARTICLE_16, source_identity="Law firm (legal representative)",
            automated_detection=False, automated_decision=s.AUTOMATED_NOT, puid="__PUID__",
            **common),
    ]
    return [json.dumps(build_statement(f), separators=(",", ":"), ensure_ascii=False)
            for f in variants]


def _case(db: Database) -> int:
    """The investigation the statements belong to, opened through the intake service."""
    from pydantic import TypeAdapter

    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.db import utcnow
    from integrity_desk.intake.schemas import CaseIn
    from integrity_desk.intake.service import Intake

    body = {"kind": "flag", "review": {"ref": "bench-r1", "text": "Best ever!!!", "rating": 5,
                                       "language": "en", "business_domain": "shop.example.com",
                                       "reviewer_ref": "bench-u1"},
            "reporter_type": "business", "reporter": {"name": "Shop Owner",
                                                      "email": "owner@shop.example.com"},
            "category": "fake", "reason": "A review ring."}
    with db.session() as session:
        return Intake(session, now=utcnow(), actor=SYSTEM).submit(
            TypeAdapter(CaseIn).validate_python(body)).case.id


def build(db: Database, total: int) -> float:
    """``total`` statements over three days (10k, 90k, the rest); returns seconds taken."""
    d = Dialect(db.dialect)
    case_id = _case(db)
    templates = [t.replace("'", "''") for t in _templates()]
    day = "(CASE WHEN g <= 10000 THEN 0 WHEN g <= 100000 THEN 1 ELSE 2 END)"
    first = "(CASE WHEN g <= 10000 THEN 1 WHEN g <= 100000 THEN 10001 ELSE 100001 END)"
    count = (f"(CASE WHEN g <= 10000 THEN 10000 WHEN g <= 100000 THEN 90000 "
             f"ELSE {total - 100000} END)")
    epoch = int((DAY1 - date(1970, 1, 1)).total_seconds())
    seconds = f"({epoch} + {day} * 86400 + ((g - {first}) * 86399) / {count})"
    puid = ("'bench-' || lpad(CAST(g AS text), 8, '0')" if d.pg
            else "'bench-' || substr('00000000' || g, -8, 8)")
    pick = " ".join(f"WHEN {i} THEN '{t}'" for i, t in enumerate(templates))
    body = f"replace(CASE g % 3 {pick} END, '__PUID__', {puid})"
    statement = f"CAST({body} AS jsonb)" if d.pg else body
    sql = (f"INSERT INTO dsa_statements (puid, case_id, decision_id, subject_ref, version, "
           f"statement, status, created_at) {d.with_()} {d.series(total)} "
           f"SELECT {puid}, {case_id}, g, 'review:r' || g, 1, {statement}, 'submitted', "
           f"{d.ts(seconds)} FROM s")
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        if d.pg:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text(sql))
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE dsa_statements" if d.pg else "ANALYZE"))
    return time.perf_counter() - t0


def export(url: str, days: int, fmt: str) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB, machine busy cores) of one ``idesk dsa
    export`` process. Its CPU time is what the export costs whatever else the machine runs;
    the database server's share (PostgreSQL) is not in it."""
    env = {**os.environ, "IDESK_DATABASE_URL": url}
    start, end = DAY1, DAY1 + timedelta(days=max(days, 1) - 1)
    if days == 0:  # an empty window: the fixed cost of the command
        start = end = DAY1 - timedelta(days=30)
    with tempfile.TemporaryFile() as errors:
        busy0, _ = _machine_busy()
        t0 = time.perf_counter()
        process = subprocess.Popen(
            [str(IDESK), "dsa", "export", "--from", start.isoformat(), "--to", end.isoformat(),
             "--format", fmt, "--out", os.devnull], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - t0
        busy1, _ = _machine_busy()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"export failed: {errors.read().decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, (busy1 - busy0) / wall


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--reuse", action="store_true", help="export an existing data set")
    p.add_argument("--formats", default="jsonl,csv")
    p.add_argument("--total", type=int, default=SIZES[-1],
                   help="statements in all (> 100,000; the third window holds them all)")
    args = p.parse_args(argv)
    total = args.total
    if total <= SIZES[1]:
        raise SystemExit("--total must be above 100,000")
    sizes = (*SIZES[:2], total)
    log(f"DSA export benchmark on {args.db}; load average {load_average()}, "
        f"{os.cpu_count()} cores")
    if args.reuse and database_exists(args.db, NAME):
        db = open_database(args.db, NAME)
    else:
        db = fresh_database(args.db, NAME)
        log(f"building {total:,} statements in SQL …")
        log(f"  built in {build(db, total):.1f} s")
    with db.session() as session:
        have = session.scalar(select(func.count()).select_from(DsaStatement))
    if have != total:
        raise SystemExit(f"the data set holds {have} statements, not {total}; drop --reuse")
    db.dispose()
    url = database_url(args.db, NAME)
    table = Table(f"idesk dsa export on {args.db} (load average {load_average()})")
    for fmt in args.formats.split(","):
        fixed, fixed_cpu, fixed_rss, _ = export(url, 0, fmt)
        table.add(f"{fmt}: empty window (start-up)",
                  f"{fixed:.2f} s ({fixed_cpu:.2f} s CPU), {fixed_rss:.0f} MB RSS")
        for days, n in zip((1, 2, 3), sizes, strict=True):
            wall, cpu, rss, busy = export(url, days, fmt)
            rate = n / wall
            stream = n / max(wall - fixed, 1e-9)
            per_cpu = n / max(cpu - fixed_cpu, 1e-9)
            table.add(f"{fmt}: {n:>9,} statements", f"{rate:,.0f} /s overall, "
                      f"{stream:,.0f} /s after start-up, {per_cpu:,.0f} /s per CPU-second, "
                      f"{wall:.1f} s, peak RSS {rss:.0f} MB, machine {busy:.2f} cores busy",
                      target=f"≥ {TARGET_RATE:,}/s", ok=rate >= TARGET_RATE)
    table.print()
    log(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
