"""Enqueue, claim and finish durable jobs.

On PostgreSQL a job is claimed with FOR UPDATE SKIP LOCKED, so any number of workers share the
table without handing one job to two of them; SQLite serialises writers and needs no more.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from integrity_desk.db import upsert_insert
from integrity_desk.jobs.models import Job

STALE_AFTER = timedelta(minutes=10)


def enqueue(
    session: Session, kind: str, payload: dict[str, Any] | None = None, *,
    run_at: datetime, singleton_key: str | None = None, max_attempts: int = 8,
) -> None:
    """Add a job; with a singleton key, do nothing if one with that key is already queued."""
    values = dict(kind=kind, payload=payload or {}, run_at=run_at, status="queued",
                  singleton_key=singleton_key, max_attempts=max_attempts, attempts=0,
                  created_at=run_at)
    if singleton_key:
        where = "status = 'queued' AND singleton_key IS NOT NULL"
        session.execute(upsert_insert(session)(Job).values(**values).on_conflict_do_nothing(
            index_elements=["singleton_key"], index_where=text(where)))
    else:
        session.add(Job(**values))
    session.flush()


def claim(session: Session, *, worker: str, now: datetime) -> Job | None:
    """Take the oldest runnable job (and revive ones whose worker died mid-run).

    A stale job that has used up its attempts is parked as failed instead: a job that kills
    its worker would otherwise be retried for ever.
    """
    stale = and_(Job.status == "running", Job.locked_at < now - STALE_AFTER)
    session.execute(
        update(Job).where(stale, Job.attempts >= Job.max_attempts)
        .values(status="failed", locked_by=None, finished_at=now,
                last_error="its worker stopped while running it")
        .execution_options(synchronize_session=False)
    )
    # A periodic job killed mid-run was scheduled afresh when a worker started again: reviving
    # it too would break the one-queued-per-singleton-key index (and every claim with it).
    twin = aliased(Job)
    session.execute(
        update(Job).where(stale, Job.singleton_key.is_not(None), exists().where(
            twin.status == "queued", twin.singleton_key == Job.singleton_key))
        .values(status="failed", locked_by=None, finished_at=now,
                last_error="its worker stopped while running it; a newer run is queued")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Job).where(stale)
        .values(status="queued", locked_by=None, locked_at=None)
        .execution_options(synchronize_session=False)
    )
    job = session.scalar(
        select(Job).where(Job.status == "queued", Job.run_at <= now)
        .order_by(Job.run_at, Job.id).limit(1).with_for_update(skip_locked=True)
    )
    if job is None:
        return None
    job.status, job.locked_by, job.locked_at = "running", worker, now
    job.attempts += 1
    session.flush()
    return job


def finish(session: Session, job_id: int, *, now: datetime) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(
        status="done", finished_at=now, locked_by=None, last_error=None))


def fail(session: Session, job_id: int, *, now: datetime, error: str) -> None:
    """Retry with exponential back-off and jitter; park as failed after max attempts."""
    job = session.get(Job, job_id)
    if job is None:
        return
    job.last_error = error[-4000:]
    job.locked_by = None
    if job.attempts >= job.max_attempts:
        job.status, job.finished_at = "failed", now
    else:
        delay = min(3600, 2 ** job.attempts) * (1 + random.random() / 4)
        job.status, job.run_at = "queued", now + timedelta(seconds=delay)
    session.flush()


PRUNE_JOB = "jobs.prune"


def prune(session: Session, *, now: datetime, keep_done: timedelta, keep_failed: timedelta,
          batch: int = 10_000) -> int:
    """Delete finished jobs past their keeping time, oldest first, at most ``batch`` a run
    (a periodic job every few seconds leaves tens of thousands of done rows a day)."""
    old = (select(Job.id).where(
        Job.status.in_(("done", "failed")),
        Job.finished_at < now - min(keep_done, keep_failed),
        or_(and_(Job.status == "done", Job.finished_at < now - keep_done),
            and_(Job.status == "failed", Job.finished_at < now - keep_failed)))
        .order_by(Job.finished_at, Job.id).limit(batch))
    ids = list(session.scalars(old))
    if not ids:
        return 0
    return session.execute(delete(Job).where(Job.id.in_(ids))
                           .execution_options(synchronize_session=False)).rowcount
