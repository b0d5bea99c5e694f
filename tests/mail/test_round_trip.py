"""In and out together, as a law firm lives it: a German defamation letter with a PDF arrives
by SMTP at legal@; the desk opens a legal notice with the PDF and its hash; its confirmation of
receipt leaves through the outbox's delivery and a real SMTP server receives it in German; the
firm answers that confirmation from its mail program and the answer joins the same case."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage

from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.mail.models import InboundMail, MailFile
from integrity_desk.messages.delivery import deliver_due
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.settings import Settings
from tests.mail.conftest import MAIL_SETTINGS
from tests.mail.letters import PDF, SENDER, letter
from tests.smtp_sink import Inbox


def _send(port: int, msg: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        assert client.send_message(msg) == {}


def test_a_letter_in_a_german_receipt_out_and_the_answer_joins_the_case(
        db: Database, smtp_server, inbox: Inbox, client, make_person) -> None:
    port = smtp_server()
    _send(port, letter(attachments=[("abmahnung.pdf", "application/pdf", PDF)]))
    with db.session() as s:
        case = s.scalars(select(Case)).one()
        assert (case.kind, case.channel, case.language) == ("legal_notice", "email", "de")
        [pdf] = s.scalars(select(MailFile).where(MailFile.case_id == case.id)).all()
        assert pdf.sha256 == hashlib.sha256(PDF).hexdigest() and pdf.filename == "abmahnung.pdf"
        [receipt] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "receipt"))
        assert receipt.status == "queued" and receipt.recipient == "a.schmidt@kanzlei.example"

    relay = Settings(**(MAIL_SETTINGS | {"smtp_url": f"smtp://127.0.0.1:{inbox.port}"}))
    with db.session() as s:
        assert deliver_due(s, settings=relay, budget=20)["sent"] == 1
    [mail] = inbox.messages()
    assert mail["To"] == "a.schmidt@kanzlei.example"
    assert mail["Subject"].startswith("Eingangsbestätigung zu Ihrer rechtlichen Mitteilung")
    assert mail["Auto-Submitted"] == "auto-replied" and mail["Content-Language"] == "de"
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "wir bestätigen den Eingang Ihrer rechtlichen Mitteilung" in text
    assert case.key in text

    # The firm presses "reply": to the Reply-To address, quoting the Message-ID.
    answer = letter(to=mail["Reply-To"], sender=SENDER, subject="AW: " + mail["Subject"],
                    body="Anbei das Urteil des Landgerichts.",
                    attachments=[("urteil.pdf", "application/pdf", PDF + b"urteil")],
                    in_reply_to=mail["Message-ID"])
    _send(port, answer)
    with db.session() as s:
        assert s.scalars(select(Case)).all() == [s.get(Case, case.id)]  # no second case
        outcomes = s.scalars(select(InboundMail.outcome).order_by(InboundMail.id)).all()
        assert outcomes == ["opened", "joined"]
        files = s.scalars(select(MailFile.filename).where(MailFile.case_id == case.id)
                          .order_by(MailFile.id)).all()
        assert files == ["abmahnung.pdf", "urteil.pdf"]
        assert s.get(Case, case.id).linked_request_count == 1

    # Counsel answers in the case view's words; the letter threads under the firm's answer.
    counsel = make_person("legal")
    api = "/api/v1"
    assert client.post(f"{api}/cases/{case.key}/claim", headers=counsel.headers).status_code \
        == 200
    r = client.post(f"{api}/cases/{case.key}/replies", headers=counsel.headers,
                    json={"text": "Wir haben die Bewertung entfernt."})
    assert r.status_code == 201 and r.json()["status"] == "held", r.text
    r = client.post(f"{api}/messages/{r.json()['id']}/release", headers=counsel.headers,
                    json={})
    assert r.status_code == 200, r.text
    with db.session() as s:
        assert deliver_due(s, settings=relay, budget=20)["sent"] == 1
    reply = inbox.messages()[-1]
    assert reply["In-Reply-To"] == answer["Message-ID"]
    assert reply["Subject"].startswith(f"Zu Ihrem Anliegen ({case.key})")
    assert "Wir haben die Bewertung entfernt." in reply.get_body(
        preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
