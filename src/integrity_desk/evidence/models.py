"""Evidence snapshots: what a subject looked like when the desk examined it or decided on it.

A review can be edited or deleted on the platform after the desk acted; the snapshot keeps the
text, metadata and signals as they were, in their canonical JSON with its SHA-256. Rows are
never changed: the migration (0045) gives the table triggers that refuse UPDATE, DELETE and
TRUNCATE, so not even a hand-typed statement or a retention job rewrites the proof. Each
batch of snapshots is also tied into the case's hash-chained timeline by an
``evidence.captured`` event carrying the digest of its hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime

# Tables whose rows the database itself refuses to change or delete (migration triggers).
APPEND_ONLY_TABLE = "evidence_snapshots"


class EvidenceSnapshot(Base):
    __tablename__ = APPEND_ONLY_TABLE
    __table_args__ = (
        # A case's evidence in the order it was taken (the bundle, the API's list).
        Index("ix_evidence_snapshots_case", "case_id", "id"),
        # Everything kept of one subject, across cases.
        Index("ix_evidence_snapshots_subject", "subject_type", "subject_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    subject_type: Mapped[str] = mapped_column(String(16))  # review | reviewer | business
    subject_id: Mapped[int] = mapped_column(Integer)
    # "review:R-1": the name people know it by, kept as it was (a ref never changes).
    subject_ref: Mapped[str] = mapped_column(String(280))
    occasion: Mapped[str] = mapped_column(String(16))  # examined | decided
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_by: Mapped[str] = mapped_column(String(200))  # the actor's label, as on the timeline
    content: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed exactly as stored
    sha256: Mapped[str] = mapped_column(String(64))
