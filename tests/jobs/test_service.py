"""Durable jobs: singleton enqueue, claim order, back-off, giving up, reviving stale runs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from integrity_desk.db import Database, utcnow
from integrity_desk.jobs import service
from integrity_desk.jobs.models import Job


@pytest.fixture
def now() -> datetime:
    return utcnow()


def _jobs(db: Database) -> list[Job]:
    with db.session() as s:
        return list(s.scalars(select(Job).order_by(Job.id)))


def _claim(db: Database, now: datetime, worker: str = "w1") -> Job | None:
    with db.session() as s:
        return service.claim(s, worker=worker, now=now)


def _fail(db: Database, job_id: int, now: datetime) -> None:
    with db.session() as s:
        service.fail(s, job_id, now=now, error="Traceback …\nRuntimeError: boom")


def test_singleton_is_queued_once(db, now):
    with db.session() as s:
        service.enqueue(s, "sla.sweep", run_at=now, singleton_key="sla.sweep")
        service.enqueue(s, "sla.sweep", run_at=now + timedelta(seconds=5),
                        singleton_key="sla.sweep")
    with db.session() as s:
        service.enqueue(s, "sla.sweep", run_at=now, singleton_key="sla.sweep")
        service.enqueue(s, "audit.checkpoint", run_at=now, singleton_key="audit.checkpoint")
    jobs = _jobs(db)
    assert [(j.kind, j.status, j.run_at) for j in jobs] == [
        ("sla.sweep", "queued", now), ("audit.checkpoint", "queued", now)]


def test_jobs_without_a_singleton_key_stack_up(db, now):
    with db.session() as s:
        for n in range(3):
            service.enqueue(s, "mail", {"n": n}, run_at=now)
    assert [j.payload for j in _jobs(db)] == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_singleton_may_be_queued_again_once_running(db, now):
    with db.session() as s:
        service.enqueue(s, "sla.sweep", run_at=now, singleton_key="sla.sweep")
    assert _claim(db, now) is not None
    with db.session() as s:
        service.enqueue(s, "sla.sweep", run_at=now + timedelta(minutes=1),
                        singleton_key="sla.sweep")
        service.enqueue(s, "sla.sweep", run_at=now + timedelta(minutes=2),
                        singleton_key="sla.sweep")
    assert [j.status for j in _jobs(db)] == ["running", "queued"]


def test_claim_takes_due_jobs_oldest_first(db, now):
    with db.session() as s:
        service.enqueue(s, "later", run_at=now + timedelta(minutes=5))
        service.enqueue(s, "second", run_at=now - timedelta(minutes=1))
        service.enqueue(s, "first", run_at=now - timedelta(minutes=2))
    first = _claim(db, now, "w1")
    assert first is not None
    assert (first.kind, first.status, first.locked_by, first.locked_at, first.attempts) == (
        "first", "running", "w1", now, 1)
    assert _claim(db, now, "w2").kind == "second"
    assert _claim(db, now, "w3") is None  # "later" is not due yet
    assert _claim(db, now + timedelta(minutes=5), "w3").kind == "later"


def test_finish_marks_done(db, now):
    with db.session() as s:
        service.enqueue(s, "x", run_at=now)
    job = _claim(db, now)
    with db.session() as s:
        service.finish(s, job.id, now=now + timedelta(seconds=3))
    done = _jobs(db)[0]
    assert (done.status, done.finished_at, done.locked_by) == (
        "done", now + timedelta(seconds=3), None)
    assert _claim(db, now + timedelta(hours=1)) is None


def test_failures_back_off_exponentially_then_park_the_job(db, now):
    with db.session() as s:
        service.enqueue(s, "flaky", run_at=now, max_attempts=3)
    at = now
    for attempt, base in ((1, 2), (2, 4)):
        job = _claim(db, at)
        assert job is not None and job.attempts == attempt
        _fail(db, job.id, at)
        retry = _jobs(db)[0]
        assert retry.status == "queued"
        assert retry.locked_by is None
        assert retry.last_error.endswith("RuntimeError: boom")
        # 2^attempts seconds, plus up to a quarter of jitter.
        assert at + timedelta(seconds=base) <= retry.run_at <= at + timedelta(seconds=base * 1.25)
        assert _claim(db, retry.run_at - timedelta(milliseconds=1)) is None
        at = retry.run_at
    job = _claim(db, at)
    assert job is not None and job.attempts == 3
    _fail(db, job.id, at)
    parked = _jobs(db)[0]
    assert (parked.status, parked.finished_at, parked.attempts) == ("failed", at, 3)
    assert _claim(db, at + timedelta(days=1)) is None


def test_back_off_is_capped_at_an_hour(db, now):
    with db.session() as s:
        service.enqueue(s, "flaky", run_at=now, max_attempts=50)
    job = _claim(db, now)
    with db.session() as s:
        s.execute(update(Job).where(Job.id == job.id).values(attempts=20))
    _fail(db, job.id, now)
    retry = _jobs(db)[0]
    assert now + timedelta(hours=1) <= retry.run_at <= now + timedelta(hours=1.25)


def test_stale_running_job_is_revived(db, now):
    with db.session() as s:
        service.enqueue(s, "slow", run_at=now - timedelta(hours=1))
    dead = _claim(db, now - timedelta(minutes=11), "crashed-worker")
    assert dead is not None
    assert _claim(db, now - timedelta(minutes=5), "w2") is None  # still within its lease
    revived = _claim(db, now, "w2")
    assert revived is not None and revived.id == dead.id
    assert (revived.locked_by, revived.attempts, revived.status) == ("w2", 2, "running")


def test_stale_job_out_of_attempts_is_parked_not_revived(db, now):
    """A job that keeps killing its worker must not be retried for ever."""
    with db.session() as s:
        service.enqueue(s, "poison", run_at=now - timedelta(hours=1), max_attempts=1)
    assert _claim(db, now - timedelta(minutes=30), "crashed-worker") is not None
    assert _claim(db, now, "w2") is None
    job = _jobs(db)[0]
    assert (job.status, job.finished_at) == ("failed", now)
    assert "stopped" in job.last_error


def test_a_killed_periodic_run_with_a_newer_run_queued_is_parked(db, now):
    """A worker killed mid-run, then restarted, scheduled the periodic job afresh: the old run
    is parked instead of revived (two queued runs of one singleton cannot exist)."""
    with db.session() as s:
        service.enqueue(s, "tick", run_at=now - timedelta(hours=1), singleton_key="tick")
    killed = _claim(db, now - timedelta(minutes=30), "killed-worker")
    with db.session() as s:
        service.enqueue(s, "tick", run_at=now, singleton_key="tick")
    fresh = _claim(db, now, "w2")
    assert fresh is not None and fresh.id != killed.id
    by_id = {j.id: j for j in _jobs(db)}
    assert by_id[killed.id].status == "failed" and "newer run" in by_id[killed.id].last_error


def test_concurrent_workers_get_different_jobs(db, now):
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers: there is no concurrent claim")
    with db.session() as s:
        for kind in ("a", "b"):
            service.enqueue(s, kind, run_at=now)
    first = db.session_factory()
    try:
        got = service.claim(first, worker="w1", now=now)  # row locked, not yet committed
        assert got is not None and got.kind == "a"
        second = _claim(db, now, "w2")  # skips the locked row instead of waiting for it
        assert second is not None and second.kind == "b"
        first.commit()
    finally:
        first.close()


def test_prune_deletes_finished_jobs_past_their_keeping_time(db, now):
    day = timedelta(days=1)
    rows = [("done", now - 8 * day), ("done", now - 6 * day), ("failed", now - 8 * day),
            ("failed", now - 31 * day), ("queued", None), ("running", None)]
    with db.session() as s:
        for i, (status, finished) in enumerate(rows):
            s.add(Job(kind=f"k{i}", payload={}, status=status, run_at=now - 40 * day,
                      finished_at=finished, created_at=now - 40 * day))
    with db.session() as s:
        assert service.prune(s, now=now, keep_done=7 * day, keep_failed=30 * day,
                             batch=1) == 1  # oldest first, one a run
        assert service.prune(s, now=now, keep_done=7 * day, keep_failed=30 * day) == 1
        assert service.prune(s, now=now, keep_done=7 * day, keep_failed=30 * day) == 0
        left = sorted(s.scalars(select(Job.kind)))
    # the recent done job, the failed one kept for 30 days, and the unfinished ones stay
    assert left == ["k1", "k2", "k4", "k5"]
