"""The worker runs due jobs in their own transaction and keeps periodic ones scheduled."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import func, select, update

from integrity_desk.audit.models import AuditCheckpoint, AuditEvent
from integrity_desk.audit.service import SYSTEM, record, verify
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.jobs import service
from integrity_desk.jobs import worker as worker_module
from integrity_desk.jobs.models import Job
from integrity_desk.jobs.worker import HANDLERS, Worker
from tests import factories as f


@pytest.fixture
def now() -> datetime:
    return utcnow()


@pytest.fixture
def worker(db: Database, settings: Any) -> Worker:
    return Worker(db, settings)


def _jobs(db: Database) -> list[tuple[str, str, datetime, int]]:
    with db.session() as s:
        return [(j.kind, j.status, j.run_at, j.attempts)
                for j in s.scalars(select(Job).order_by(Job.id))]


def _overdue_case(db: Database, now: datetime) -> int:
    with db.session() as s:
        case = Intake(s, now=now - timedelta(days=3), actor=SYSTEM).submit(
            TypeAdapter(CaseIn).validate_python(f.flag())).case
        s.execute(update(Case).where(Case.id == case.id).values(
            resolution_due_at=now - timedelta(hours=1),
            resolution_at_risk_at=now - timedelta(hours=2)))
        return case.id


def _boom(session: Any, now: datetime, payload: Any, settings: Any) -> None:
    record(session, kind="comment", category="comment", actor=SYSTEM, payload={"half": "done"},
           chain_key="scratch")
    raise RuntimeError("boom")


def test_nothing_to_do(worker, now):
    assert worker.run_once(now) is None


def test_periodic_jobs_are_scheduled_once(db, worker, now):
    worker.schedule_periodic(now)
    worker.schedule_periodic(now + timedelta(seconds=1))
    assert _jobs(db) == [("sla.sweep", "queued", now, 0), ("audit.checkpoint", "queued", now, 0),
                         ("decisions.documentation_windows", "queued", now, 0),
                         ("decisions.restrictions_end", "queued", now, 0),
                         ("privacy.retention", "queued", now, 0),
                         ("metrics.refresh", "queued", now, 0),
                         ("webhooks.deliver", "queued", now, 0),
                         ("webhooks.prune", "queued", now, 0),
                         ("jobs.prune", "queued", now, 0),
                         ("routing.age", "queued", now, 0),
                         ("kpis.rollup", "queued", now, 0),
                         ("kpis.weekly_report", "queued", now, 0),
                         ("quality.draw", "queued", now, 0),
                         ("quality.calibration_close", "queued", now, 0),
                         ("signals.nightly", "queued", now, 0)]


def test_run_once_sweeps_checkpoints_and_reschedules(db, worker, now, settings, monkeypatch):
    # The webhook jobs (every 2 s), the jobs prune, the end of restrictions, priority
    # ageing, the KPI rollup and closing calibrations (every 5 min) and the QA draw are
    # tested with their slices.
    every = worker_module.periodic
    monkeypatch.setattr(worker_module, "periodic", lambda s: [
        (kind, n) for kind, n in every(s)
        if not kind.startswith(("webhooks.", "jobs.", "decisions.restrictions_end",
                                "routing.", "kpis.", "quality.", "signals."))])
    case_id = _overdue_case(db, now)
    worker.schedule_periodic(now)

    assert worker.run_once(now) == "sla.sweep"
    with db.session() as s:
        kinds = s.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case_id)).all()
    assert kinds.count("sla.breached") == 1
    sweep_every = timedelta(seconds=settings.sla_sweep_seconds)
    assert _jobs(db) == [("sla.sweep", "done", now, 1), ("audit.checkpoint", "queued", now, 0),
                         ("decisions.documentation_windows", "queued", now, 0),
                         ("privacy.retention", "queued", now, 0),
                         ("metrics.refresh", "queued", now, 0),
                         ("sla.sweep", "queued", now + sweep_every, 0)]

    assert worker.run_once(now) == "audit.checkpoint"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1
        # Signed with the worker's own key, which verify is given.
        assert verify(s, secret=settings.secret_key).ok
        assert not verify(s, secret="some-other-key").ok
    assert worker.run_once(now) == "decisions.documentation_windows"
    assert worker.run_once(now) == "privacy.retention"
    assert worker.run_once(now) == "metrics.refresh"
    assert worker.run_once(now) is None
    # The console's counts are refreshed more often than the SLA sweep runs.
    assert worker.run_once(now + sweep_every) == "metrics.refresh"
    assert worker.run_once(now + sweep_every) == "sla.sweep"
    assert worker.run_once(now + sweep_every) == "decisions.documentation_windows"
    queued = [j for j in _jobs(db) if j[1] == "queued"]
    assert sorted(queued) == [
        ("audit.checkpoint", "queued",
         now + timedelta(seconds=settings.audit_checkpoint_seconds), 0),
        ("decisions.documentation_windows", "queued", now + 2 * sweep_every, 0),
        ("metrics.refresh", "queued",
         now + sweep_every + timedelta(seconds=settings.metrics_refresh_seconds), 0),
        ("privacy.retention", "queued",
         now + timedelta(seconds=settings.retention_sweep_seconds), 0),
        ("sla.sweep", "queued", now + 2 * sweep_every, 0)]


def test_failing_job_is_rolled_back_and_retried(db, worker, now, monkeypatch):
    monkeypatch.setitem(HANDLERS, "sla.sweep", _boom)
    with db.session() as s:
        service.enqueue(s, "sla.sweep", run_at=now, singleton_key="sla.sweep")
    assert worker.run_once(now) == "sla.sweep"
    with db.session() as s:
        job = s.scalar(select(Job))
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.chain_key == "scratch")) == 0
        assert (job.status, job.attempts) == ("queued", 1)
        assert "RuntimeError: boom" in job.last_error
        assert job.run_at > now
        assert s.scalar(select(func.count()).select_from(Job)) == 1  # retry, no duplicate


def test_periodic_job_that_gives_up_is_scheduled_again(db, worker, now, monkeypatch, settings):
    monkeypatch.setitem(HANDLERS, "sla.sweep", _boom)
    with db.session() as s:
        service.enqueue(s, "sla.sweep", run_at=now, singleton_key="sla.sweep", max_attempts=1)
    assert worker.run_once(now) == "sla.sweep"
    jobs = _jobs(db)
    assert jobs == [("sla.sweep", "failed", now, 1),
                    ("sla.sweep", "queued", now + timedelta(seconds=settings.sla_sweep_seconds),
                     0)]


def test_unknown_job_kind_fails_without_stopping_the_worker(db, worker, now):
    with db.session() as s:
        service.enqueue(s, "no.such.kind", run_at=now, max_attempts=1)
    assert worker.run_once(now) == "no.such.kind"
    with db.session() as s:
        job = s.scalar(select(Job))
    assert job.status == "failed"
    assert "KeyError" in job.last_error
