"""Submission to a real local Transparency Database over HTTP, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from integrity_desk.db import Database
from integrity_desk.dsa.client import TransparencyClient, retry_after_seconds
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog
from integrity_desk.dsa.service import correct_statement
from integrity_desk.dsa.statement import build_statement
from integrity_desk.dsa.submission import Submitter
from tests.dsa.support import facts, make_case


def queue(db: Database, case_id: int, count: int, *, start: int = 0, prefix: str = "p",
          **over: Any) -> list[str]:
    """Queue valid statements straight into the table (record_statement is tested elsewhere)."""
    puids = [f"{prefix}{n:05d}" for n in range(start, start + count)]
    with db.session() as session:
        for puid in puids:
            statement = build_statement(facts(puid=puid))
            statement.update(over)
            session.add(DsaStatement(puid=puid, case_id=case_id, subject_ref=f"review:{puid}",
                                     statement=statement, status="queued"))
    return puids


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def case_id(db: Database) -> int:
    return make_case(db)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def submitter(db, tdb, tdb_url, sleeps):
    clients: list[TransparencyClient] = []

    def make(token: str | None = None, **kwargs: Any) -> Submitter:
        client = TransparencyClient(tdb_url, token or tdb.token)
        clients.append(client)
        return Submitter(db.session, client, actor="test", sleep=sleeps, jitter=lambda: 1.0,
                         **kwargs)

    yield make
    for client in clients:
        client.close()


def _rows(db: Database) -> dict[str, tuple[str, str | None, str | None]]:
    with db.session() as session:
        return {p: (st, u, r) for p, st, u, r in session.execute(
            select(DsaStatement.puid, DsaStatement.status, DsaStatement.tdb_uuid,
                   DsaStatement.parked_reason))}


def _log(db: Database) -> list[tuple[str, int | None, int]]:
    with db.session() as session:
        return [(e.action, e.http_status, len(e.puids)) for e in
                session.scalars(select(DsaSubmissionLog).order_by(DsaSubmissionLog.id))]


def test_batches_of_at_most_100_in_puid_order_are_submitted(db, tdb, case_id, submitter):
    puids = queue(db, case_id, 250)
    report = submitter().run()
    assert (report.submitted, report.calls, report.queued_left, report.stopped) == (
        250, 3, 0, None)
    assert [(m, n, status) for m, _, n, status in tdb.calls] == [
        ("POST", 100, 201), ("POST", 100, 201), ("POST", 50, 201)]
    assert list(tdb.stored) == puids  # in puid order
    rows = _rows(db)
    assert {status for status, _, _ in rows.values()} == {"submitted"}
    assert all(rows[p][1] == tdb.stored[p]["uuid"] for p in puids)
    assert _log(db) == [("submit", 201, 100), ("submit", 201, 100), ("submit", 201, 50)]
    # Idempotent: nothing is left to send.
    assert submitter().run().calls == 0


def test_a_limit_sends_only_that_many(db, tdb, case_id, submitter):
    queue(db, case_id, 150)
    report = submitter().run(limit=120)
    assert (report.submitted, report.queued_left) == (120, 30)
    assert [n for _, _, n, _ in tdb.calls] == [100, 20]


def test_statements_the_commission_already_holds_are_confirmed_not_sent_twice(
        db, tdb, case_id, submitter):
    puids = queue(db, case_id, 5)
    # A crash after the Commission stored two of them, before we marked them submitted.
    for puid in puids[1:3]:
        tdb.stored[puid] = {"puid": puid, "uuid": "earlier"}
    report = submitter().run()
    assert (report.submitted, report.already_there, report.parked) == (3, 2, 0)
    assert {s for s, _, _ in _rows(db).values()} == {"submitted"}
    assert [(m, status) for m, _, _, status in tdb.calls] == [
        ("POST", 422), ("GET", 302), ("GET", 302), ("POST", 201)]
    assert _log(db) == [("submit", 422, 5), ("lookup", 302, 1), ("lookup", 302, 1),
                        ("submit", 201, 3)]


def test_a_422_parks_each_invalid_statement_with_the_commissions_words(
        db, tdb, case_id, submitter):
    good = queue(db, case_id, 4)
    bad_category = queue(db, case_id, 1, start=10, category="STATEMENT_CATEGORY_FAKE")[0]
    bad_date = queue(db, case_id, 1, start=11, application_date="2019-05-01")[0]
    report = submitter().run()
    assert (report.submitted, report.parked) == (4, 2)
    rows = _rows(db)
    assert rows[bad_category][0] == "parked"
    assert "The selected category is invalid." in rows[bad_category][2]
    assert "application date field must be a date after or equal to 2020-01-01" in \
        rows[bad_date][2]
    assert set(tdb.stored) == set(good)
    assert _log(db) == [("submit", 422, 6), ("park", None, 2), ("submit", 201, 4)]
    # A person fixes a parked one; the correction is queued as the next version and goes out.
    with db.session() as session:
        fixed = dict(build_statement(facts(puid=bad_category)))
        correct_statement(session, puid=bad_category, actor="ops", reason="category",
                          statement=fixed)
    assert submitter().run().submitted == 1
    assert f"{bad_category}-2" in tdb.stored


def test_a_422_that_names_no_statement_is_halved_until_the_culprit_stands_alone(
        db, tdb, case_id, submitter):
    queue(db, case_id, 4)
    tdb.fail_next(422, times=3)  # the whole batch, its first half, then its first one
    report = submitter().run()
    assert (report.submitted, report.parked) == (3, 1)
    assert [n for _, _, n, _ in tdb.calls] == [4, 2, 1, 1, 2]
    parked = [p for p, (s, _, r) in _rows(db).items() if s == "parked"]
    assert parked == ["p00000"]
    assert _rows(db)["p00000"][2] == "The given data was invalid."


def test_429_waits_at_least_retry_after_and_5xx_backs_off_exponentially(
        db, tdb, case_id, submitter, sleeps):
    queue(db, case_id, 3)
    tdb.fail_next(429, times=2, retry_after=7)
    tdb.fail_next(503, times=3)
    report = submitter(base_delay=0.5).run()
    assert (report.submitted, report.retries) == (3, 5)
    assert sleeps[:2] == [7, 7]  # Retry-After beats the shorter back-off
    assert sleeps[2:] == [2.0, 4.0, 8.0]  # base 0.5 × 2^attempt (jitter pinned to its top)
    assert [status for _, status, _ in _log(db)] == [429, 429, 503, 503, 503, 201]


def test_jitter_spreads_the_back_off(db, tdb, tdb_url, case_id, sleeps):
    queue(db, case_id, 1)
    tdb.fail_next(500, times=2)
    with TransparencyClient(tdb_url, tdb.token) as client:
        Submitter(db.session, client, actor="t", sleep=sleeps, jitter=lambda: 0.0,
                  base_delay=4).run()
    assert sleeps == [2.0, 4.0]  # half of 4 and of 8


def test_a_batch_that_keeps_failing_stops_the_run_and_stays_queued(
        db, tdb, case_id, submitter, sleeps):
    queue(db, case_id, 2)
    tdb.fail_next(500, times=10)
    report = submitter(max_retries=3).run()
    assert report.stopped and "4 attempts" in report.stopped
    assert (report.submitted, report.queued_left, len(sleeps)) == (0, 2, 3)
    assert [status for _, status, _ in _log(db)] == [500, 500, 500, 500]


def test_a_long_retry_after_stops_the_run_instead_of_blocking_the_worker(
        db, tdb, case_id, submitter, sleeps):
    queue(db, case_id, 1)
    tdb.fail_next(429, retry_after=3600)
    report = submitter(max_wait=600).run()
    assert "rate limited for 3600 s" in report.stopped and sleeps == []


def test_401_stops_and_reports(db, tdb, case_id, submitter):
    queue(db, case_id, 3)
    report = submitter(token="wrong").run()
    assert "IDESK_DSA_API_TOKEN" in report.stopped and "401" in report.stopped
    assert (report.submitted, report.queued_left, tdb.stored) == (0, 3, {})
    assert _log(db) == [("submit", 401, 3)]


def test_a_duplicate_the_commission_cannot_find_is_parked(db, tdb, tdb_url, case_id):
    queue(db, case_id, 1)
    tdb.stored["p00000"] = {}
    with TransparencyClient(tdb_url, tdb.token) as client:
        original = client.puid_exists
        client.puid_exists = lambda puid: original("never-stored")  # type: ignore[method-assign]
        report = Submitter(db.session, client, actor="t").run()
    assert (report.parked, report.already_there) == (1, 0)
    assert "lookup answered 404" in _rows(db)["p00000"][2]


def test_no_answer_at_all_is_retried_like_a_5xx(db, case_id, sleeps):
    queue(db, case_id, 1)
    with TransparencyClient("http://127.0.0.1:9", "t", timeout=0.5) as client:
        report = Submitter(db.session, client, actor="t", sleep=sleeps, max_retries=2).run()
    assert report.stopped and len(sleeps) == 2
    assert [(a, s) for a, s, _ in _log(db)] == [("submit", None)] * 3


def test_the_submission_log_is_only_ever_appended_to(db, tdb, case_id, submitter):
    statements: list[str] = []

    def watch(conn, cursor, statement, *args):
        if "dsa_submission_log" in statement and not statement.lstrip().upper().startswith(
                ("INSERT", "SELECT")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        queue(db, case_id, 3)
        queue(db, case_id, 1, start=3, category="NOPE")
        tdb.fail_next(503)
        submitter().run()
        with db.session() as session:
            correct_statement(session, puid="p00000", actor="ops", reason="fix",
                              facts=facts(automated_detection=True))
        submitter().run()
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert statements == []
    assert [a for a, _, _ in _log(db)] == ["submit", "submit", "park", "submit", "correct",
                                           "submit"]


def test_retry_after_as_a_date():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("Wed, 25 Nov 2026 12:00:30 GMT", now=now) == 30
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None
