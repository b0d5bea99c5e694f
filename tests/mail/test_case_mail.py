"""A case's mail in the case view: listed with name, type, size and SHA-256, downloadable by the
roles that may see personal data (the readable-cases clause bounding which cases), refused to
masked roles, and erased with the case's personal data by retention."""

from __future__ import annotations

import hashlib
import re
import smtplib
from datetime import timedelta

from sqlalchemy import func, select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.mail.models import InboundMail, MailContent, MailFile
from integrity_desk.privacy.retention import erase_batch
from tests.mail.letters import PDF, letter


def _received(db, smtp_server) -> str:
    port = smtp_server()
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(letter())
    with db.session() as session:
        return session.scalars(select(Case)).one().key


def test_the_case_view_lists_the_pdf_and_a_legal_counsel_downloads_it(
        db, smtp_server, make_person, sign_in):
    key = _received(db, smtp_server)
    browser = sign_in(make_person("legal"))
    page = browser.client.get(f"/cases/{key}")
    assert page.status_code == 200, page.text
    assert "abmahnung.pdf" in page.text and hashlib.sha256(PDF).hexdigest() in page.text
    file_link = re.search(rf'href="(/cases/{key}/files/\d+)"', page.text).group(1)
    raw_link = re.search(rf'href="(/cases/{key}/mail/\d+/raw)"', page.text).group(1)
    got = browser.client.get(file_link)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    raw = browser.client.get(raw_link)
    assert raw.status_code == 200 and b"Subject: Abmahnung" in raw.content
    with db.session() as session:
        downloads = session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.kind == "mail.downloaded"))
    assert downloads == 2


def test_masked_roles_are_refused_and_unreadable_cases_answer_404(
        db, smtp_server, make_person, sign_in):
    key = _received(db, smtp_server)
    with db.session() as session:
        file_id = session.scalar(select(MailFile.id))
    agent = sign_in(make_person("agent"))
    assert agent.client.get(f"/cases/{key}/files/{file_id}").status_code == 403
    # A specialist may download mail, but not of a legal notice they may not read.
    specialist = sign_in(make_person("specialist"))
    assert specialist.client.get(f"/cases/{key}/files/{file_id}").status_code == 404
    assert specialist.client.get(f"/cases/{key}/mail/1/raw").status_code == 404
    # The right file under the wrong case is no file either.
    manager = sign_in(make_person("manager"))
    assert manager.client.get(f"/cases/LEG-999/files/{file_id}").status_code == 404
    assert manager.client.get(f"/cases/{key}/files/{file_id}").status_code == 200


def test_a_needs_completion_case_shows_what_is_missing(db, smtp_server, make_person, sign_in):
    port = smtp_server()
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(letter(body="Remove the review about us, it is wrong.",
                                   sender="someone@firm.example", attachments=[]))
    with db.session() as session:
        key = session.scalars(select(Case)).one().key
    page = sign_in(make_person("manager")).client.get(f"/cases/{key}")
    assert "Needs completion" in page.text
    assert "good_faith_statement: a statement of good faith" in page.text


def test_retention_erases_the_mail_and_its_bytes(db, smtp_server, make_person, sign_in):
    key = _received(db, smtp_server)
    case_id = int(key.split("-")[1])
    with db.session() as session:
        session.execute(update(Case).where(Case.id == case_id).values(
            status="closed", is_open=False, closed_at=utcnow() - timedelta(days=400)))
    with db.session() as session:
        done = erase_batch(session, now=utcnow(), retention_days=365)
    assert done.cases == 1
    with db.session() as session:
        mail = session.scalars(select(InboundMail)).one()
        assert (mail.sender, mail.subject, mail.raw_sha256) == (None, None, None)
        assert mail.erased_at is not None
        assert session.scalar(select(func.count()).select_from(MailFile)) == 0
        assert session.scalar(select(func.count()).select_from(MailContent)) == 0
    page = sign_in(make_person("manager")).client.get(f"/cases/{key}")
    assert "Erased by retention" in page.text and "abmahnung.pdf" not in page.text


def test_an_attachment_named_for_harm_makes_the_case_harmful(db, smtp_server):
    """docs/wellbeing.md: a file's name says what it shows; routing then treats the case as
    harmful to work (the cap), whatever its text."""
    port = smtp_server()
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(letter(attachments=[("beheading_clip.pdf", "application/pdf", PDF)]))
    with db.session() as session:
        case = session.scalars(select(Case)).one()
        assert case.harm == "violence"
