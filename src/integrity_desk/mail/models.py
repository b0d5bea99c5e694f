"""Mail the desk received: one row a message (its Message-ID unique, so an SMTP client's or a
mailbox poll's retry adds nothing), one row an attachment, and the bytes of both kept once per
content (by SHA-256: the same PDF sent twice is stored once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integrity_desk.db import Base, JSONType, UTCDateTime, utcnow


class MailContent(Base):
    """Bytes by their SHA-256: a raw message or an attachment, stored once however often sent.
    In the database, not on a disk beside it, so a message, its case and its files commit in
    one transaction (nothing half-stored) and a backup holds them together."""

    __tablename__ = "mail_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboundMail(Base):
    __tablename__ = "inbound_mail"
    __table_args__ = (Index("ix_inbound_mail_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: the idempotency of intake (an SMTP retry after a lost 250, a second poll).
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(8))  # smtp | imap
    route: Mapped[str | None] = mapped_column(String(32))  # the case kind its address names
    outcome: Mapped[str] = mapped_column(String(16))  # opened | joined | refused | bounce
    reason: Mapped[str | None] = mapped_column(String(500))  # why refused (mailbox intake)
    sender: Mapped[str | None] = mapped_column(String(254))
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)
    subject: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Retention erased the sender, subject and raw message of a closed case's mail.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class MailFile(Base):
    __tablename__ = "mail_files"
    __table_args__ = (Index("ix_mail_files_case", "case_id", "id"),
                      Index("ix_mail_files_inbound", "inbound_id"),
                      Index("ix_mail_files_sha256", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound_mail.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
