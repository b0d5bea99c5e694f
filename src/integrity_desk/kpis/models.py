"""What the KPIs count: facts written when a case is resolved or closed, and the daily rollup.

The case row carries only its current state: a reopen clears ``decided_at`` and ``closed_at``
and restarts the SLA clock, so "resolved last week within its SLA" cannot be read back from it.
``case_outcomes`` keeps each resolution and closure as it happened (the queue, priority,
person, team and vendor *then*, and whether each SLA clock was met), one row per event, so a
period's figures are an index range over small rows rather than a walk over the timeline.

``kpi_days`` holds every figure's additive counts per UTC day and per dimension value, kept by
the worker's ``kpis.rollup`` job; a period (ISO week, month) is the sum of its days. See
docs/kpis.md.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime


class CaseOutcome(Base):
    """One resolution (``event`` = resolved: the resolution clock stopped) or closure
    (``event`` = closed: the case left the backlog) of a case."""

    __tablename__ = "case_outcomes"
    __table_args__ = (
        Index("ix_case_outcomes_at", "at", "id"),
        # The rollup's "what changed since the last run" (a reopen or revision marks a row).
        Index("ix_case_outcomes_changed", "changed_at"),
        Index("ix_case_outcomes_case", "case_id", "event", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(8))  # resolved | closed
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    queue_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(Integer)  # who held (or resolved) it then
    team_id: Mapped[int | None] = mapped_column(Integer)  # their team then
    vendor_id: Mapped[int | None] = mapped_column(Integer)  # that team's vendor then
    # Resolutions only; NULL when the case had no SLA policy.
    first_response_met: Mapped[bool | None] = mapped_column(Boolean)
    resolution_met: Mapped[bool | None] = mapped_column(Boolean)
    # Closures only: when it was reopened, and the end of the 30 days a reopen counts in.
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Resolutions only: sent back to work (revise); a revised resolution no longer counts.
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KpiDay(Base):
    """The additive counts of one UTC day for one value of one dimension (``desk``/``all``,
    ``queue``/id, ``kind``/name, ``priority``/0-4, ``team``/id, ``vendor``/id or internal,
    ``person``/id, ``guideline``/code), and the backlog at the day's end."""

    __tablename__ = "kpi_days"
    __table_args__ = (Index("ix_kpi_days_dimension", "dimension", "key", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    inflow: Mapped[int] = mapped_column(Integer, default=0)
    outflow: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)  # of outflow, within 30 days
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolution_timed: Mapped[int] = mapped_column(Integer, default=0)  # with an SLA target
    resolution_met: Mapped[int] = mapped_column(Integer, default=0)
    first_response_timed: Mapped[int] = mapped_column(Integer, default=0)
    first_response_met: Mapped[int] = mapped_column(Integer, default=0)
    handling_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    handled: Mapped[int] = mapped_column(Integer, default=0)  # work ended by a decision
    busy_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # holding any case
    available_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # ready, idle
    appeals_decided: Mapped[int] = mapped_column(Integer, default=0)
    overturned: Mapped[int] = mapped_column(Integer, default=0)
    partly_overturned: Mapped[int] = mapped_column(Integer, default=0)
    # The flagging funnel of the flags and notices received this day, followed to the last run
    # (dimensions desk, source and category: kpis.funnel).
    funnel_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    funnel_opened: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    funnel_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    funnel_restricted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    funnel_appealed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    funnel_overturned: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    funnel_partly_overturned: Mapped[int] = mapped_column(Integer, default=0,
                                                          server_default="0")
    # Decisions QA judged on the day, and those judged correct (after any settled dispute).
    qa_reviewed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    qa_correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The backlog at the day's end (at the rollup's run for today); hours. NULL: not recorded
    # (a day further back than a first run reconstructs, rollup.BACKLOG_HISTORY_DAYS).
    backlog: Mapped[int | None] = mapped_column(Integer)
    age_p50_hours: Mapped[float | None] = mapped_column(Float)
    age_p90_hours: Mapped[float | None] = mapped_column(Float)
    age_max_hours: Mapped[float | None] = mapped_column(Float)
    # On the SLA clock (working hours, pauses excluded): known only for a backlog the rollup
    # saw live (a rebuilt past day cannot know its cases' pauses then), else NULL.
    sla_age_p50_hours: Mapped[float | None] = mapped_column(Float)
    sla_age_p90_hours: Mapped[float | None] = mapped_column(Float)
    sla_age_max_hours: Mapped[float | None] = mapped_column(Float)


class WeeklyReport(Base):
    """The weekly report of one ISO week as it was generated: a printable HTML page and a ZIP
    of CSV files, kept so that what went upward on Monday can be read again as it was."""

    __tablename__ = "weekly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8), unique=True)  # 2026-W49
    starts_on: Mapped[date] = mapped_column(Date)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    generated_by: Mapped[str] = mapped_column(String(200))
    figures_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html: Mapped[str] = mapped_column(Text)
    bundle: Mapped[bytes] = mapped_column(LargeBinary)  # the CSV files, zipped
