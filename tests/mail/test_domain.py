"""Reading a received message: the boundary splitter against what mail programs really send."""

from __future__ import annotations

from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from integrity_desk.mail.domain import Limits, Refused, Routes, check_limits, read_letter
from tests.mail.letters import PDF, letter


def test_a_letter_with_a_pdf():
    got = read_letter(letter().as_bytes())
    assert (got.sender_name, got.sender) == ("Dr. Anna Schmidt", "a.schmidt@kanzlei.example")
    assert got.subject == "Abmahnung: Bewertung rv-de-771" and "üblen Nachrede" in got.text
    assert [(a.filename, a.content_type, a.content) for a in got.attachments] == [
        ("abmahnung.pdf", "application/pdf", PDF)]


def test_nested_alternative_parts_quoted_printable_and_encoded_words():
    outer = MIMEMultipart("mixed")
    outer["From"] = "=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jm@kanzlei.example>"
    outer["To"] = "legal@desk.example"
    outer["Subject"] = "=?utf-8?b?w5xibGUgTmFjaHJlZGU=?="
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("Grüße aus Köln, bitte löschen.", "plain", "utf-8"))
    alternative.attach(MIMEText("<p>Grüße <b>aus</b> Köln</p>", "html", "utf-8"))
    outer.attach(alternative)
    pdf = MIMEApplication(PDF, "pdf")
    pdf.add_header("Content-Disposition", "attachment",
                   filename=("utf-8", "", "Schriftsatz vom 3.1.pdf"))
    outer.attach(pdf)
    got = read_letter(outer.as_bytes().replace(b"\n", b"\r\n"))
    assert got.sender_name == "Jürgen Müller" and got.subject == "Üble Nachrede"
    assert got.text == "Grüße aus Köln, bitte löschen."
    assert [(a.filename, a.content) for a in got.attachments] == [
        ("Schriftsatz vom 3.1.pdf", PDF)]


def test_html_only_and_a_missing_message_id():
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "x@y.example", "legal@desk.example", "Hi"
    msg.set_content("<p>Remove <a href='https://r.example/reviews/1'>this</a></p>",
                    subtype="html")
    raw = msg.as_bytes()
    got = read_letter(raw)
    assert "Remove" in got.text and "<p>" not in got.text
    assert got.message_id.startswith("<sha256-") and read_letter(raw).message_id == \
        got.message_id


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"Subject: no sender\r\n\r\nbody\r\n"])
def test_no_message_is_550(raw):
    with pytest.raises(Refused) as refused:
        read_letter(raw)
    assert refused.value.code == 550 and refused.value.status == "5.6.0"


def test_limits_name_the_file_and_its_type():
    limits = Limits.from_setting(1, "application/pdf,image/*")
    assert limits.allows("image/png") and not limits.allows("text/html")
    two = read_letter(letter(attachments=[("a.pdf", "application/pdf", PDF),
                                          ("b.png", "image/png", b"png")]).as_bytes())
    with pytest.raises(Refused, match="too many attachments: 2"):
        check_limits(two, limits)
    svg = read_letter(letter(attachments=[("x.svg", "image/svg+xml", b"<svg/>")]).as_bytes())
    check_limits(svg, Limits.from_setting(3, "image/*"))
    with pytest.raises(Refused, match=r"'x\.svg' of type image/svg\+xml is not accepted"):
        check_limits(svg, Limits.from_setting(3, "application/pdf"))


def test_routes():
    routes = Routes("legal@=legal_notice,appeals@desk.example=appeal",
                    reply_address="Desk <replies@desk.example>")
    assert routes.kind_of("Legal+urgent@Other.example") == "legal_notice"
    assert routes.kind_of("appeals@desk.example") == "appeal"
    assert routes.kind_of("appeals@other.example") is None
    assert routes.is_reply_address("replies+c1-abc@desk.example")
    assert not routes.accepts("ceo@desk.example")
    with pytest.raises(ValueError, match="IDESK_MAIL_ROUTES"):
        Routes("legal@=lawsuit", reply_address="")
