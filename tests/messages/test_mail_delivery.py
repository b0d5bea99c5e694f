"""The outbox delivered by SMTP to a real server (aiosmtpd): the MIME message and its headers,
4xx retried until sent, 5xx dead, the timeline's words, and the relay URL's forms."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.errors import InvalidInput
from integrity_desk.messages.addresses import bounced_letter, case_from_address, case_from_subject
from integrity_desk.messages.domain import MessageKind
from integrity_desk.messages.mime import parse_relay
from integrity_desk.messages.models import OutboxAttempt, OutboxMessage
from integrity_desk.settings import Settings
from tests.messages.conftest import make_cases, queue_letters
from tests.smtp_sink import Inbox


def _rows(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        s.expunge_all()
        return rows


def _events(db: Database, case_id: int) -> list[tuple[str, dict]]:
    with db.session() as s:
        return [(e.kind, json.loads(e.payload)) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id,
                                     AuditEvent.kind.like("message.%"))
            .order_by(AuditEvent.id))]


def test_a_receipt_goes_out_as_a_proper_email(db: Database, inbox: Inbox,
                                              deliver: Callable[..., dict[str, int]]) -> None:
    [case_id] = make_cases(db, 1)
    [receipt] = queue_letters(db, [case_id], kind=MessageKind.RECEIPT, language="de")
    assert deliver()["sent"] == 1
    [got] = inbox.received
    # The envelope sender is the letter's own bounce address (VERP): a report names the letter.
    assert bounced_letter(got.mail_from, "test-secret") == receipt
    assert got.mail_from.startswith("replies+b") and got.rcpt_tos == ["ann@example.org"]
    msg = got.message
    assert msg["From"] == "Integrity Desk <desk@desk.example>"
    assert msg["To"] == "ann@example.org"
    assert msg["Message-ID"].startswith(f"<outbox-{receipt}.c{case_id}-")
    assert msg["Message-ID"].endswith("@desk.example>")
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Content-Language"] == "de" and msg["Date"]
    assert msg["In-Reply-To"] is None
    # A reply finds its case by the token in Reply-To, and in the subject.
    assert msg["Reply-To"].startswith("Desk replies <replies+c")
    assert case_from_address(msg["Reply-To"], "test-secret") == case_id
    assert case_from_subject(msg["Subject"], "test-secret") == case_id
    body = msg.get_body(("plain",))
    assert body is not None and "ünïcödé" in body.get_content()
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_code, row.claimed_by) == ("sent", 1, 250, None)
    assert row.sent_at is not None
    [(_, payload)] = [e for e in _events(db, case_id) if e[0] == "message.sent"]
    assert payload == {"message_id": receipt, "kind": "receipt", "to": "notifier",
                       "attempt": 1, "code": 250}


def test_other_letters_are_auto_generated_and_replies_are_threaded(
        db: Database, inbox: Inbox, deliver: Callable[..., dict[str, int]]) -> None:
    [case_id] = make_cases(db, 1)
    [letter] = queue_letters(db, [case_id])
    with db.session() as s:
        row = s.get(OutboxMessage, letter)
        row.in_reply_to = "<their-1@lawfirm.example>"
        row.references = "<their-0@lawfirm.example> <their-1@lawfirm.example>"
    deliver()
    msg = inbox.messages()[0]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["In-Reply-To"] == "<their-1@lawfirm.example>"
    assert msg["References"] == "<their-0@lawfirm.example> <their-1@lawfirm.example>"


def test_a_4xx_is_retried_with_the_same_message_id_until_sent(
        db: Database, inbox: Inbox, deliver: Callable[..., dict[str, int]]) -> None:
    [case_id] = make_cases(db, 1)
    [letter] = queue_letters(db, [case_id])
    inbox.at_rcpt["ann@example.org"] = ["451 4.3.0 try again later"]
    inbox.at_data.append("452 4.3.1 insufficient storage")
    assert deliver(mail_backoff_base_seconds=3600, mail_backoff_cap_seconds=7200) == {
        "sent": 0, "retry": 1, "dead": 0, "released": 0, "lost_claim": 0, "batches": 1}
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_code) == ("queued", 1, 451)
    assert "try again later" in row.last_error
    assert deliver()["sent"] == 0  # not due yet: the back-off holds it
    with db.session() as s:
        s.get(OutboxMessage, letter).next_attempt_at = row.created_at
    assert deliver()["retry"] == 1  # the 452 at DATA
    assert deliver()["sent"] == 1
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_code) == ("sent", 3, 250)
    # The refused DATA and the accepted one carried the same Message-ID: one message, resent.
    assert len(inbox.data_ids) == 2 and len(set(inbox.data_ids)) == 1
    assert inbox.data_ids[0].startswith(f"<outbox-{letter}.c{case_id}-")
    kinds = [k for k, _ in _events(db, case_id)]
    assert kinds == ["message.queued", "message.retrying", "message.retrying", "message.sent"]
    retrying = _events(db, case_id)[1][1]
    assert retrying["code"] == 451 and retrying["attempt"] == 1
    assert retrying["next_attempt_at"] and "ann@" not in str(retrying)
    with db.session() as s:
        outcomes = [(a.attempt, a.code, a.outcome) for a in s.scalars(
            select(OutboxAttempt).order_by(OutboxAttempt.id))]
    assert outcomes == [(1, 451, "retry"), (2, 452, "retry"), (3, 250, "sent")]


def test_a_5xx_is_dead_at_once_and_too_many_4xx_too(
        db: Database, inbox: Inbox, deliver: Callable[..., dict[str, int]]) -> None:
    first, second = make_cases(db, 2)
    queue_letters(db, [first], to="gone@example.org")
    queue_letters(db, [second], to="busy@example.org")
    inbox.at_rcpt["gone@example.org"] = ["550 5.1.1 <gone@example.org>: no such user"]
    inbox.at_rcpt["busy@example.org"] = ["421 4.7.0 busy"] * 10
    counts = {"sent": 0, "retry": 0, "dead": 0}
    for _ in range(5):
        for k, v in deliver().items():
            if k in counts:
                counts[k] += v
    assert counts == {"sent": 0, "retry": 3, "dead": 2}
    gone, busy = _rows(db)
    assert (gone.status, gone.attempts, gone.last_code) == ("dead", 1, 550)
    assert (busy.status, busy.attempts, busy.last_code) == ("dead", 4, 421)
    assert gone.dead_at is not None and inbox.received == []
    [(_, payload)] = [e for e in _events(db, first) if e[0] == "message.dead"]
    assert payload["code"] == 550 and "no such user" in payload["error"]
    assert "gone@" not in str(payload)  # the relay's words, the address erased


def test_an_unreachable_relay_is_a_retry_not_a_send(
        db: Database, mail_settings: Settings, deliver: Callable[..., dict[str, int]]) -> None:
    [case_id] = make_cases(db, 1)
    queue_letters(db, [case_id], per_case=3)
    closed = f"smtp://127.0.0.1:{_closed_port()}"
    assert deliver(smtp_url=closed)["retry"] == 3
    rows = _rows(db)
    assert {r.status for r in rows} == {"queued"} and all(r.sent_at is None for r in rows)
    assert all("relay unreachable" in (r.last_error or "") or "ConnectionRefused" in (
        r.last_error or "") for r in rows)


def test_connections_are_reused_across_messages(
        db: Database, inbox: Inbox, deliver: Callable[..., dict[str, int]]) -> None:
    queue_letters(db, make_cases(db, 10), per_case=3)
    assert deliver(mail_batch=7)["sent"] == 30
    assert len(inbox.received) == 30
    assert inbox.sessions == 2  # mail_connections, for every batch of the run
    ids = [m["Message-ID"] for m in inbox.messages()]
    assert len(set(ids)) == 30


def test_no_relay_means_email_is_off_and_nothing_is_sent(
        db: Database, settings: Settings) -> None:
    assert not settings.email_on
    queue_letters(db, make_cases(db, 1))
    with pytest.raises(InvalidInput, match="e-mail is off") as err:
        from integrity_desk.messages.delivery import deliver_due
        with db.session() as s:
            deliver_due(s, settings=settings)
    assert err.value.field == "IDESK_SMTP_URL"
    [row] = _rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("queued", 0, None)


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://relay.example.com", ("relay.example.com", 25, False, False, None, None)),
    ("smtp://u%40x.example:p%3Ass%2Fw@relay.example.com:587?starttls=1",
     ("relay.example.com", 587, False, True, "u@x.example", "p:ss/w")),
    ("smtps://desk:secret@relay.example.com", ("relay.example.com", 465, True, False, "desk",
                                              "secret")),
])
def test_relay_urls_are_read(url: str, expected: tuple) -> None:
    r = parse_relay(url)
    assert (r.host, r.port, r.tls, r.starttls, r.user, r.password) == expected
    assert "secret" not in r.describe() and "p:ss" not in r.describe()


@pytest.mark.parametrize(("url", "reason"), [
    ("http://relay.example.com", "scheme must be smtp or smtps"),
    ("smtp://", "name the relay's host"),
    ("smtp://relay.example.com:99999", "not a valid URL"),
    ("smtp://relay.example.com?starttls=maybe", "starttls is 1 or 0"),
    ("smtp://relay.example.com?tls=1", "unknown option"),
    ("smtps://relay.example.com?starttls=1", "TLS from the start"),
    ("smtp://user@relay.example.com", "needs a password"),
    ("smtp://relay.example.com/inbox", "no path"),
])
def test_a_malformed_relay_url_is_refused_naming_the_setting(url: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as err:
        parse_relay(url)
    assert err.value.field == "IDESK_SMTP_URL"


def test_the_worker_delivers_only_once_a_relay_is_set(settings: Settings,
                                                      mail_settings: Settings) -> None:
    from integrity_desk.jobs.worker import HANDLERS, periodic

    assert "mail.deliver" in HANDLERS
    assert "mail.deliver" not in dict(periodic(settings))
    assert dict(periodic(mail_settings))["mail.deliver"] == mail_settings.mail_poll_seconds


def test_the_timeline_says_what_happened_in_words(db: Database, inbox: Inbox,
                                                  deliver: Callable[..., dict[str, int]]
                                                  ) -> None:
    from integrity_desk.web.cases.views import _describe

    assert _describe("message.sent", {"kind": "receipt", "to": "requester"}) == (
        "sent the receipt to the requester by e-mail")
    text = _describe("message.retrying", {"kind": "decision_notice", "to": "notifier",
                                          "attempt": 2, "code": 451,
                                          "next_attempt_at": "2026-12-06T22:30:00+00:00"})
    assert "could not deliver the decision notice" in text and "451" in text
    assert "tries again" in text
    assert "gave up" in _describe("message.dead", {"kind": "receipt", "code": 550,
                                                   "error": "550 no such user"})
    assert "again" in _describe("message.replayed", {"kind": "receipt"})
    with db.session() as s:
        assert s.scalar(select(Case.id)) is None


def _closed_port() -> int:
    from tests.smtp_sink import free_port

    return free_port()


def test_a_sender_without_a_domain_is_refused_naming_its_setting(
        db: Database, deliver: Callable[..., dict[str, int]]) -> None:
    with pytest.raises(InvalidInput, match="not an address with a domain") as err:
        deliver(mail_from="Integrity Desk <desk>")
    assert err.value.field == "IDESK_MAIL_FROM"


def test_a_session_the_relay_dropped_is_reopened_and_the_letter_sent(
        db: Database, inbox: Inbox, mail_settings: Settings) -> None:
    """A kept-alive session whose relay restarted: the next letter finds it closed at MAIL
    (nothing sent yet), opens a new one and goes out on it — not a retry, not a double."""
    from integrity_desk.db import utcnow
    from integrity_desk.messages.delivery import Courier, claim

    queue_letters(db, make_cases(db, 2))
    courier = Courier(mail_settings.model_copy(update={"mail_connections": 1}))
    try:
        with db.session() as s:
            first, second = claim(s, token="t", now=utcnow(), limit=2, lease=60)
        lane = courier.lanes[0]
        assert lane.send(first).code == 250
        inbox.restart()  # the relay goes away and comes back: the lane's session is stale
        result = lane.send(second)
        assert (result.code, result.error) == (250, None)
        assert len(inbox.received) == 2 and inbox.sessions == 2
    finally:
        courier.close()
