"""The background worker: runs due jobs and keeps the periodic ones scheduled.

Run any number of them (``idesk worker``) against one database; each job runs in its own
transaction and is retried with back-off when it fails.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM
from integrity_desk.audit.tasks import make_checkpoint
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions import applying, expiry
from integrity_desk.decisions import tasks as decision_tasks
from integrity_desk.dsa.tasks import submit_queued
from integrity_desk.jobs import service
from integrity_desk.kpis import reports as kpi_reports
from integrity_desk.kpis import rollup as kpi_rollup
from integrity_desk.messages import delivery as mail
from integrity_desk.metrics import tasks as metrics_tasks
from integrity_desk.privacy import retention
from integrity_desk.quality import calibration
from integrity_desk.quality import sampling as qa_sampling
from integrity_desk.routing import ageing
from integrity_desk.settings import Settings
from integrity_desk.signals import service as signals
from integrity_desk.sla.tasks import sweep
from integrity_desk.webhooks import delivery as webhooks
from integrity_desk.wiring import wire

log = logging.getLogger("integrity_desk.worker")

# (session, now, payload, settings of the worker running it) -> a summary to log
Handler = Callable[[Session, datetime, dict[str, Any], Settings], Any]
HANDLERS: dict[str, Handler] = {
    "sla.sweep": lambda session, now, payload, settings: sweep(session, now=now),
    "audit.checkpoint": lambda session, now, payload, settings: make_checkpoint(
        session, now=now, secret=settings.secret_key),
    decision_tasks.JOB: lambda session, now, payload, settings: (
        decision_tasks.close_documentation_windows(session, now=now)),
    expiry.JOB: lambda session, now, payload, settings: expiry.end_restrictions(
        session, now=now),
    applying.JOB: lambda session, now, payload, settings: applying.apply_next(
        session, now, payload),
    retention.JOB: lambda session, now, payload, settings: retention.run_job(
        session, now, payload, retention_days=settings.retention_days,
        batch=settings.retention_batch),
    "dsa.submit": lambda session, now, payload, settings: submit_queued(
        session, now=now, payload=payload, settings=settings),
    metrics_tasks.JOB: lambda session, now, payload, settings: metrics_tasks.run_job(
        session, now),
    service.PRUNE_JOB: lambda session, now, payload, settings: service.prune(
        session, now=now, keep_done=timedelta(days=settings.jobs_keep_done_days),
        keep_failed=timedelta(days=settings.jobs_keep_failed_days)),
    webhooks.JOB: webhooks.handle,
    mail.JOB: mail.handle,
    webhooks.PRUNE_JOB: lambda session, now, payload, settings: webhooks.prune(
        session, now=now, settings=settings),
    ageing.JOB: lambda session, now, payload, settings: ageing.age(session, now=now),
    kpi_rollup.JOB: lambda session, now, payload, settings: kpi_rollup.run(session, now=now),
    kpi_reports.JOB: lambda session, now, payload, settings: kpi_reports.run_job(
        session, now, SYSTEM),
    qa_sampling.JOB: lambda session, now, payload, settings: qa_sampling.run_draw(
        session, now=now),
    calibration.JOB: lambda session, now, payload, settings: calibration.close_due(
        session, actor=SYSTEM, now=now),
    signals.JOB: lambda session, now, payload, settings: signals.start_nightly(
        session, now, parts=settings.signals_parts),
    signals.MORE_JOB: lambda session, now, payload, settings: signals.run_job(
        session, now, payload, actor=signals.ACTOR, open_at=settings.signal_open_threshold),
}


def periodic(settings: Settings) -> list[tuple[str, int]]:
    jobs = [("sla.sweep", settings.sla_sweep_seconds),
            ("audit.checkpoint", settings.audit_checkpoint_seconds),
            (decision_tasks.JOB, settings.sla_sweep_seconds),
            (expiry.JOB, expiry.EVERY_SECONDS),
            (retention.JOB, settings.retention_sweep_seconds),
            (metrics_tasks.JOB, settings.metrics_refresh_seconds),
            (webhooks.JOB, settings.webhook_poll_seconds),
            (webhooks.PRUNE_JOB, 3600),
            (service.PRUNE_JOB, 3600),
            (ageing.JOB, settings.routing_ageing_seconds),
            (kpi_rollup.JOB, settings.kpi_rollup_seconds),
            (kpi_reports.JOB, kpi_reports.EVERY_SECONDS),
            (qa_sampling.JOB, settings.qa_draw_seconds),
            (calibration.JOB, calibration.EVERY_SECONDS),
            (signals.JOB, settings.signals_seconds)]
    if settings.dsa_api_url:  # Transparency Database submissions, once configured
        jobs.append(("dsa.submit", settings.dsa_submit_seconds))
    if settings.email_on:  # the outbox by e-mail, once a relay is configured
        jobs.append((mail.JOB, settings.mail_poll_seconds))
    return jobs


class Worker:
    def __init__(self, db: Database, settings: Settings) -> None:
        wire()  # its jobs write timeline events: their webhook deliveries go with them
        self.db = db
        self.settings = settings
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = False

    def schedule_periodic(self, now: datetime) -> None:
        with self.db.session() as session:
            for kind, _ in periodic(self.settings):
                service.enqueue(session, kind, run_at=now, singleton_key=kind)

    def run_once(self, now: datetime | None = None) -> str | None:
        """Claim and run one due job; return its kind, or None when nothing was due."""
        now = now or utcnow()
        with self.db.session() as session:
            job = service.claim(session, worker=self.name, now=now)
            if job is None:
                return None
            job_id, kind, payload = job.id, job.kind, job.payload
        try:
            with self.db.session() as session:
                result = HANDLERS[kind](session, now, payload, self.settings)
                service.finish(session, job_id, now=utcnow())
                self._reschedule(session, kind, now)
            log.info("job %s %s done: %s", job_id, kind, result)
        except Exception:
            log.exception("job %s %s failed", job_id, kind)
            with self.db.session() as session:
                service.fail(session, job_id, now=utcnow(), error=traceback.format_exc())
                # A periodic job parked as failed must not stop its schedule for good (while it
                # is only waiting to retry, it is still queued and this adds nothing).
                self._reschedule(session, kind, now)
        return kind

    def _reschedule(self, session: Session, kind: str, now: datetime) -> None:
        for periodic_kind, every in periodic(self.settings):
            if periodic_kind == kind:
                service.enqueue(session, kind, run_at=now + timedelta(seconds=every),
                                singleton_key=kind)

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        self.schedule_periodic(utcnow())
        log.info("worker %s started", self.name)
        while not self.stopping:
            if self.run_once() is None:
                time.sleep(self.settings.worker_poll_seconds)
        log.info("worker %s stopped", self.name)
