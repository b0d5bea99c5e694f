"""Durable background work: a job row survives restarts and is visible to operators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_runnable", "run_at", "id",
              postgresql_where=text("status = 'queued'"), sqlite_where=text("status = 'queued'")),
        # At most one queued job per singleton key (periodic sweeps are not stacked up).
        Index("uq_jobs_queued_singleton", "singleton_key", unique=True,
              postgresql_where=text("status = 'queued' AND singleton_key IS NOT NULL"),
              sqlite_where=text("status = 'queued' AND singleton_key IS NOT NULL")),
        # The prune walks finished jobs oldest first.
        Index("ix_jobs_finished", "finished_at", "id",
              postgresql_where=text("status IN ('done', 'failed')"),
              sqlite_where=text("status IN ('done', 'failed')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    singleton_key: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
