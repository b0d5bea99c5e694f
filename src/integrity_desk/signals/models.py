"""Stored findings of the fraud signals, with their evidence and the case they went to.

A finding is stored under a ``key`` fingerprinting what it found (the business and day of a
burst, the earliest review of a copied-text cluster, the sorted accounts of a ring, the
reviewer of a risk score), so a later run that finds the same thing updates the same row —
its score, evidence and ``last_seen_at`` — instead of adding another, and never opens a second
case about it. ``signal_subjects`` names every review, reviewer and business a finding is
about: the query "what do the signals say about this account" and the investigation's member
list read it by index instead of searching the evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_business", "business_id", "kind"),
        Index("ix_signals_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # burst | duplicates | ring | reviewer_risk
    key: Mapped[str] = mapped_column(String(80), unique=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The investigation case it opened or enriched (None: below the threshold to open one).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))


class SignalSubject(Base):
    __tablename__ = "signal_subjects"
    __table_args__ = (Index("ix_signal_subjects_subject", "subject_type", "subject_id"),)

    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"),
                                           primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
