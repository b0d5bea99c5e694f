"""SLA calendars and policies: configuration data, edited by managers, not code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType


class SlaCalendar(Base):
    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # None = 24/7; else {"mon": [["09:00", "17:00"]], ...}
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(16))
    extra_holidays: Mapped[list[str]] = mapped_column(JSONType, default=list)


class SlaPolicy(Base):
    """Targets for one case kind at one priority, counted on a calendar."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("kind", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(SmallInteger)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    at_risk_fraction: Mapped[float] = mapped_column(Float, default=0.2)
    # None: the calendar of the team that owns the case's queue (24/7 when it has none).
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("sla_calendars.id"))
