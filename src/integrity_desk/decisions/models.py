"""Guidelines (versioned), decisions, the actions they take, and which actions need four eyes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class Guideline(Base):
    """One version of a guideline section. Editing adds a version; old ones stay citable."""

    __tablename__ = "guidelines"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index("uq_guidelines_current", "code", unique=True,
              postgresql_where=text("is_current"), sqlite_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))  # the platform's guideline category
    dsa_category: Mapped[str] = mapped_column(String(80))
    dsa_keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    default_ground: Mapped[str] = mapped_column(String(32))
    legal_ground: Mapped[str | None] = mapped_column(String(500))  # for illegal content
    severity: Mapped[int] = mapped_column(Integer)  # 1 minor … 4 critical
    sanctions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    change_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_case", "case_id", "id"),
        Index("ix_decisions_awaiting", "status", "id",
              postgresql_where=text("status = 'awaiting_approval'"),
              sqlite_where=text("status = 'awaiting_approval'")),
        Index("ix_decisions_decided_at", "decided_at", "id"),
        # The appeals of a decision (the funnel's overturns, the scorecard's reasons).
        Index("ix_decisions_appeal_of", "appeal_of_id"),
        # The decisions taken under an SOP version (the SOP comparison report).
        Index("ix_decisions_sop", "sop_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # decision | appeal_outcome
    kind: Mapped[str] = mapped_column(String(16), default="decision")
    # action | no_action, or for appeals: upheld | overturned | partly_overturned
    outcome: Mapped[str] = mapped_column(String(24))
    guideline_id: Mapped[int | None] = mapped_column(ForeignKey("guidelines.id"))
    ground: Mapped[str | None] = mapped_column(String(32))
    legal_ground: Mapped[str | None] = mapped_column(String(500))
    explanation: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)
    automated_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    automated_decision: Mapped[str] = mapped_column(String(16), default="not_automated")
    territorial_scope: Mapped[list[str]] = mapped_column(JSONType, default=list)
    source_type: Mapped[str] = mapped_column(String(32))
    # Manifestly illegal (acted on) or manifestly unfounded (a notice left without action, an
    # upheld complaint): feeds the misuse counters of DSA Art. 23.
    manifest: Mapped[bool] = mapped_column(Boolean, default=False)
    # awaiting_approval → applied, or rejected; applied → reversed (by an appeal)
    status: Mapped[str] = mapped_column(String(24))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)  # why approved or rejected
    appeal_of_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)  # a manager deciding own appeal
    # The SOP version the case was worked under (sops.service.gate); NULL: its kind had none.
    sop_id: Mapped[int | None] = mapped_column(ForeignKey("sops.id"))

    actions: Mapped[list[DecisionAction]] = relationship(
        back_populates="decision", lazy="raise", order_by="DecisionAction.id",
        foreign_keys="DecisionAction.decision_id")
    guideline: Mapped[Guideline | None] = relationship(lazy="raise")


_ENDING_WHERE = ("closed_at IS NULL AND ends_at IS NOT NULL AND action IN ('suspend_reviewer', "
                 "'restrict_business_features', 'consumer_warning', "
                 "'hide_pending_investigation')")


class DecisionAction(Base):
    __tablename__ = "decision_actions"
    __table_args__ = (
        Index("ix_decision_actions_decision", "decision_id", "id"),
        Index("ix_decision_actions_subject", "subject_type", "subject_id", "id"),
        Index("ix_decision_actions_documentation_due", "ends_at",
              postgresql_where=text("action = 'request_documentation' AND closed_at IS NULL"),
              sqlite_where=text("action = 'request_documentation' AND closed_at IS NULL")),
        # The restrictions-end job's scan: what is still in force, by when it ends.
        Index("ix_decision_actions_ending", "ends_at", "id",
              postgresql_where=text(_ENDING_WHERE), sqlite_where=text(_ENDING_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(300))
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    before: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the action stopped being in force: reversed by an appeal, or (documentation
    # requests) answered or expired.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))

    decision: Mapped[Decision] = relationship(back_populates="actions", lazy="raise",
                                              foreign_keys=[decision_id])


class ApprovalRule(Base):
    """Whether an action needs a second person's approval before it takes effect."""

    __tablename__ = "approval_rules"

    action: Mapped[str] = mapped_column(String(40), primary_key=True)
    requires_approval: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutOfCourtDispute(Base):
    """A dispute settled by a certified out-of-court body (DSA Art. 21): tracked to the end."""

    __tablename__ = "out_of_court_disputes"
    __table_args__ = (Index("ix_out_of_court_disputes_case", "case_id", "id"),
                      Index("ix_out_of_court_disputes_submitted", "submitted_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    body: Mapped[str] = mapped_column(String(200))  # the certified settlement body
    reference: Mapped[str | None] = mapped_column(String(120))  # the body's own case number
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # in_favour_of_recipient | in_favour_of_platform | partly | withdrawn | no_decision
    outcome: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    implemented: Mapped[bool | None] = mapped_column(Boolean)
    implemented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
