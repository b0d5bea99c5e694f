"""Snapshots of the desk's counts, recomputed by the worker (``metrics.refresh``).

Counting a million open cases on every page view would cost far more than the 100 ms a page
may take, and the numbers move slowly compared with how often a manager looks; so they are
computed every ``metrics_refresh_seconds`` into these small tables (a few hundred rows), and a
page shows the time they are as of. See docs/decisions.md, "Console counts are snapshots".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class MetricsRefresh(Base):
    """When the snapshot was last computed, how long it took, and the breaches of that day."""

    __tablename__ = "metrics_refresh"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    took_ms: Mapped[int] = mapped_column(Integer, default=0)
    # Cases whose resolution was due on the UTC day of computed_at and is breached.
    breaches_today: Mapped[int] = mapped_column(Integer, default=0)


class QueueBacklog(Base):
    """Open cases of one queue at one priority in one visibility class, by SLA state."""

    __tablename__ = "queue_backlog"

    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True)
    priority: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    visibility: Mapped[str] = mapped_column(String(16), primary_key=True)
    open_total: Mapped[int] = mapped_column(Integer, default=0)
    at_risk: Mapped[int] = mapped_column(Integer, default=0)
    breached: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)


class CaseFlowDay(Base):
    """Cases opened (created) and closed on one UTC day, over the whole desk."""

    __tablename__ = "case_flow_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
