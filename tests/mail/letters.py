"""Letters the mail tests send: built with the standard library, as a mail program would."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

# A PDF's bytes as far as anyone reading the type can tell (its header), then padding.
PDF = b"%PDF-1.4\n% Abmahnung\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"

GERMAN_DEFAMATION = """Sehr geehrte Damen und Herren,

wir vertreten die Bäckerei Müller GmbH. Die unter
https://reviews.example.com/reviews/rv-de-771 veröffentlichte Bewertung behauptet wahrheitswidrig,
unsere Mandantin verkaufe verdorbene Ware. Das ist eine unwahre Tatsachenbehauptung und erfüllt
den Tatbestand der üblen Nachrede nach § 186 StGB; der Unterlassungsanspruch folgt aus
§ 823 BGB nach deutschem Recht.

Wir fordern Sie auf, die Bewertung bis zum 15.01.2030 zu entfernen.

Wir versichern in gutem Glauben, dass die Angaben in dieser Meldung richtig und vollständig sind.

Mit freundlichen Grüßen
Dr. Anna Schmidt, Rechtsanwältin
Kanzlei Schmidt & Partner
"""


SENDER = "Dr. Anna Schmidt <a.schmidt@kanzlei.example>"


def letter(*, to: str = "legal@desk.example", sender: str = SENDER,
           subject: str = "Abmahnung: Bewertung rv-de-771", body: str = GERMAN_DEFAMATION,
           attachments: list[tuple[str, str, bytes]] | None = None,
           message_id: str | None = None, in_reply_to: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = message_id or make_msgid(domain="kanzlei.example")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content(body)
    for name, ctype, content in attachments if attachments is not None else [
            ("abmahnung.pdf", "application/pdf", PDF)]:
        main, sub = ctype.split("/")
        msg.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return msg
