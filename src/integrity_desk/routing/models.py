"""Queues are data: which kinds, tier and languages they take, and which team works them.
Each queue's routing settings are versions, the highest in force.
Work intervals are the record of who worked which case from when to when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, JSONType, UTCDateTime
from integrity_desk.people.models import Team


class Queue(Base):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tier: Mapped[int] = mapped_column(SmallInteger, default=1)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)  # empty: any language
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    position: Mapped[int] = mapped_column(Integer, default=100)  # routing tries low first
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team | None] = relationship(lazy="joined")


class QueueRoutingVersion(Base):
    """One version of a queue's routing settings (routing.policy.RoutingSettings says what
    each means; docs/routing.md). Never edited: a change adds the next version, so the
    history says who changed what, when and why, and the highest version is in force."""

    __tablename__ = "queue_routing_versions"
    __table_args__ = (UniqueConstraint("queue_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    version: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(8), default="pull")
    required_certifications: Mapped[list[str]] = mapped_column(JSONType, default=list)
    quality_weight: Mapped[float] = mapped_column(Float, default=0.5)
    ageing_per_hour: Mapped[float] = mapped_column(Float, default=0.25)
    affinity: Mapped[bool] = mapped_column(Boolean, default=True)
    change_note: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkInterval(Base):
    """One person working one case from ``started_at`` (claimed, assigned, revised) to
    ``ended_at`` (released, reassigned, escalated, decided, closed, merged); NULL while open.

    ``team_id`` and ``vendor_id`` are the person's team and that team's vendor when the
    interval started: figures per team or vendor read them, never the person's team of today
    (docs/decisions.md), so moving a team to another vendor leaves past work where it was.
    """

    __tablename__ = "work_intervals"
    __table_args__ = (
        # At most one open interval a case: whoever holds it now.
        Index("uq_work_intervals_open_case", "case_id", unique=True,
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
        # Who worked this case (the case page, GET /cases/{key}/work).
        Index("ix_work_intervals_case", "case_id", "started_at"),
        # A person's intervals in a period (AHT, occupancy).
        Index("ix_work_intervals_user_started", "user_id", "started_at"),
        # The whole desk's (or a team's) intervals in a period.
        Index("ix_work_intervals_started", "started_at"),
        # A vendor's intervals in a period (scorecards).
        Index("ix_work_intervals_vendor_started", "vendor_id", "started_at"),
        # Intervals that began before a period and ended in it (the KPI rollup's days).
        Index("ix_work_intervals_ended", "ended_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_reason: Mapped[str] = mapped_column(String(16))
    end_reason: Mapped[str | None] = mapped_column(String(16))
