"""Mail in by SMTP, sent by a real client (smtplib, and swaks), over a real socket."""

from __future__ import annotations

import hashlib
import shutil
import smtplib
import subprocess

import pytest
from sqlalchemy import func, select

from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.mail.models import InboundMail, MailContent, MailFile
from integrity_desk.messages.addresses import message_id, reply_address, reply_token
from tests.mail.letters import PDF, letter


def send(port: int, msg, *, to: list[str] | None = None) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.send_message(msg, to_addrs=to)


def counts(db) -> tuple[int, int, int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(m))  # type: ignore
                     for m in (Case, InboundMail, MailFile, CaseRequest))


def the_case(db) -> Case:
    with db.session() as session:
        return session.scalars(select(Case)).one()


def test_a_german_defamation_letter_with_a_pdf_becomes_a_legal_notice(db, smtp_server):
    port = smtp_server()
    assert send(port, letter()) == {}
    case = the_case(db)
    assert (case.kind, case.channel, case.status) == ("legal_notice", "email", "triaged")
    assert case.requester_type == "law_firm" and case.language == "de"
    assert case.requester_contact == "a.schmidt@kanzlei.example"
    assert case.details["jurisdiction"] == "DE" and case.details["notice_type"] == "defamation"
    assert case.details["urls"] == ["https://reviews.example.com/reviews/rv-de-771"]
    assert case.resolution_due_at is not None and case.legal_deadline.year == 2030
    assert "needs-completion" not in case.tag_list
    with db.session() as session:
        pdf = session.scalars(select(MailFile)).one()
        assert (pdf.case_id, pdf.filename, pdf.content_type, pdf.size) == (
            case.id, "abmahnung.pdf", "application/pdf", len(PDF))
        assert pdf.sha256 == hashlib.sha256(PDF).hexdigest()
        assert session.get(MailContent, pdf.sha256).content == PDF
        mail = session.scalars(select(InboundMail)).one()
        assert (mail.outcome, mail.route, mail.source) == ("opened", "legal_notice", "smtp")
        raw = session.get(MailContent, mail.raw_sha256).content
        assert b"Abmahnung" in raw and hashlib.sha256(raw).hexdigest() == mail.raw_sha256


def test_replies_join_the_case_by_address_subject_or_in_reply_to(db, smtp_server):
    port = smtp_server()
    send(port, letter())
    case = the_case(db)
    token = reply_token(case.id, "test-secret")
    # 1. to the +token reply address
    send(port, letter(to=reply_address(case.id, reply_to="replies@desk.example",
                                       secret="test-secret"),
                      subject="Re: Ihre Eingangsbestätigung", body="Anbei das Urteil.",
                      attachments=[("urteil.pdf", "application/pdf", PDF + b"2")]))
    # 2. to the plain reply address, the token only in the subject
    send(port, letter(to="replies@desk.example", subject=f"AW: Eingang [ref:{token}]",
                      body="Nachtrag.", attachments=[]))
    # 3. to legal@, answering one of our letters by its Message-ID
    send(port, letter(subject="Noch eine Frage", body="Frage.", attachments=[],
                      in_reply_to=message_id(7, case.id, domain="desk.example",
                                             secret="test-secret")))
    assert counts(db) == (1, 4, 2, 3)
    with db.session() as session:
        outcomes = session.scalars(select(InboundMail.outcome).order_by(InboundMail.id)).all()
        files = session.scalars(select(MailFile.case_id)).all()
        joined = session.get(Case, case.id)
        assert outcomes == ["opened", "joined", "joined", "joined"]
        assert set(files) == {case.id} and joined.linked_request_count == 3


def test_a_forged_token_joins_nothing_and_a_bare_reply_is_refused(db, smtp_server):
    port = smtp_server()
    send(port, letter())
    case = the_case(db)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, letter(to="replies@desk.example",
                          subject=f"Re: [ref:c{case.id}-0000000000]", attachments=[]))
    assert refused.value.smtp_code == 550
    assert counts(db) == (1, 1, 1, 0)


def test_an_unknown_recipient_gets_550_and_nothing_is_stored(db, smtp_server):
    port = smtp_server()
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(port, letter(to="ceo@desk.example"))
    assert refused.value.recipients["ceo@desk.example"][0] == 550
    assert counts(db) == (0, 0, 0, 0)


def test_an_oversized_message_gets_552(db, smtp_server):
    port = smtp_server(mail_max_bytes=50_000)
    big = letter(attachments=[("big.pdf", "application/pdf", b"%PDF" + b"x" * 60_000)])
    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
        send(port, big)
    assert refused.value.smtp_code == 552
    assert counts(db) == (0, 0, 0, 0)


