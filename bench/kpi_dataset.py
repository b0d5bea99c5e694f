"""The KPI benchmark's data set: bench.dataset's cases, turned into six months of history.

    .venv/bin/python -m bench.kpi_dataset --cases 1000000 --events 10000000

On top of ``bench.dataset.Builder`` (N cases, their reviews and subjects, loaded with the
secondary indexes dropped), in the same load and still in plain SQL over generate_series:

* 3 vendors with a team each and one in-house team, 330 people (100 per vendor team, 30
  in-house) with weekly shifts;
* every case created at a moment spread over the last 180 days (its SLA clock with it);
  those older than two days are, nine in ten, decided (0–72 h later, first response 0–12 h)
  and closed an hour after, by a person of one of the teams;
* the KPI facts of each (a resolution, SLA met or not from the due instants, and a closure;
  one closure in 25 reopened within 30 days), and a work interval from the claim to the
  decision;
* a decision per decided case, a restriction (removal of its review) on one in three, an
  appeal outcome on one decision in 50 (one in three of them overturned);
* ``--events`` timeline events (10 M by default) spread over the cases, as the hash chain's
  table holds them (the KPIs never read them: they are there to prove it).

PostgreSQL only: the target is stated on it, and SQLite's recursive-CTE generator would take
an hour for 10 M events.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import database_exists, fresh_database, log, open_database
from bench.dataset import Builder
from integrity_desk.migrate import migrate

DAYS = 180
EXTRA_TABLES = ("audit_events", "case_outcomes", "work_intervals", "decisions",
                "decision_actions")


def dataset_name(cases: int, events: int) -> str:
    return f"kpis_{cases}_{events}"


class KpiBuilder(Builder):
    def __init__(self, db: Any, n: int, events: int) -> None:
        super().__init__(db, n)
        self.events = events

    def _secondary_indexes(self, conn: Any) -> list[tuple[str, str]]:
        """The base tables' secondary indexes and those of the tables added here."""
        own = super()._secondary_indexes(conn)
        cur = conn.cursor()
        names = ", ".join(f"'{t}'" for t in EXTRA_TABLES)
        cur.execute(f"""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename IN ({names})
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conindid = (quote_ident(i.indexname))::regclass)""")
        extra = list(cur.fetchall())
        cur.close()
        return own + extra

    def _load(self, conn: Any, base: dict[str, int], now: int) -> None:
        if not self.d.pg:
            raise SystemExit("bench.kpi_dataset runs on PostgreSQL only")
        super()._load(conn, base, now)
        n, c0 = self.n, base["cases"]
        span = DAYS * 86400
        self._step(conn, "vendors, teams and 330 people", """
            INSERT INTO vendors (name, languages, time_zone, coverage, active, created_at)
            SELECT 'Bench vendor ' || g, '[]', 'UTC', '{}', true, now()
            FROM generate_series(1, 3) g""", """
            INSERT INTO teams (name, kind, vendor_id, created_at)
            SELECT 'Bench squad ' || v.id, 'vendor', v.id, now() FROM vendors v
            WHERE v.name LIKE 'Bench vendor %'""", """
            INSERT INTO teams (name, kind, vendor_id, created_at)
            VALUES ('Bench in-house', 'internal', NULL, now())""", """
            INSERT INTO users (email, name, role, team_id, languages, skills, max_tier, active,
                               blur_harm, kinds, capacity, time_zone, shift_pattern,
                               availability, created_at)
            SELECT 'bench-person' || g || '@desk.example.com', 'Bench person ' || g,
                   'specialist', t.id, '[]', '[]', 3, true, true, '[]', 10, 'UTC',
                   '{"mon": [["08:00", "16:00"]], "tue": [["08:00", "16:00"]],
                     "wed": [["08:00", "16:00"]], "thu": [["08:00", "16:00"]],
                     "fri": [["08:00", "16:00"]]}', 'available', now()
            FROM generate_series(0, 329) g
            JOIN LATERAL (SELECT id FROM teams WHERE name LIKE 'Bench %'
                          ORDER BY id OFFSET CASE WHEN g < 300 THEN g / 100 ELSE 3 END
                          LIMIT 1) t ON true""")
        person = ("(SELECT min(id) FROM users WHERE email LIKE 'bench-person%') "
                  "+ (c.id::bigint * 7919) % 330")
        self._step(conn, f"spread {n:,} cases over {DAYS} days, decide and close most", f"""
            UPDATE cases c SET
                created_at = to_timestamp({now} - (c.id::bigint * 104729) % {span}),
                triaged_at = to_timestamp({now} - (c.id::bigint * 104729) % {span}),
                updated_at = to_timestamp({now} - (c.id::bigint * 104729) % {span}),
                first_response_due_at = to_timestamp({now} - (c.id::bigint * 104729) % {span}
                                                     + 8 * 3600),
                resolution_due_at = to_timestamp({now} - (c.id::bigint * 104729) % {span}
                                                 + 48 * 3600)
            WHERE c.id > {c0}""", f"""
            UPDATE cases c SET
                status = 'closed', is_open = false, assignee_id = {person},
                first_responded_at = c.created_at + ((c.id::bigint * 17) % 43200) * interval '1 s',
                decided_at = c.created_at + ((c.id::bigint * 31) % 259200) * interval '1 s',
                closed_at = c.created_at + ((c.id::bigint * 31) % 259200 + 3600) * interval '1 s'
            WHERE c.id > {c0} AND c.id % 10 <> 0
              AND c.created_at < to_timestamp({now} - 4 * 86400)""", f"""
            UPDATE cases c SET status = 'assigned', assignee_id = {person}
            WHERE c.id > {c0} AND c.is_open AND c.id % 3 = 0""")
        who = ("c.assignee_id, u.team_id, t.vendor_id FROM cases c "
               "JOIN users u ON u.id = c.assignee_id JOIN teams t ON t.id = u.team_id")
        self._step(conn, "KPI facts: resolutions and closures", f"""
            INSERT INTO case_outcomes (case_id, event, at, queue_id, kind, priority,
                first_response_met, resolution_met, changed_at, person_id, team_id, vendor_id)
            SELECT c.id, 'resolved', c.decided_at, c.queue_id, c.kind, c.priority,
                   c.first_responded_at <= c.first_response_due_at,
                   c.decided_at <= c.resolution_due_at, c.decided_at, {who}
            WHERE c.id > {c0} AND c.decided_at IS NOT NULL""", f"""
            INSERT INTO case_outcomes (case_id, event, at, queue_id, kind, priority,
                reopened_at, reopen_window_ends_at, changed_at, person_id, team_id, vendor_id)
            SELECT c.id, 'closed', c.closed_at, c.queue_id, c.kind, c.priority,
                   CASE WHEN c.id % 25 = 1 THEN c.closed_at + interval '3 days' END,
                   c.closed_at + interval '30 days', c.closed_at, {who}
            WHERE c.id > {c0} AND c.closed_at IS NOT NULL""")
        self._step(conn, "work intervals", f"""
            INSERT INTO work_intervals (case_id, user_id, team_id, vendor_id, started_at,
                                        ended_at, start_reason, end_reason)
            SELECT c.id, {who.split(' FROM ')[0]},
                   c.created_at + ((c.id::bigint * 13) % 3600) * interval '1 s',
                   c.decided_at, 'claimed', CASE WHEN c.decided_at IS NULL THEN NULL
                                                 ELSE 'decided' END
            FROM cases c JOIN users u ON u.id = c.assignee_id JOIN teams t ON t.id = u.team_id
            WHERE c.id > {c0} AND c.assignee_id IS NOT NULL""")
        self._step(conn, "decisions, restrictions and appeal outcomes", f"""
            INSERT INTO decisions (case_id, kind, outcome, guideline_id, explanation, facts,
                automated_detection, automated_decision, territorial_scope, source_type,
                manifest, status, decided_by_id, decided_at)
            SELECT c.id, 'decision', CASE WHEN c.id % 3 = 0 THEN 'action' ELSE 'no_action' END,
                   (SELECT min(id) FROM guidelines) + c.id % 5, 'Bench.', 'Bench.', false,
                   'not_automated', '["DE"]', 'notice', false, 'applied', c.assignee_id,
                   c.decided_at
            FROM cases c WHERE c.id > {c0} AND c.decided_at IS NOT NULL""", """
            INSERT INTO decision_actions (decision_id, action, subject_type, subject_id,
                                          before, after, applied_at)
            SELECT d.id, 'remove_review', 'review', s.subject_id, '{}', '{}', d.decided_at
            FROM decisions d JOIN case_subjects s ON s.case_id = d.case_id
            WHERE d.outcome = 'action'""", """
            INSERT INTO decisions (case_id, kind, outcome, guideline_id, explanation, facts,
                automated_detection, automated_decision, territorial_scope, source_type,
                manifest, status, decided_by_id, decided_at, appeal_of_id)
            SELECT d.case_id, 'appeal_outcome',
                   CASE WHEN d.id % 3 = 0 THEN 'overturned' ELSE 'upheld' END, d.guideline_id,
                   'Bench.', 'Bench.', false, 'not_automated', '["DE"]', 'notice', false,
                   'applied', NULL, d.decided_at + interval '5 days', d.id
            FROM decisions d WHERE d.kind = 'decision' AND d.id::bigint % 50 = 7""")
        self._step(conn, f"timeline events ({self.events:,})", f"""
            INSERT INTO audit_events (chain_key, seq, case_id, actor_id, actor_label, kind,
                                      category, occurred_at, payload, prev_hash, hash)
            SELECT 'case:' || ({c0} + 1 + g % {n}), g / {n} + 1, {c0} + 1 + g % {n}, NULL,
                   'bench', CASE g % 4 WHEN 0 THEN 'case.created' WHEN 1 THEN 'case.claimed'
                                WHEN 2 THEN 'case.status_changed' ELSE 'case.commented' END,
                   'state', to_timestamp({now} - (g * 104729) % {span}), '{{}}',
                   md5(g::text) || md5((g + 1)::text), md5((g + 2)::text) || md5(g::text)
            FROM generate_series(0::bigint, {self.events - 1}::bigint) g""")
        self._step(conn, "sequences and statistics of the added tables", *[
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {t}))" for t in EXTRA_TABLES])


def ensure(cases: int, events: int, *, reuse: bool) -> Any:
    name = dataset_name(cases, events)
    if reuse and database_exists("postgresql", name):
        log(f"reusing bench_{name}")
        db = open_database("postgresql", name)
        migrate(db)  # an older data set gets this version's tables and indexes
        return db
    log(f"building bench_{name}: {cases:,} cases, {events:,} timeline events")
    started = time.perf_counter()
    db = fresh_database("postgresql", name)
    KpiBuilder(db, cases, events).build()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        from sqlalchemy import text

        for table in EXTRA_TABLES:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    log(f"built in {time.perf_counter() - started:.0f} s")
    return db


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--reuse", action="store_true")
    args = p.parse_args(argv)
    ensure(args.cases, args.events, reuse=args.reuse)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
