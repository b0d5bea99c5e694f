"""QA: the sampling plans managers edit, the review forms, and the QA queue's items.

An item is one decision drawn for review. It carries the facts its figures are counted under
as they were when the decision was taken (the decider, their team and vendor then, the queue,
the case kind, the guideline cited), so QA accuracy per team or vendor does not move when a
person changes team later, and the KPI rollup counts items without joining back to cases.
A dispute settled by a lead rewrites the verdict and stamps ``changed_at``; the rollup
recomputes the day the item was reviewed (kpis.rollup).
"""

from __future__ import annotations

from datetime import datetime
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class QaPlan(Base):
    """One sampling rule (quality.domain.Rule) with its parameters; managers edit them."""

    __tablename__ = "qa_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    rule: Mapped[str] = mapped_column(String(16))
    share: Mapped[float | None] = mapped_column(Float)  # share and new_starters, 0–1
    categories: Mapped[list[str]] = mapped_column(JSONType, default=list)  # category rule
    min_severity: Mapped[int | None] = mapped_column(Integer)  # severity rule, 1–4
    first_weeks: Mapped[int | None] = mapped_column(Integer)  # new_starters rule
    seed: Mapped[str] = mapped_column(String(64))  # the draw's seed (reproducible)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QaForm(Base):
    """One version of the review form for a case kind (``kind`` NULL: every kind without one
    of its own): the error categories a reviewer picks from, each with its severity, and the
    pass mark. A new version is a new row; reviews keep the version they used."""

    __tablename__ = "qa_forms"
    __table_args__ = (
        UniqueConstraint("kind", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)
    change_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QaItem(Base):
    """A decision in QA: drawn, reviewed, perhaps disputed and settled."""

    __tablename__ = "qa_items"
    __table_args__ = (
        UniqueConstraint("decision_id"),
        # The QA queue: waiting items, oldest first.
        Index("ix_qa_items_queue", "status", "drawn_at", "id"),
        # A person's own results, newest first.
        Index("ix_qa_items_person", "person_id", "reviewed_at"),
        # The rollup: items judged on a day, and those whose verdict changed since a run.
        Index("ix_qa_items_reviewed", "reviewed_at",
              postgresql_where=text("reviewed_at IS NOT NULL"),
              sqlite_where=text("reviewed_at IS NOT NULL")),
        Index("ix_qa_items_changed", "changed_at"),
        # Routing's quality weight: a team's recent verdicts.
        Index("ix_qa_items_team", "team_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("qa_plans.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300))  # why the draw picked it
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Whose decision, and where it counts (as when it was decided).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(Integer)
    vendor_id: Mapped[int | None] = mapped_column(Integer)
    queue_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    guideline: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    form_id: Mapped[int | None] = mapped_column(ForeignKey("qa_forms.id"))
    # [{category, label, severity, note}] as judged now (a settled dispute may change them).
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    score: Mapped[int | None] = mapped_column(Integer)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    verdict: Mapped[str | None] = mapped_column(String(300))  # the verdict in words
    feedback: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispute_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settlement: Mapped[str | None] = mapped_column(String(8))  # upheld | changed
    settlement_note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
