"""Delivery reports: a letter the relay accepted (250) can still fail further on, days later,
at the recipient's own server. That server sends a delivery status notification (RFC 3464) to
the letter's envelope sender, which is the letter's own bounce address (``addresses.
bounce_address``); the desk's SMTP server hands it here instead of opening a case.

A report that the letter failed marks it ``bounced`` and puts the reason on the case's
timeline (the person was not told: whoever handles the case must find another way); a report
that it is only delayed is noted on the timeline and changes nothing. The timeline holds the
status code and the remote server's words with any address in them masked, never the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message

from sqlalchemy import update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.messages.domain import Status
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.privacy.domain import mask_text


@dataclass(frozen=True)
class Report:
    """What a delivery report says about the letter: failed or delayed, and why."""

    action: str  # failed | delayed | delivered | relayed | expanded
    status: str | None  # the enhanced status code, "5.1.1"
    diagnostic: str | None  # the remote server's own words

    @property
    def failed(self) -> bool:
        return self.action == "failed"


def read_report(msg: EmailMessage) -> Report:
    """The first recipient's fields of a ``multipart/report; report-type=delivery-status``
    message. A report in another shape (an old server's plain-text bounce) is read as failed,
    with its subject as the reason: it came to an address only bounces are sent to."""
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for block in blocks if isinstance(blocks, list) else []:
            if isinstance(block, Message) and block.get("Action"):
                diagnostic = str(block.get("Diagnostic-Code") or "").partition(";")[2]
                return Report(str(block["Action"]).strip().lower(),
                              str(block.get("Status") or "").strip() or None,
                              " ".join(diagnostic.split())[:500] or None)
    subject = " ".join(str(msg.get("Subject") or "").split())
    return Report("failed", None, subject[:500] or "undeliverable (no delivery report)")


def record_bounce(session: Session, outbox_id: int, report: Report, *, now: datetime
                  ) -> int | None:
    """Apply a report to its letter; the letter's case (None when the letter is gone, e.g.
    erased by retention: the report is then about nothing the desk still holds)."""
    letter = session.get(OutboxMessage, outbox_id)
    if letter is None:
        return None
    diagnostic = mask_text(report.diagnostic or "") or None
    if report.failed:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(
            status=Status.BOUNCED.value, last_error=(
                f"bounced {report.status or ''}: {diagnostic or ''}".strip(" :"))[:500])
            .execution_options(synchronize_session=False))
    if letter.case_id is not None and report.action in ("failed", "delayed"):
        record(session, kind="message.bounced" if report.failed else "message.delayed",
               category="audit", actor=SYSTEM, case_id=letter.case_id, at=now,
               payload={"message_id": outbox_id, "kind": letter.kind,
                        "to": letter.recipient_role, "status": report.status,
                        "diagnostic": diagnostic})
    return letter.case_id
