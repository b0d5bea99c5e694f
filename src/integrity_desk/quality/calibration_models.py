"""Calibration exercises: several people decide the same items blind, and the desk measures
how far they agree (docs/quality.md, "Calibration exercises").

An item keeps a *snapshot* of what is needed to decide it (the subjects' text and metadata,
the case's own words), not a link it reads live: a case edited, merged or erased after the
exercise was built must not change what the group was asked, nor the results afterwards.
The results are computed once, when the exercise closes, and stored on the exercise (JSON):
the figures a manager certified people on stay what they were, whatever the package or the
answers' tables do later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class ExerciseStatus(StrEnum):
    DRAFT = "draft"  # being built: items and invitations change, nobody answers
    OPEN = "open"  # invited people answer, blind
    CLOSED = "closed"  # results computed and stored; answers frozen


class ItemSource(StrEnum):
    CASE = "case"  # a decided case, snapshotted
    SYNTHETIC = "synthetic"  # text the manager wrote


class CalibrationExercise(Base):
    __tablename__ = "calibration_exercises"
    __table_args__ = (Index("ix_calibration_exercises_status", "status", "closes_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default=ExerciseStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When answering ends: the worker closes an open exercise past it (quality-calibration).
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Pass bars: the group's alpha and each person's agreement with the reference answers.
    min_alpha: Mapped[float] = mapped_column(Float, default=0.8)
    min_agreement: Mapped[float] = mapped_column(Float, default=0.8)
    # The certification a pass grants (none: the exercise only measures) and for how long.
    certification: Mapped[str | None] = mapped_column(String(64))
    valid_days: Mapped[int | None] = mapped_column(Integer)
    # Guideline codes the exercise is about (empty: any); answers may cite only these.
    guidelines: Mapped[list[str]] = mapped_column(JSONType, default=list)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class CalibrationItem(Base):
    __tablename__ = "calibration_items"
    __table_args__ = (UniqueConstraint("exercise_id", "position"),
                      Index("ix_calibration_items_case", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_exercises.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    # What the person deciding sees: {"title", "text", "subjects": [{type, ref, label, ...}]}.
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The reference (golden) answer; none for a synthetic item the manager left open.
    reference_action: Mapped[str | None] = mapped_column(String(40))
    reference_guideline: Mapped[str | None] = mapped_column(String(64))
    reference_from: Mapped[str | None] = mapped_column(String(12))  # decision | manager
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalibrationInvitation(Base):
    __tablename__ = "calibration_invitations"
    __table_args__ = (UniqueConstraint("exercise_id", "user_id"),
                      Index("ix_calibration_invitations_user", "user_id", "exercise_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_exercises.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set at close, from the stored results: the person's own line, read without the JSON.
    agreement: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class CalibrationAnswer(Base):
    __tablename__ = "calibration_answers"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),
                      Index("ix_calibration_answers_exercise", "exercise_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_exercises.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("calibration_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    guideline: Mapped[str | None] = mapped_column(String(64))  # none: no guideline cited
    note: Mapped[str | None] = mapped_column(String(1000))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
