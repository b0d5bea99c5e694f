"""The outbox: every message the desk owes someone, written in the same transaction as the
change that causes it; the worker delivers what is queued (see the channels slice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_case", "case_id", "id"),
        Index("ix_outbox_due", "next_attempt_at", "id",
              postgresql_where=text("status = 'queued'"), sqlite_where=text("status = 'queued'")),
        Index("ix_outbox_held", "id", postgresql_where=text("status = 'held'"),
              sqlite_where=text("status = 'held'")),
        # The dead letters: listed and replayed by id.
        Index("ix_outbox_dead", "id", postgresql_where=text("status = 'dead'"),
              sqlite_where=text("status = 'dead'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: the same cause never queues the same message twice (a retried request, a
    # re-run job), and a receiver can drop a repeat by it.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str | None] = mapped_column(String(254))
    recipient_role: Mapped[str] = mapped_column(String(24))  # requester | appellant | …
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    held_reason: Mapped[str | None] = mapped_column(String(300))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # While queued: when it is due; while a worker holds it, the end of that worker's lease.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The delivering worker's claim token: a result is recorded only under the same claim.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_code: Mapped[int | None] = mapped_column(Integer)  # the relay's last SMTP reply code
    last_error: Mapped[str | None] = mapped_column(Text)
    # Threading of a reply to a mail the requester sent (their Message-ID, and the chain).
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxAttempt(Base):
    """One try at delivering a message: the delivery log (codes and errors, never the text)."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (
        Index("ix_outbox_attempts_message", "message_id", "id"),
        Index("ix_outbox_attempts_started", "started_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    code: Mapped[int | None] = mapped_column(Integer)  # SMTP reply code; None: no answer
    latency_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # sent | retry | dead
    error: Mapped[str | None] = mapped_column(String(500))
