"""Each person's exposure to harmful items: one row per item seen on a day.

An item is counted once a day however often it is opened again (the unique index), so the
count is "how many harmful things did I look at today", not how many page loads. Reading a
person's count is a range read of that index; a manager's table of everyone is a read of
``ix_harm_exposures_day``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime, utcnow


class HarmExposure(Base):
    __tablename__ = "harm_exposures"
    __table_args__ = (
        UniqueConstraint("user_id", "day", "item", name="uq_harm_exposures_user_day_item"),
        Index("ix_harm_exposures_day", "day", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # UTC
    item: Mapped[str] = mapped_column(String(40))  # case:12 | review:34
    case_id: Mapped[int | None] = mapped_column(Integer)
    harm: Mapped[str] = mapped_column(String(64))
    how: Mapped[str] = mapped_column(String(16))  # revealed | shown (blur off)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
