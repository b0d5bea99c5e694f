"""Mailbox polling against a real IMAP server (a private Dovecot): the same intake as SMTP,
idempotent by Message-ID, messages marked seen only after their commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.cli.main import app
from integrity_desk.errors import InvalidInput
from integrity_desk.mail.imap import MailboxUrl, poll_once
from integrity_desk.mail.models import InboundMail, MailFile
from integrity_desk.mail.service import MailPolicy
from integrity_desk.settings import Settings, get_settings
from tests.mail.conftest import MAIL_SETTINGS
from tests.mail.letters import letter


def _count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_polling_takes_each_message_once_and_marks_it_seen(db, imap):
    policy = MailPolicy.from_settings(Settings(**MAIL_SETTINGS))
    url = MailboxUrl.parse(imap.url)
    german = letter(message_id="<abmahnung-1@kanzlei.example>")
    imap.append(german.as_bytes())
    imap.append(letter(attachments=[("run.exe", "application/x-msdownload", b"MZ")])
                .as_bytes())
    assert poll_once(db, policy, url) == {"opened": 1, "refused": 1}
    assert imap.unseen() == 0
    with db.session() as session:
        case = session.scalars(select(Case)).one()
        assert (case.kind, case.channel) == ("legal_notice", "email")
        refused = session.scalars(select(InboundMail).where(InboundMail.outcome == "refused"))
        assert "not accepted" in refused.one().reason
    assert _count(db, MailFile) == 1
    # Polling again adds nothing; the same message delivered into the mailbox twice neither.
    assert poll_once(db, policy, url) == {}
    imap.append(german.as_bytes())
    assert poll_once(db, policy, url) == {"duplicate": 1}
    assert (_count(db, Case), _count(db, InboundMail), _count(db, CaseRequest)) == (1, 2, 0)


def test_a_mailbox_of_one_kind_routes_by_kind(db, imap):
    policy = MailPolicy.from_settings(Settings(**MAIL_SETTINGS))
    imap.append(letter(to="inbox@elsewhere.example", attachments=[],
                       body="Our client's review rv-9 was removed wrongly.").as_bytes())
    assert poll_once(db, policy, MailboxUrl.parse(imap.url), kind="csm_escalation") == {
        "opened": 1}
    with db.session() as session:
        case = session.scalars(select(Case)).one()
    assert case.kind == "csm_escalation" and "needs-completion" in case.tag_list
    assert any(m.startswith("business_domain:") for m in case.details["missing"])


def test_idesk_mail_poll_once(db, imap, monkeypatch):
    monkeypatch.setenv("IDESK_DATABASE_URL", db.url)
    for name, value in MAIL_SETTINGS.items():
        monkeypatch.setenv(f"IDESK_{name.upper()}", str(value))
    imap.append(letter().as_bytes())
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["mail", "poll", "--url", imap.url, "--once"])
        again = CliRunner().invoke(app, ["mail", "poll", "--url", imap.url, "--once"])
        wrong = CliRunner().invoke(app, ["mail", "poll", "--url", "pop3://x@y/INBOX",
                                         "--once"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "opened: 1" in result.output and "nothing new" in again.output
    assert wrong.exit_code == 2 and "--url" in wrong.output
    assert _count(db, Case) == 1


@pytest.mark.parametrize(("url", "field_hint"), [
    ("imaps://host/INBOX", "name the host and the user"),
    ("https://user:pw@host/INBOX", "use imaps://"),
])
def test_mailbox_urls_are_checked(url, field_hint):
    with pytest.raises(InvalidInput) as refused:
        MailboxUrl.parse(url)
    assert field_hint in refused.value.message and refused.value.field == "--url"


def test_a_mailbox_url_with_its_parts():
    url = MailboxUrl.parse("imaps://desk%40x.example:p%2Fw@mail.example/Legal")
    assert (url.tls, url.host, url.port, url.user, url.password, url.folder) == (
        True, "mail.example", 993, "desk@x.example", "p/w", "Legal")
