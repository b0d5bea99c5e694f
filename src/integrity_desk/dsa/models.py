"""Trusted flaggers (Art. 22), and statements of reasons with their submission log (Art. 24(5))."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class TrustedFlagger(Base):
    """An entity awarded trusted-flagger status by a Digital Services Coordinator."""

    __tablename__ = "trusted_flaggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    coordinator: Mapped[str] = mapped_column(String(200))
    areas: Mapped[list[str]] = mapped_column(JSONType, default=list)  # guideline categories
    contact: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DsaStatement(Base):
    """A statement of reasons for the Transparency Database, exactly as built and sent.

    ``statement`` is never updated once written: a correction is a new row (the next version
    of the puid) that supersedes this one, so what the Commission received stays on record.
    Only the submission state moves (queued → submitted | parked; any → superseded).
    """

    __tablename__ = "dsa_statements"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'submitted', 'parked', 'superseded')",
                        name="status"),
        # The submission queue, in puid order (batches are formed from it).
        Index("ix_dsa_statements_queued", "puid",
              postgresql_where=text("status = 'queued'"), sqlite_where=text("status = 'queued'")),
        # Export by date: keyset pages over (created_at, id).
        Index("ix_dsa_statements_created", "created_at", "id"),
        # The statement of a decision's subject (record_statement is idempotent on it).
        Index("ix_dsa_statements_decision_subject", "decision_id", "subject_ref", "version"),
        Index("ix_dsa_statements_case_subject", "case_id", "subject_ref", "version"),
        Index("ix_dsa_statements_parked", "id",
              postgresql_where=text("status = 'parked'"), sqlite_where=text("status = 'parked'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    puid: Mapped[str] = mapped_column(String(500), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # The decisions slice will point this at its table; no foreign key until it exists.
    decision_id: Mapped[int | None] = mapped_column(Integer)
    subject_ref: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    statement: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    tdb_uuid: Mapped[str | None] = mapped_column(String(64))
    parked_reason: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("dsa_statements.id"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DsaSubmissionLog(Base):
    """Append-only: every call to the Transparency Database and every correction, as it was.

    Nothing updates or deletes these rows; a correction is a new statement plus an entry here
    naming the one it supersedes and why.
    """

    __tablename__ = "dsa_submission_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # submit | lookup | park | correct
    action: Mapped[str] = mapped_column(String(16))
    puids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    http_status: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    actor: Mapped[str] = mapped_column(String(120))
