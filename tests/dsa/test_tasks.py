"""The durable submission job, run by the real worker against the local Transparency Database."""

from __future__ import annotations

from sqlalchemy import select

from integrity_desk.db import Database, utcnow
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.jobs import service
from integrity_desk.jobs.models import Job
from integrity_desk.jobs.worker import Worker, periodic
from integrity_desk.settings import Settings
from tests.dsa.support import make_case
from tests.dsa.test_submission import queue


def _settings(url: str = "", token: str = "") -> Settings:
    return Settings(secret_key="s", dsa_api_url=url, dsa_api_token=token, dsa_max_retries=1)


def _job(db: Database) -> tuple[str, str | None]:
    with db.session() as session:
        job = session.scalar(select(Job).where(Job.kind == "dsa.submit").order_by(Job.id))
        return job.status, job.last_error


def _statuses(db: Database) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(DsaStatement.status)))


def test_the_job_is_periodic_only_once_configured(tdb_url):
    assert "dsa.submit" not in dict(periodic(_settings()))
    assert dict(periodic(_settings(tdb_url, "t")))["dsa.submit"] == 300


def test_the_worker_submits_the_queue(db, tdb, tdb_url):
    queue(db, make_case(db), 120)
    worker = Worker(db, _settings(tdb_url, tdb.token))
    worker.schedule_periodic(utcnow())
    # Every periodic job is due at once; the worker runs them one by one.
    kinds = {worker.run_once() for _ in range(len(periodic(worker.settings)))}
    assert "dsa.submit" in kinds
    assert _statuses(db) == {"submitted"} and len(tdb.stored) == 120
    assert _job(db)[0] == "done"
    with db.session() as session:  # and it is scheduled again
        assert session.scalar(select(Job.id).where(Job.kind == "dsa.submit",
                                                   Job.status == "queued")) is not None


def test_a_refused_token_fails_the_job_visibly_and_keeps_the_queue(db, tdb, tdb_url):
    queue(db, make_case(db), 2)
    with db.session() as session:
        service.enqueue(session, "dsa.submit", run_at=utcnow())
    assert Worker(db, _settings(tdb_url, "wrong")).run_once() == "dsa.submit"
    status, error = _job(db)
    assert status == "queued" and "IDESK_DSA_API_TOKEN" in error  # retried with back-off
    assert _statuses(db) == {"queued"}


def test_unconfigured_the_job_does_nothing(db):
    with db.session() as session:
        service.enqueue(session, "dsa.submit", run_at=utcnow())
    assert Worker(db, _settings()).run_once() == "dsa.submit"
    assert _job(db)[0] == "done"
