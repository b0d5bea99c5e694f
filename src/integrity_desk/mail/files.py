"""Reading and erasing what a case's mail left: the list a case view shows, one download
(bounded by what the person may read: the readable-cases clause is part of the query, so a
case one may not read answers exactly as a file that does not exist), and retention's erasure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import readable_clause
from integrity_desk.mail.models import InboundMail, MailContent, MailFile
from integrity_desk.people.models import User


@dataclass
class FileView:
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass
class MailView:
    id: int
    received_at: datetime
    outcome: str
    sender: str | None
    subject: str | None
    size: int
    raw: bool  # the raw message is still stored (not erased by retention)
    files: list[FileView] = field(default_factory=list)


def mail_of_case(session: Session, case_id: int) -> list[MailView]:
    """The messages of a case, oldest first, each with its attachments (two reads)."""
    mails = {m.id: MailView(m.id, m.received_at, m.outcome, m.sender, m.subject, m.size,
                            m.raw_sha256 is not None)
             for m in session.execute(select(
                 InboundMail.id, InboundMail.received_at, InboundMail.outcome,
                 InboundMail.sender, InboundMail.subject, InboundMail.size,
                 InboundMail.raw_sha256).where(InboundMail.case_id == case_id)
                 .order_by(InboundMail.id))}
    if mails:
        for f in session.execute(select(
                MailFile.id, MailFile.inbound_id, MailFile.filename, MailFile.content_type,
                MailFile.size, MailFile.sha256).where(MailFile.case_id == case_id)
                .order_by(MailFile.id)):
            mails[f.inbound_id].files.append(
                FileView(f.id, f.filename, f.content_type, f.size, f.sha256))
    return list(mails.values())


@dataclass
class Download:
    filename: str
    content_type: str
    content: bytes
    legal_restricted: bool


def attachment(session: Session, user: User, case_id: int, file_id: int) -> Download | None:
    """One attachment of a case the user may read; None otherwise."""
    row = session.execute(
        select(MailFile.filename, MailFile.content_type, MailContent.content,
               Case.legal_restricted)
        .join(MailContent, MailContent.sha256 == MailFile.sha256)
        .join(Case, Case.id == MailFile.case_id)
        .where(MailFile.id == file_id, MailFile.case_id == case_id, readable_clause(user))
    ).first()
    return Download(*row) if row else None


def raw_message(session: Session, user: User, case_id: int, mail_id: int) -> Download | None:
    """The raw message (as received, headers and all) of a case the user may read."""
    row = session.execute(
        select(InboundMail.id, MailContent.content, Case.legal_restricted)
        .join(MailContent, MailContent.sha256 == InboundMail.raw_sha256)
        .join(Case, Case.id == InboundMail.case_id)
        .where(InboundMail.id == mail_id, InboundMail.case_id == case_id,
               readable_clause(user))
    ).first()
    return Download(f"message-{row.id}.eml", "message/rfc822", row.content,
                    row.legal_restricted) if row else None


def erase_mail(session: Session, case_ids: Sequence[int], *,
               now: datetime) -> dict[int, int]:
    """Retention: a closed case's mail loses its sender, subject, raw message and attachments;
    bytes no other message still holds are deleted. Returns the messages erased per case."""
    if not case_ids:
        return {}
    counts: dict[int, int] = {}
    for case_id in session.scalars(select(InboundMail.case_id).where(
            InboundMail.case_id.in_(case_ids), InboundMail.erased_at.is_(None))):
        counts[case_id] = counts.get(case_id, 0) + 1
    hashes = set(session.scalars(select(InboundMail.raw_sha256).where(
        InboundMail.case_id.in_(case_ids), InboundMail.raw_sha256.is_not(None))))
    hashes |= set(session.scalars(select(MailFile.sha256).where(
        MailFile.case_id.in_(case_ids))))
    session.execute(delete(MailFile).where(MailFile.case_id.in_(case_ids))
                    .execution_options(synchronize_session=False))
    session.execute(
        update(InboundMail).where(InboundMail.case_id.in_(case_ids),
                                  InboundMail.erased_at.is_(None))
        .values(sender=None, subject=None, recipients=[], raw_sha256=None, erased_at=now)
        .execution_options(synchronize_session=False))
    if hashes:
        still = set(session.scalars(select(InboundMail.raw_sha256).where(
            InboundMail.raw_sha256.in_(hashes)))) | set(session.scalars(
                select(MailFile.sha256).where(MailFile.sha256.in_(hashes))))
        gone = sorted(hashes - still)
        if gone:
            session.execute(delete(MailContent).where(MailContent.sha256.in_(gone))
                            .execution_options(synchronize_session=False))
    return counts
