"""Requests raised through the console's request forms, so a requester can follow their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime, utcnow


class InternalRequest(Base):
    """A CSM's or an executive's request: the case it opened or joined, and who raised it."""

    __tablename__ = "internal_requests"
    __table_args__ = (Index("ix_internal_requests_requester", "requester_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # csm_escalation | executive_escalation
    outcome: Mapped[str] = mapped_column(String(16))  # created | linked
    business_domain: Mapped[str] = mapped_column(String(253))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
