"""A letter the inbox accepted, then reported undeliverable by the recipient's server days
later: the report comes back to the letter's own envelope sender at the desk's SMTP server,
marks the letter bounced and says so on the case's timeline, without opening a case."""

from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.mail.models import InboundMail
from integrity_desk.messages.bounces import read_report
from integrity_desk.messages.delivery import deliver_due
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import Settings
from tests.mail.conftest import MAIL_SETTINGS
from tests.mail.letters import letter
from tests.smtp_sink import Inbox


def report(to: str, *, action: str = "failed", status: str = "5.1.1",
           diagnostic: str = "smtp; 550 5.1.1 <a.schmidt@kanzlei.example>: no such user",
           original_id: str = "<x@desk.example>") -> EmailMessage:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    msg = EmailMessage()
    msg["From"] = "MAILER-DAEMON@mx.kanzlei.example"
    msg["To"], msg["Subject"] = to, "Undelivered Mail Returned to Sender"
    msg["Message-ID"] = f"<dsn-{action}-{status}@mx.kanzlei.example>"
    msg.set_content("This is the mail system at host mx.kanzlei.example.\n\n"
                    "I'm sorry to have to inform you that your message could not be delivered.")
    status_part = EmailMessage()
    status_part.set_content(
        "Reporting-MTA: dns; mx.kanzlei.example\n\n"
        "Final-Recipient: rfc822; a.schmidt@kanzlei.example\n"
        f"Action: {action}\nStatus: {status}\nDiagnostic-Code: {diagnostic}\n")
    msg.make_mixed()
    msg.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; '
                       f'boundary="{msg.get_boundary()}"')
    msg.attach(_delivery_status(action, status, diagnostic))
    headers = EmailMessage()
    headers.set_content(f"Message-ID: {original_id}\nSubject: Eingangsbestätigung\n")
    headers.replace_header("Content-Type", "text/rfc822-headers")
    msg.attach(headers)
    return msg


def _delivery_status(action: str, status: str, diagnostic: str) -> EmailMessage:
    from email import message_from_bytes, policy

    raw = ("Content-Type: message/delivery-status\r\n\r\n"
           "Reporting-MTA: dns; mx.kanzlei.example\r\n\r\n"
           "Final-Recipient: rfc822; a.schmidt@kanzlei.example\r\n"
           f"Action: {action}\r\nStatus: {status}\r\nDiagnostic-Code: {diagnostic}\r\n")
    return message_from_bytes(raw.encode(), policy=policy.default)  # type: ignore[return-value]


def _send(port: int, msg: EmailMessage, to: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        # A bounce has the null reverse path.
        assert client.sendmail("<>", [to], msg.as_bytes()) == {}


def test_a_failed_report_marks_the_letter_bounced_on_the_case_timeline(
        db: Database, smtp_server, inbox: Inbox) -> None:
    port = smtp_server()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.send_message(letter())
    settings = Settings(**(MAIL_SETTINGS | {"smtp_url": f"smtp://127.0.0.1:{inbox.port}"}))
    with db.session() as s:
        assert deliver_due(s, settings=settings, budget=20)["sent"] == 1
    [sent] = inbox.received
    bounce_to = sent.mail_from  # the letter's own envelope sender
    _send(port, report(bounce_to, original_id=sent.message["Message-ID"]), bounce_to)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1  # no case for a report
        receipt = s.scalars(select(OutboxMessage)).one()
        assert receipt.status == "bounced" and receipt.last_error.startswith("bounced 5.1.1")
        assert "a.schmidt@kanzlei.example" not in receipt.last_error  # masked
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.kind == "message.bounced"))
        payload = json.loads(event.payload)
        assert event.case_id == receipt.case_id and payload["status"] == "5.1.1"
        assert "a.schmidt@kanzlei.example" not in event.payload
        kept = s.scalars(select(InboundMail).where(InboundMail.outcome == "bounce")).one()
        assert kept.case_id == receipt.case_id

    # A report that the letter is only delayed changes nothing but the timeline.
    _send(port, report(bounce_to, action="delayed", status="4.4.1",
                       diagnostic="smtp; 451 4.4.1 try later"), bounce_to)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.kind == "message.delayed")) == 1


def test_a_forged_bounce_address_is_refused(db: Database, smtp_server) -> None:
    port = smtp_server()
    forged = "replies+b1-0123456789@desk.example"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(port, report(forged), forged)
    assert refused.value.smtp_code >= 550  # read as an ordinary letter, and refused as one
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundMail)) == 0


def test_reading_reports() -> None:
    failed = read_report(report("x@desk.example"))
    assert (failed.action, failed.status, failed.failed) == ("failed", "5.1.1", True)
    assert failed.diagnostic.startswith("550 5.1.1")
    plain = EmailMessage()
    plain["Subject"] = "Delivery failure"
    plain.set_content("Your message could not be delivered.")
    assert read_report(plain) == read_report(plain)
    assert read_report(plain).failed and read_report(plain).diagnostic == "Delivery failure"
