"""The misuse ledger (one row per manifest item) and the measures taken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime, utcnow


class MisuseEvent(Base):
    """A decision found an item of this party manifestly illegal or manifestly unfounded."""

    __tablename__ = "misuse_events"
    __table_args__ = (
        Index("ix_misuse_events_party", "party_type", "party_key", "bucket", "occurred_at"),
        Index("ix_misuse_events_bucket", "bucket", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_type: Mapped[str] = mapped_column(String(16))
    party_key: Mapped[str] = mapped_column(String(254))
    bucket: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MisuseMeasure(Base):
    __tablename__ = "misuse_measures"
    __table_args__ = (
        Index("ix_misuse_measures_party", "party_type", "party_key", "bucket", "starts_at"),
        Index("ix_misuse_measures_starts", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_type: Mapped[str] = mapped_column(String(16))
    party_key: Mapped[str] = mapped_column(String(254))
    bucket: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(16))  # warning | suspension
    manifest_count: Mapped[int] = mapped_column(Integer)
    total_count: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
