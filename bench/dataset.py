"""Build a large data set of open, triaged cases fast, straight in SQL.

    .venv/bin/python -m bench.dataset --db postgresql --cases 1000000

How: one ``INSERT … SELECT`` per table over a row generator (``generate_series`` on
PostgreSQL, a recursive CTE on SQLite) — no Python per row. Every value is derived from the
row number with multiplicative hashes, so the same N always gives the same data:

* businesses (N/100, at least 1,000), reviewer accounts (N/5), and N reviews (one per case);
* N cases, every NOT NULL column set explicitly: titles and descriptions made of words drawn
  from small vocabularies (a kind of business, an issue, an adjective, a city), so full-text
  search meets common words (one case in 40) and rare pairs (one in 2,000); requester
  organisations on notices and escalations; kind (72 % flags, then trusted-flagger
  notices, CSM/executive escalations, appeals, investigations, legal notices), priority
  P0–P4 (2/10/38/35/15 %), tier, queue and legal restriction as routing would set them
  (flags → "flags", a P0 flag and other kinds → "specialists", legal notices → "legal"),
  eight languages, guideline categories, requester types, dedupe keys, the SLA policy of
  (kind, priority) and its clock: resolution due spread over now ± 3 days, at-risk, first
  response due and at-risk instants computed from the policy's targets;
* one primary review subject per case.

Secondary indexes of those tables are dropped first and rebuilt after the load (PostgreSQL
and SQLite both build an index from sorted data much faster than they maintain it row by
row); PostgreSQL loads with ``synchronous_commit=off`` and, unless ``--keep-fk-checks``,
``session_replication_role=replica`` (foreign keys are consistent by construction). Then
VACUUM ANALYZE (PostgreSQL) or ANALYZE (SQLite). No audit history is written for these cases.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import text

from bench.common import database_exists, fresh_database, log, open_database
from integrity_desk.db import Database
from integrity_desk.migrate import migrate
from integrity_desk.search.text import SQL_FUNCTION, search_text

TABLES = ("businesses", "reviewers", "reviews", "cases", "case_subjects")
LANGUAGES = ["en"] * 9 + ["de"] * 3 + ["fr"] * 2 + ["es", "es", "it", "nl", "da", "sv"]
CATEGORIES = ["fake", "fake", "fake", "conflict_of_interest", "incentivised", "review_pressure",
              "harmful_illegal", "personal_information", "advertising_spam",
              "offensive_language", "not_experience", "duplicate", "other"]


def _words(text: str) -> list[str]:
    return text.split()


# Words of case titles and descriptions (for search); spread by hashes like every other value.
BUSINESS_TYPES = _words(
    "hotel restaurant dentist plumber garage bakery florist pharmacy gym salon cafe bookshop "
    "butcher optician vet taxi airline bank insurer broker lawyer clinic hostel camping cinema "
    "museum brewery winery jeweller tailor cleaner locksmith electrician painter roofer "
    "gardener mover courier school nursery")
ISSUES = _words(
    "refund delivery rudeness invoice scam warranty parking booking cancellation overcharge "
    "hygiene noise delay damage fraud discount voucher loyalty subscription billing contract "
    "deposit harassment threat competitor incentive bribe spam advert duplicate copied "
    "translation profanity insult leak address photo ranking bot network ring campaign "
    "payment coupon giveaway survey extortion blackmail impersonation")
ADJECTIVES = _words(
    "suspicious coordinated sudden repeated identical anonymous angry glowing vague detailed "
    "copied hostile polite urgent late-night overseas")
CITIES = _words("Berlin Hamburg Munich Paris Lyon Madrid Rome Milan Amsterdam Copenhagen Aarhus "
          "Stockholm London Leeds Vienna Zurich")
ORGANISATIONS = ["Counsel & Co", "Berger Legal", "Nordic Law Partners", "Consumer Watch Europe",
                 "Review Integrity Alliance", "Acme Retail Group", "Hansen Advokater",
                 "Dupont Avocats", "Bundesamt Verbraucherschutz", "Meyer & Schultz"]


def word(expr: str, words: list[str]) -> str:
    """The word ``expr % len(words)`` of a list, as SQL both databases run: a substring of one
    padded literal (a CASE of many branches would cost more than the whole row)."""
    width = max(len(w) for w in words) + 1
    padded = "".join(w.replace("'", "''").ljust(width) for w in words)
    return (f"rtrim(substr('{padded}', CAST(1 + (({expr}) % {len(words)}) * {width} AS INTEGER),"
            f" {width}))")


def dataset_name(cases: int) -> str:
    return f"dataset_{cases}"


@dataclass
class Dialect:
    name: str

    @property
    def pg(self) -> bool:
        return self.name == "postgresql"

    def series(self, n: int) -> str:
        """A CTE ``s(g)`` of 1..n (64-bit on both)."""
        if self.pg:
            return f"s(g) AS (SELECT generate_series(1::bigint, {n}::bigint))"
        return f"s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n})"

    def with_(self) -> str:
        return "WITH" if self.pg else "WITH RECURSIVE"

    def ts(self, seconds: str) -> str:
        if self.pg:
            return f"to_timestamp({seconds})"
        # SQLAlchemy's SQLite DATETIME text format, which string comparisons rely on.
        return (f"(strftime('%Y-%m-%d %H:%M:%S', CAST({seconds} AS INTEGER), 'unixepoch')"
                " || '.000000')")

    def json(self, literal: str) -> str:
        return f"'{literal}'::jsonb" if self.pg else f"'{literal}'"

    def bool(self, value: bool | str) -> str:
        if isinstance(value, str):
            return value  # a SQL condition: true/false in PostgreSQL, 1/0 in SQLite
        return ("true" if value else "false") if self.pg else ("1" if value else "0")

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"


def _pick(expr: str, values: list[str]) -> str:
    """CASE (expr % len) WHEN 0 THEN values[0] …, for spreading values by a hash."""
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"(CASE ({expr}) % {len(values)} {whens} END)"


def _kind(expr: str) -> str:
    return (f"(CASE WHEN {expr} < 72 THEN 'flag' WHEN {expr} < 80 THEN 'trusted_flagger_notice'"
            f" WHEN {expr} < 86 THEN 'csm_escalation' WHEN {expr} < 88 THEN"
            f" 'executive_escalation' WHEN {expr} < 93 THEN 'appeal' WHEN {expr} < 96 THEN"
            " 'investigation' ELSE 'legal_notice' END)")


def _priority(expr: str) -> str:
    return (f"(CASE WHEN {expr} < 2 THEN 0 WHEN {expr} < 12 THEN 1 WHEN {expr} < 50 THEN 2"
            f" WHEN {expr} < 85 THEN 3 ELSE 4 END)")


class Builder:
    def __init__(self, db: Database, n: int, *, fk_checks: bool = False) -> None:
        self.db, self.n, self.fk_checks = db, n, fk_checks
        self.d = Dialect(db.dialect)
        self.timings: list[tuple[str, float]] = []
        self.businesses = max(1000, n // 100)
        self.reviewers = max(1000, n // 5)
        self.now = int(time.time())

    # -- plumbing -----------------------------------------------------------------------------
    def _raw(self) -> Any:
        if self.d.pg:
            url = self.db.engine.url.set(drivername="postgresql")
            return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        path = self.db.engine.url.database
        conn = sqlite3.connect(path, isolation_level=None)
        # The full-text index's triggers call it, as on every connection of the desk.
        conn.create_function(SQL_FUNCTION, 1, search_text, deterministic=True)
        for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-1000000",
                       "temp_store=MEMORY", "foreign_keys=OFF"):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def _step(self, conn: Any, label: str, *statements: str) -> None:
        t0 = time.perf_counter()
        cur = conn.cursor()
        for sql in statements:
            cur.execute(sql)
        cur.close()
        elapsed = time.perf_counter() - t0
        self.timings.append((label, elapsed))
        log(f"  {label}: {elapsed:.1f} s")

    def _secondary_indexes(self, conn: Any) -> list[tuple[str, str]]:
        """(name, CREATE statement) of indexes that back no constraint, on the loaded tables."""
        cur = conn.cursor()
        names = ", ".join(f"'{t}'" for t in TABLES)
        if self.d.pg:
            cur.execute(f"""
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = 'public' AND i.tablename IN ({names})
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                  WHERE c.conindid = (quote_ident(i.indexname))::regclass)""")
        else:
            cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        f"AND tbl_name IN ({names}) AND sql IS NOT NULL")
        rows = [(name, sql) for name, sql in cur.fetchall()]
        cur.close()
        return rows

    def _ids(self, conn: Any) -> dict[str, int]:
        cur = conn.cursor()
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            out[table] = int(cur.fetchone()[0])
        cur.execute("SELECT slug, id FROM queues")
        out.update({f"queue:{slug}": qid for slug, qid in cur.fetchall()})
        cur.close()
        return out

    # -- the build ----------------------------------------------------------------------------
    def build(self) -> None:
        conn = self._raw()
        d, now = self.d, self.now
        try:
            base = self._ids(conn)
            for slug in ("flags", "specialists", "legal"):
                if f"queue:{slug}" not in base:
                    raise SystemExit(f"default queue {slug!r} is missing: migrate first")
            indexes = self._secondary_indexes(conn)
            if d.pg:
                setup = ["SET synchronous_commit = off", "SET maintenance_work_mem = '1GB'",
                         "SET work_mem = '256MB'"]
                if not self.fk_checks:
                    setup.append("SET session_replication_role = replica")
                self._step(conn, "session settings", *setup)
            self._step(conn, f"drop {len(indexes)} secondary indexes",
                       *[f'DROP INDEX "{name}"' for name, _ in indexes])
            if not d.pg:
                conn.execute("BEGIN")
            self._load(conn, base, now)
            if not d.pg:
                conn.execute("COMMIT")
            self._step(conn, f"rebuild {len(indexes)} indexes", *[sql for _, sql in indexes])
            if d.pg:
                self._step(conn, "sequences", *[
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {t}))" for t in TABLES])
                if not self.fk_checks:
                    self._step(conn, "session settings back",
                               "SET session_replication_role = origin")
                self._step(conn, "VACUUM ANALYZE",
                           *[f"VACUUM (ANALYZE) {t}" for t in TABLES])
            else:
                self._step(conn, "ANALYZE", "ANALYZE")
        finally:
            conn.close()

    def _load(self, conn: Any, base: dict[str, int], now: int) -> None:
        d, n = self.d, self.n
        nb, nr = self.businesses, self.reviewers
        b0, v0, r0, c0, s0 = (base[t] for t in TABLES)
        self._step(conn, f"businesses ({nb:,})", f"""
            {d.with_()} {d.series(nb)}
            INSERT INTO businesses (id, domain, name, country, plan_tier, csm_owner,
                                    review_count, created_at)
            SELECT {b0} + g, 'shop' || g || '.bench.example.com', 'Shop ' || g,
                   {_pick("g", ["DE", "GB", "FR", "DK", "US", "NL", "ES", "IT"])},
                   {_pick("g * 7", ["free", "free", "free", "standard", "premium",
                                    "enterprise"])},
                   CASE WHEN g % 6 = 5 THEN 'Clara Holm' ELSE NULL END,
                   (g * 7919) % 20000, {d.ts(f"{now} - 86400 * 400 - g")}
            FROM s""")
        self._step(conn, f"reviewers ({nr:,})", f"""
            {d.with_()} {d.series(nr)}
            INSERT INTO reviewers (id, ref, display_name, country, review_count, status,
                                   joined_at)
            SELECT {v0} + g, 'bench-u' || g, 'Reviewer ' || g,
                   {_pick("g * 3", ["DE", "GB", "FR", "DK", "US", "NL", "ES", "IT"])},
                   (g * 31) % 200, 'active', {d.ts(f"{now} - 86400 * 300 - g")}
            FROM s""")
        lang = _pick("(g * 16807) % 1000003", LANGUAGES)
        self._step(conn, f"reviews ({n:,})", f"""
            {d.with_()} {d.series(n)}
            INSERT INTO reviews (id, ref, business_id, reviewer_id, title, text, rating,
                                 language, status, published_at, experienced_at)
            SELECT {r0} + g, 'bench-r' || g, {b0} + 1 + (g * 7919) % {nb},
                   {v0} + 1 + (g * 104729) % {nr}, 'Review ' || g,
                   'Absolutely the best shop ever, five stars, would buy again! Review number '
                   || g || '.', 1 + (g * 13) % 5, {lang}, 'published',
                   {d.ts(f"{now} - 86400 * 5 - (g * 7) % 2592000")}, NULL
            FROM s""")
        q = {slug: base[f"queue:{slug}"] for slug in ("flags", "specialists", "legal")}
        kind = _kind("((g * 69621) % 1000003) % 100")
        prio = _priority("((g * 48271) % 1000033) % 100")
        due = f"({now} + ((g * 40692) % 2147483647) % 518400 - 259200)"
        fields = f"""
            SELECT g, {kind} AS kind, {prio} AS priority, {lang} AS language,
                   {_pick("(g * 2311) % 1000003", CATEGORIES)} AS category, {due} AS due_s
            FROM s"""
        tier = ("CASE WHEN x.kind = 'legal_notice' THEN 3 WHEN x.kind = 'flag' AND"
                " x.priority > 0 THEN 1 ELSE 2 END")
        queue = (f"CASE WHEN x.kind = 'legal_notice' THEN {q['legal']} WHEN x.kind = 'flag' AND"
                 f" x.priority > 0 THEN {q['flags']} ELSE {q['specialists']} END")
        requester = ("CASE x.kind WHEN 'flag' THEN "
                     + _pick("g", ["consumer", "business", "automated_detector"])
                     + " WHEN 'trusted_flagger_notice' THEN 'trusted_flagger'"
                     " WHEN 'csm_escalation' THEN 'csm' WHEN 'executive_escalation' THEN"
                     " 'executive' WHEN 'appeal' THEN 'reviewer' WHEN 'investigation' THEN"
                     " 'internal' ELSE 'law_firm' END")
        created = d.least(f"{now} - g % 3600", "x.due_s - p.resolution_minutes * 60")
        fr_due = f"({created} + p.first_response_minutes * 60)"
        self._step(conn, f"cases ({n:,})", f"""
            {d.with_()} {d.series(n)}, x AS ({fields})
            INSERT INTO cases (
                id, kind, channel, title, description, status, is_open, tier, priority,
                priority_score, priority_reasons, queue_id, assignee_id, category, language,
                legal_restricted, legal_deadline, requester_type, requester_name,
                requester_organisation, requester_contact, customer_tier, revenue_at_stake,
                details, tag_list, dedupe_key, merged_into_id, linked_request_count,
                created_at, updated_at, triaged_at, decided_at, closed_at, sla_policy_id,
                first_response_due_at, first_response_at_risk_at, first_responded_at,
                resolution_due_at, resolution_at_risk_at, sla_paused_at, sla_paused_minutes,
                sla_at_risk_recorded_at, sla_breach_recorded_at,
                first_response_breach_recorded_at)
            SELECT
                {c0} + g, x.kind,
                CASE WHEN x.kind IN ('flag', 'trusted_flagger_notice') THEN 'api'
                     WHEN x.kind = 'investigation' THEN 'internal' ELSE 'email' END,
                {word("g * 7907", BUSINESS_TYPES)} || ' ' || {word("g * 6271", ISSUES)}
                    || ': ' || replace(x.category, '_', ' ') || ' on review bench-r' || g,
                'The reporter describes ' || {word("g * 3571", ADJECTIVES)} || ' '
                    || {word("g * 4409", ISSUES)} || ' at the ' || {word("g * 5113",
                    BUSINESS_TYPES)} || ' in ' || {word("g * 2957", CITIES)}
                    || '; generated by bench.dataset for case ' || g || '.',
                'triaged', {d.bool(True)}, {tier}, x.priority,
                (4 - x.priority) * 20 + g % 20, {d.json("[]")}, {queue}, NULL, x.category,
                x.language, {d.bool("x.kind = 'legal_notice'")},
                CASE WHEN x.kind = 'legal_notice' THEN {d.ts("x.due_s")} ELSE NULL END,
                {requester}, 'Requester ' || (g % 5000),
                CASE WHEN x.kind IN ('legal_notice', 'trusted_flagger_notice', 'csm_escalation')
                     THEN {word("g * 877", ORGANISATIONS)} ELSE NULL END,
                'requester' || (g % 5000) || '@mail.example.com',
                CASE WHEN x.kind IN ('csm_escalation', 'executive_escalation')
                     THEN 'enterprise' ELSE NULL END,
                CASE WHEN x.kind = 'csm_escalation' THEN 10000 * (1 + g % 50) ELSE NULL END,
                {d.json("{}")}, {d.json("[]")},
                CASE WHEN x.kind IN ('flag', 'trusted_flagger_notice')
                     THEN x.kind || ':review:' || ({r0} + g) ELSE NULL END,
                NULL, 0,
                {d.ts(created)}, {d.ts(created)}, {d.ts(created)}, NULL, NULL, p.id,
                {d.ts(fr_due)},
                {d.ts(f"{fr_due} - p.first_response_minutes * 60 * p.at_risk_fraction")},
                NULL, {d.ts("x.due_s")},
                {d.ts("x.due_s - p.resolution_minutes * 60 * p.at_risk_fraction")},
                NULL, 0.0, NULL, NULL, NULL
            FROM x JOIN sla_policies p ON p.kind = x.kind AND p.priority = x.priority""")
        self._step(conn, f"case_subjects ({n:,})", f"""
            {d.with_()} {d.series(n)}
            INSERT INTO case_subjects (id, case_id, subject_type, subject_id, role)
            SELECT {s0} + g, {c0} + g, 'review', {r0} + g, 'primary' FROM s""")


def count_cases(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM cases")) or 0)


def reset_claims(db: Database) -> int:
    """Put cases claimed by an earlier run back in their queues (the data set is all triaged),
    and drop the audit events and work intervals those claims wrote."""
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM work_intervals"))
        n = conn.execute(text(
            "UPDATE cases SET status = 'triaged', assignee_id = NULL "
            "WHERE status <> 'triaged' OR assignee_id IS NOT NULL")).rowcount
        conn.execute(text("DELETE FROM audit_events WHERE case_id IS NOT NULL"))
        conn.execute(text("DELETE FROM audit_chains WHERE chain_key LIKE 'case:%'"))
    if n and db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) cases"))
    return n


def ensure_dataset(backend: str, cases: int, *, reuse: bool, fk_checks: bool = False
                   ) -> tuple[Database, float | None]:
    """The data set of ``cases`` open cases: reused if asked and present, else built fresh.

    Returns the database and the build time in seconds (None when reused)."""
    name = dataset_name(cases)
    if reuse and database_exists(backend, name):
        db = open_database(backend, name)
        try:
            have = count_cases(db)
        except Exception:  # a half-built or foreign database: build afresh
            have = -1
        if have >= cases:
            migrate(db)  # an older data set gets this version's indexes
            reset = reset_claims(db)
            log(f"reusing {backend} data set bench_{name} ({have:,} cases; "
                f"{reset} claimed case(s) put back)")
            return db, None
        db.dispose()
    log(f"building {backend} data set bench_{name}: {cases:,} open triaged cases")
    t0 = time.perf_counter()
    db = fresh_database(backend, name)
    builder = Builder(db, cases, fk_checks=fk_checks)
    builder.build()
    elapsed = time.perf_counter() - t0
    log(f"data set built in {elapsed:.1f} s (schema + defaults included)")
    return db, elapsed


def describe(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT q.slug, c.priority, count(*) FROM cases c JOIN queues q ON q.id = c.queue_id "
            "WHERE c.status = 'triaged' GROUP BY q.slug, c.priority ORDER BY q.slug, c.priority"
        )).all()
        kinds = conn.execute(text(
            "SELECT kind, count(*) FROM cases GROUP BY kind ORDER BY 2 DESC")).all()
        spread = conn.execute(text(
            "SELECT min(resolution_due_at), max(resolution_due_at) FROM cases")).one()
    by_queue: dict[str, list[str]] = {}
    for slug, prio, count in rows:
        by_queue.setdefault(slug, []).append(f"P{prio} {count:,}")
    lines = [f"  queue {slug}: {', '.join(parts)}" for slug, parts in by_queue.items()]
    lines.append("  kinds: " + ", ".join(f"{k} {c:,}" for k, c in kinds))
    lines.append(f"  resolution due from {spread[0]} to {spread[1]}")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--reuse", action="store_true", help="keep an existing data set of N cases")
    p.add_argument("--keep-fk-checks", action="store_true",
                   help="PostgreSQL: check foreign keys row by row during the load")
    args = p.parse_args(argv)
    db, elapsed = ensure_dataset(args.db, args.cases, reuse=args.reuse,
                                 fk_checks=args.keep_fk_checks)
    for line in describe(db):
        print(line)
    if elapsed is not None:
        print(f"built {args.cases:,} cases on {args.db} in {elapsed:.1f} s")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
