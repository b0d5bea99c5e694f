"""The timeline: an append-only, hash-chained event log.

Each case has its own chain (and so do other streams, e.g. ``system``), so writers to different
cases never wait on one another; signed checkpoints over every chain head make a rewrite of the
heads themselves detectable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain_key", "seq"),
        Index("ix_audit_events_case", "case_id", "id"),
        Index("ix_audit_events_occurred", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chain_key: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(48))
    category: Mapped[str] = mapped_column(String(16))  # comment | state | sla | audit | intake
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed exactly as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    __tablename__ = "audit_chains"
    __table_args__ = (Index("ix_audit_chains_updated", "updated_at"),)

    chain_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditCheckpoint(Base):
    """A signed statement of the heads of the chains that moved since the previous checkpoint.

    Each signature covers the previous one, so checkpoints form a chain of their own.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    covers_until: Mapped[datetime] = mapped_column(UTCDateTime)
    chain_count: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    prev_signature: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))


class AuditCheckpointHead(Base):
    __tablename__ = "audit_checkpoint_heads"
    __table_args__ = (Index("ix_audit_checkpoint_heads_chain", "chain_key", "checkpoint_id"),)

    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("audit_checkpoints.id"), primary_key=True
    )
    chain_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
