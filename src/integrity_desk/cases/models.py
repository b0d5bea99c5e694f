"""A case, what it is about (subjects), the further requests joined to it, and its tags.

The case row carries its current state (status, priority, SLA due times) so queues and lists are
single indexed reads; the timeline in the audit slice is the history of how it got there.
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from integrity_desk.cases.domain import OPEN_STATUSES, case_key
from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The claim path: most urgent unassigned case of a queue.
        Index(
            "ix_cases_claim",
            "queue_id",
            "priority",
            "resolution_due_at",
            "id",
            postgresql_where=text("status = 'triaged'"),
            sqlite_where=text("status = 'triaged'"),
        ),
        # Only ix_cases_claim may lead with what a claim filters on (queue, status) *and*
        # give its order: PostgreSQL otherwise walks another index in priority order and
        # throws away every other queue's cases on the way (80 ms instead of 1 ms at 1M).
        # Lists by status, for every status but the one a claim asks for (on SQLite any index
        # that leads with status would win the claim too, then sort a million rows).
        Index("ix_cases_status_worked", "status", "priority", "resolution_due_at", "id",
              postgresql_where=text("status <> 'triaged'"),
              sqlite_where=text("status <> 'triaged'")),
        # Lists in their default order (priority, then due), whole desk or one queue.
        Index("ix_cases_priority_due", "priority", "resolution_due_at", "id"),
        # A queue's open cases in order; partial on is_open, which a claim (status only)
        # does not imply, so the claim keeps to its own index.
        Index("ix_cases_queue_open", "queue_id", "priority", "resolution_due_at", "id",
              postgresql_where=text("is_open"), sqlite_where=text("is_open")),
        Index("ix_cases_assignee_status", "assignee_id", "status", "priority", "id"),
        # My work: one person's open cases in urgency order, read straight off the index
        # (SQLite otherwise walked ix_cases_priority_due past every other case: 300 ms at 100k).
        Index("ix_cases_assignee_open", "assignee_id", "priority", "resolution_due_at", "id",
              postgresql_where=text("is_open"), sqlite_where=text("is_open")),
        Index("ix_cases_kind_status", "kind", "status", "id"),
        Index("ix_cases_created", "created_at", "id"),
        # The overview: the oldest open cases (metrics slice).
        Index("ix_cases_open_created", "created_at", "id",
              postgresql_where=text("is_open"), sqlite_where=text("is_open")),
        Index("ix_cases_due", "resolution_due_at", "id"),
        # One open case per dedupe key: a concurrent duplicate loses the insert and joins.
        Index("uq_cases_open_dedupe", "dedupe_key", unique=True,
              postgresql_where=text("is_open AND dedupe_key IS NOT NULL"),
              sqlite_where=text("is_open AND dedupe_key IS NOT NULL")),
        Index("ix_cases_merged_into", "merged_into_id"),
        # Cases closed on a day (the console's closed_on list and the overview's outflow;
        # ix_cases_retention cannot
        # serve it: it leaves out the closed cases whose personal data is already erased).
        Index("ix_cases_closed", "closed_at", "id",
              postgresql_where=text("closed_at IS NOT NULL"),
              sqlite_where=text("closed_at IS NOT NULL")),
        # Everything one notifier sent (misuse counters, DSA Art. 23), case-insensitively.
        Index("ix_cases_requester_contact", func.lower(text("requester_contact")), "created_at"),
        # Search by requester organisation (exact or prefix, case-insensitively).
        Index("ix_cases_requester_org", func.lower(text("requester_organisation")), "id"),
        # Retention: closed cases whose personal data is still there, oldest closure first.
        Index("ix_cases_retention", "closed_at", "id",
              postgresql_where=text("closed_at IS NOT NULL AND pii_erased_at IS NULL"),
              sqlite_where=text("closed_at IS NOT NULL AND pii_erased_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    tier: Mapped[int] = mapped_column(SmallInteger)
    priority: Mapped[int] = mapped_column(SmallInteger)  # 0 = P0 (most urgent) … 4 = P4
    # The priority triage gave, kept when ageing first raises ``priority`` (routing.ageing);
    # NULL: never aged. Re-triage clears it, since it sets a fresh priority.
    triage_priority: Mapped[int | None] = mapped_column(SmallInteger)
    priority_score: Mapped[int] = mapped_column(Integer, default=0)
    priority_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str | None] = mapped_column(String(32))
    # Harmful to view (triage.harm): ``harm`` is the case's whole (its own text and its
    # reviews'), which routing and lists read; ``text_harm`` its own title and description.
    harm: Mapped[str | None] = mapped_column(String(64))
    text_harm: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    legal_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester_type: Mapped[str] = mapped_column(String(24))
    requester_name: Mapped[str | None] = mapped_column(String(200))
    requester_organisation: Mapped[str | None] = mapped_column(String(200))
    requester_contact: Mapped[str | None] = mapped_column(String(254))
    customer_tier: Mapped[str | None] = mapped_column(String(32))
    revenue_at_stake: Mapped[int | None] = mapped_column(Integer)  # euros per year
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Tags are also rows of case_tags (for filtering); this copy lets a list page show them
    # without one more query per page.
    tag_list: Mapped[list[str]] = mapped_column(JSONType, default=list)

    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    linked_request_count: Mapped[int] = mapped_column(Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When retention erased the requester's personal data (privacy.retention); a reopen clears it.
    pii_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # SLA clock (see the sla slice): due and at-risk instants, pause state, what was recorded.
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_at_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working minutes spent paused so far: due = calendar.add(triaged_at, target + paused).
    sla_paused_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    sla_at_risk_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_breach_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_breach_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subjects: Mapped[list[CaseSubject]] = relationship(
        back_populates="case", lazy="raise", order_by="CaseSubject.id"
    )
    tags: Mapped[list[CaseTag]] = relationship(lazy="raise", order_by="CaseTag.tag")
    queue = relationship("Queue", lazy="raise")
    assignee = relationship("User", lazy="raise")

    @property
    def key(self) -> str:
        return case_key(self.kind, self.id)

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseSubject(Base):
    """A review, business or reviewer account the case is about (many per case)."""

    __tablename__ = "case_subjects"
    __table_args__ = (
        UniqueConstraint("case_id", "subject_type", "subject_id"),
        Index("ix_case_subjects_subject", "subject_type", "subject_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(16))  # review | business | reviewer
    subject_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16), default="primary")  # primary | related
    # Why a person added it to an investigation (investigations.members); None for the
    # subjects intake and the signals named, whose reasons are the request and the findings.
    reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="subjects", lazy="raise")


class CaseRequest(Base):
    """A further request about the same subject that joined an open case (not a duplicate)."""

    __tablename__ = "case_requests"
    __table_args__ = (
        Index("ix_case_requests_case", "case_id", "id"),
        Index("ix_case_requests_contact", func.lower(text("requester_contact")), "received_at"),
        # The requests received in a period (the flagging funnel's joined flags and notices).
        Index("ix_case_requests_received", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    requester_type: Mapped[str] = mapped_column(String(24))
    requester_name: Mapped[str | None] = mapped_column(String(200))
    requester_organisation: Mapped[str | None] = mapped_column(String(200))
    requester_contact: Mapped[str | None] = mapped_column(String(254))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseTag(Base):
    __tablename__ = "case_tags"
    __table_args__ = (Index("ix_case_tags_tag", "tag", "case_id"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