@pytest.mark.parametrize(("attachments", "code", "words"), [
    ([("run.exe", "application/x-msdownload", b"MZ")], 554, b"not accepted"),
    ([(f"p{i}.pdf", "application/pdf", PDF + bytes([i])) for i in range(4)], 552,
     b"too many attachments"),
])
def test_attachments_the_desk_does_not_take_are_refused(db, smtp_server, attachments, code,
                                                        words):
    port = smtp_server()
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, letter(attachments=attachments))
    assert refused.value.smtp_code == code and words in refused.value.smtp_error
    assert counts(db) == (0, 0, 0, 0)


def test_a_repeated_message_id_adds_nothing_and_one_pdf_is_stored_once(db, smtp_server):
    port = smtp_server()
    first = letter(message_id="<same@kanzlei.example>")
    send(port, first)
    send(port, first)
    send(port, letter())  # another letter with the same PDF
    assert counts(db)[:3] == (2, 2, 2)
    with db.session() as session:
        # the raw messages (2) and the one PDF
        assert session.scalar(select(func.count()).select_from(MailContent)) == 3


def test_the_rate_per_sender_answers_451(db, smtp_server):
    port = smtp_server(mail_rate_per_sender="2/minute")
    send(port, letter(attachments=[]))
    send(port, letter(attachments=[]))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, letter(attachments=[]))
    assert refused.value.smtp_code == 451
    assert counts(db)[0] == 2


def test_a_malformed_message_gets_550(db, smtp_server):
    port = smtp_server()
    with smtplib.SMTP("127.0.0.1", port) as client, pytest.raises(
            smtplib.SMTPDataError) as refused:
        client.sendmail("x@y.example", ["legal@desk.example"], b"no headers at all\r\n")
    assert refused.value.smtp_code == 550
    assert counts(db) == (0, 0, 0, 0)


def test_an_incomplete_letter_opens_a_case_that_needs_completion(db, smtp_server):
    port = smtp_server()
    send(port, letter(body="Please take down the review about our client. It is wrong.",
                      sender="someone@firm.example", subject="Review", attachments=[]))
    case = the_case(db)
    assert case.kind == "legal_notice" and "needs-completion" in case.tag_list
    missing = " ".join(case.details["missing"])
    for element in ("urls", "sender", "good_faith_statement", "jurisdiction", "deadline"):
        assert f"{element}:" in missing
    assert case.legal_restricted and case.legal_deadline is None


def test_swaks_sends_a_letter_with_a_pdf(db, smtp_server, tmp_path):
    swaks = shutil.which("swaks")
    if swaks is None:
        pytest.fail("swaks is missing: run scripts/ensure-swaks.sh")
    port = smtp_server()
    pdf = tmp_path / "beschluss.pdf"
    pdf.write_bytes(PDF)
    done = subprocess.run(
        [swaks, "--server", "127.0.0.1", "--port", str(port), "--to", "legal@desk.example",
         "--from", "kanzlei@kanzlei.example", "--header", "Subject: Beschluss Landgericht",
         "--body", "Beschluss des Landgerichts Hamburg, siehe Anlage.",
         "--attach-type", "application/pdf", "--attach-name", "beschluss.pdf",
         "--attach", f"@{pdf}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "250 2.0.0 OK: received (opened" in done.stdout
    with db.session() as session:
        stored = session.scalars(select(MailFile)).one()
        assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
        assert session.scalars(select(Case)).one().details["jurisdiction"] == "DE"


def test_data_beyond_the_size_is_552_even_when_mail_from_declared_none(db, smtp_server):
    port = smtp_server(mail_max_bytes=50_000)
    big = letter(attachments=[("big.pdf", "application/pdf", b"%PDF" + b"x" * 60_000)])
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo()
        client.mail("a.schmidt@kanzlei.example")  # no SIZE= parameter
        client.rcpt("legal@desk.example")
        code, _ = client.data(big.as_bytes().replace(b"\n", b"\r\n"))
        assert code == 552
        # The session goes on: the next letter in it is taken.
        assert client.send_message(letter(attachments=[])) == {}
    assert counts(db)[:2] == (1, 1)


def test_dot_stuffed_lines_are_stored_as_written(db, smtp_server):
    port = smtp_server()
    send(port, letter(body=".A line that begins with a dot.\n..and one with two.\n",
                      attachments=[]))
    with db.session() as session:
        raw = session.get(MailContent, session.scalar(select(InboundMail.raw_sha256))).content
    assert b"\n.A line that begins with a dot.\r\n..and one with two." in raw


def test_a_fault_while_storing_answers_451_and_stores_nothing(db, smtp_server, monkeypatch):
    from integrity_desk.mail import service

    port = smtp_server()
    real_store = service._store

    def failing_store(*args, **kwargs):
        real_store(*args, **kwargs)  # everything written, then the fault before the commit
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "_store", failing_store)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, letter())
    assert refused.value.smtp_code == 451 and b"disk on fire" not in refused.value.smtp_error
    assert counts(db) == (0, 0, 0, 0)
    monkeypatch.setattr(service, "_store", real_store)
    assert send(port, letter()) == {}  # the sender's retry lands
    assert counts(db)[:3] == (1, 1, 1)
