"""The worker's job that keeps the console's counts fresh (``metrics.refresh``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from integrity_desk.metrics.service import refresh

JOB = "metrics.refresh"


def run_job(session: Session, now: datetime) -> str:
    info = refresh(session, now=now)
    return f"snapshot as of {info.computed_at:%H:%M:%S} in {info.took_ms} ms"
