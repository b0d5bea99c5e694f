"""Legal holds: what must be kept as it is (no erasure) while a legal matter runs.

A hold is on one case, or on a subject (a review, a business, a reviewer account) and then on
every case about it. Holds are lifted, never deleted, so who held what, when and why stays.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime, utcnow

SUBJECT_TYPES = ("review", "business", "reviewer")


class LegalHold(Base):
    __tablename__ = "legal_holds"
    __table_args__ = (
        CheckConstraint(
            "(case_id IS NOT NULL AND subject_type IS NULL AND subject_id IS NULL)"
            " OR (case_id IS NULL AND subject_type IS NOT NULL AND subject_id IS NOT NULL)",
            name="case_or_subject",
        ),
        # Retention asks "is this case held?" for every case it considers: active holds only.
        Index("ix_legal_holds_case_active", "case_id",
              postgresql_where=text("lifted_at IS NULL"), sqlite_where=text("lifted_at IS NULL")),
        Index("ix_legal_holds_subject_active", "subject_type", "subject_id",
              postgresql_where=text("lifted_at IS NULL"), sqlite_where=text("lifted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    subject_type: Mapped[str | None] = mapped_column(String(16))  # review | business | reviewer
    subject_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lift_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def active(self) -> bool:
        return self.lifted_at is None
