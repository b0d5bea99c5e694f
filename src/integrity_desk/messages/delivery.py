"""The worker's side of the outbox: claim due messages, hand them to the SMTP relay over a few
reused connections, record every attempt.

At least once, never lost (as the webhooks do it): a claim is committed before anything is
sent — it moves the message's ``next_attempt_at`` to the end of a lease, so a killed worker's
messages come due again — and a result is committed right after the relay answers, guarded by
the claim (the worker's token and the attempt number), so an answer that comes back after its
lease ran out cannot overwrite a newer attempt's. A message the relay took but whose 250 the
worker did not live to commit goes out again with the same ``Message-ID``; receivers (and most
mail stores) drop the repeat by it. Claims take ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
any number of workers share the outbox.

What the relay says decides: 2xx sent; 4xx, a dropped connection or a timeout, again later
with exponential back-off; 5xx, or the last allowed attempt, dead (listed and replayable, see
messages/outbound.py). Each outcome is on the case's timeline without the address or the text.
With no relay configured nothing is claimed: messages wait, and nothing says they were sent.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record_many
from integrity_desk.bulk import BulkInsert
from integrity_desk.db import utcnow
from integrity_desk.messages.addresses import bounce_address
from integrity_desk.messages.domain import Status
from integrity_desk.messages.mime import (
    Letter,
    Relay,
    Sender,
    build,
    check_sender,
    envelope_address,
    needs_smtputf8,
    parse_relay,
)
from integrity_desk.messages.models import OutboxAttempt, OutboxMessage
from integrity_desk.privacy.domain import erase_text
from integrity_desk.retries import RetryPolicy, claim_due
from integrity_desk.settings import Settings

JOB = "mail.deliver"
_T = OutboxMessage.__table__
_INSERT_ATTEMPTS = BulkInsert(OutboxAttempt.__table__, [
    "message_id", "attempt", "started_at", "code", "latency_ms", "outcome", "error"])
_GUARD = (_T.c.id == bindparam("b_id"), _T.c.claimed_by == bindparam("b_token"),
          _T.c.attempts == bindparam("b_attempt"))
_RECORD = (update(_T).where(*_GUARD)
           .values(status=bindparam("b_status"), next_attempt_at=bindparam("b_next"),
                   last_code=bindparam("b_code"), last_error=bindparam("b_error"),
                   sent_at=bindparam("b_sent"), dead_at=bindparam("b_dead"), claimed_by=None))
# A claimed message the run had no time left to try: back to the queue, the attempt not spent.
_RELEASE = (update(_T).where(*_GUARD)
            .values(attempts=_T.c.attempts - 1, next_attempt_at=bindparam("b_next"),
                    claimed_by=None))


def policy_of(settings: Settings) -> RetryPolicy:
    return RetryPolicy(settings.mail_max_attempts, settings.mail_backoff_base_seconds,
                       settings.mail_backoff_cap_seconds)


def lease_seconds(settings: Settings) -> float:
    """How long a claim holds: the time lanes may start messages, plus one message's worst
    case (MAIL, RCPT and DATA each up to the timeout) after the last start."""
    return settings.mail_lease_seconds + 3 * settings.mail_timeout_seconds


@dataclass(frozen=True)
class Claimed:
    letter: Letter
    role: str
    attempt: int


@dataclass(frozen=True)
class Result:
    claimed: Claimed
    started_at: datetime
    code: int | None  # the relay's reply code; None: no answer (connection, timeout)
    latency_ms: int
    error: str | None
    tried: bool = True  # False: not tried at all (the run's lease ran out first)

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300

    @property
    def refused(self) -> bool:
        """A permanent refusal of this message (5xx), as opposed to the relay being away."""
        return self.code is not None and self.code >= 500


def claim(session: Session, *, token: str, now: datetime, limit: int, lease: float
          ) -> list[Claimed]:
    """Take up to ``limit`` due messages (integrity_desk.retries.claim_due)."""
    rows = claim_due(session, _T, waiting=Status.QUEUED.value, token=token, now=now,
                     limit=limit, lease=lease, returning=[
                         _T.c.case_id, _T.c.kind, _T.c.recipient, _T.c.language, _T.c.subject,
                         _T.c.body, _T.c.in_reply_to, _T.c.references, _T.c.recipient_role,
                         _T.c.attempts])
    return [Claimed(Letter(*row[:9]), row.recipient_role, row.attempts) for row in rows]


class Lane:
    """One SMTP session, used by one thread at a time and kept open from message to message
    (a TLS handshake and a login per message would cost more than the message)."""

    def __init__(self, relay: Relay, sender: Sender, *, timeout: float) -> None:
        self.relay, self.sender, self.timeout = relay, sender, timeout
        self.conn: smtplib.SMTP | None = None
        self.unreachable: str | None = None  # set when connecting failed: the relay is away

    def _connect(self) -> smtplib.SMTP:
        relay = self.relay
        context = ssl.create_default_context(cafile=relay.cafile)
        conn: smtplib.SMTP
        if relay.tls:
            conn = smtplib.SMTP_SSL(relay.host, relay.port, timeout=self.timeout,
                                    context=context)
        else:
            conn = smtplib.SMTP(relay.host, relay.port, timeout=self.timeout)
        try:
            conn.ehlo()
            if relay.starttls:
                conn.starttls(context=context)
                conn.ehlo()
            if relay.user:
                conn.login(relay.user, relay.password or "")
        except BaseException:
            conn.close()
            raise
        self.conn = conn
        return conn

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send_all(self, chunk: list[Claimed], *, stop_at: float) -> list[Result]:
        """Send one after another; once the relay cannot be reached the rest are not tried
        now (each waits for its back-off), and after ``stop_at`` none is started."""
        results: list[Result] = []
        self.unreachable = None
        for c in chunk:
            now = utcnow()
            if time.monotonic() >= stop_at:
                results.append(Result(c, now, None, 0, None, tried=False))
            elif self.unreachable is not None:
                results.append(Result(c, now, None, 0, f"not tried: {self.unreachable}"))
            else:
                results.append(self.send(c))
        return results

    def send(self, c: Claimed) -> Result:
        started, t0 = utcnow(), time.perf_counter()
        letter = c.letter
        data = build(letter, self.sender, now=started).as_bytes()
        to = envelope_address(letter.recipient)
        # Each letter's own envelope sender: a delivery report names the letter it is about.
        envelope_from = bounce_address(letter.id, reply_to=self.sender.reply_to,
                                       secret=self.sender.secret)
        options = ["SMTPUTF8"] if needs_smtputf8(to, envelope_from) else []
        for again in (False, True):
            reused = self.conn is not None
            stage = "connect"
            try:
                conn = self.conn or self._connect()
                stage = "mail"
                code, answer = conn.mail(envelope_from, options)
                if code == 250:
                    stage = "rcpt"
                    code, answer = conn.rcpt(to)
                    if code in (250, 251):
                        stage = "data"
                        code, answer = conn.data(data)
                    else:
                        self._reset()
                else:
                    self._reset()
            except smtplib.SMTPDataError as exc:  # DATA itself refused (no 354)
                code, answer = exc.smtp_code, exc.smtp_error
                self._reset()
            except smtplib.SMTPResponseException as exc:  # connect, STARTTLS or login refused
                self._drop()
                self.unreachable = f"relay refused at {stage}: {exc.smtp_code}"
                return self._result(c, started, t0, None,
                                    f"relay refused at {stage}: {exc.smtp_code} "
                                    f"{_text(exc.smtp_error)}")
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                if reused and stage == "mail" and not again:
                    continue  # a kept-alive session the relay had closed: nothing was sent
                if stage == "connect":
                    self.unreachable = f"relay unreachable: {type(exc).__name__}"
                return self._result(c, started, t0, None,
                                    f"{stage}: {type(exc).__name__}: {exc}".strip())
            return self._result(c, started, t0, code, None if 200 <= code < 300
                                else f"{code} {_text(answer)}")
        raise AssertionError("unreachable")  # pragma: no cover (the loop always returns)

    def _reset(self) -> None:
        try:
            if self.conn is not None:
                self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    @staticmethod
    def _result(c: Claimed, started: datetime, t0: float, code: int | None,
                error: str | None) -> Result:
        return Result(c, started, code, round((time.perf_counter() - t0) * 1000),
                      error[:500] if error else None)


def _text(answer: bytes | str) -> str:
    return (answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer).strip()


def record(session: Session, results: list[Result], *, token: str, now: datetime,
           policy: RetryPolicy) -> dict[str, int]:
    """Write the outcomes this worker still owns (its claim not taken over), their attempts and
    their timeline events; returns counts by outcome."""
    counts = {"sent": 0, "retry": 0, "dead": 0, "released": 0, "lost_claim": 0}
    if not results:
        return counts
    ids = [r.claimed.letter.id for r in results]
    # Locked till the commit: no claim can change under the write.
    owned = {tuple(row) for row in session.execute(
        select(_T.c.id, _T.c.attempts).where(_T.c.id.in_(ids), _T.c.claimed_by == token)
        .with_for_update())}
    updates, releases, attempts, events = [], [], [], []
    for r in sorted(results, key=lambda r: r.claimed.letter.id):  # one lock order for all
        c = r.claimed
        if (c.letter.id, c.attempt) not in owned:
            counts["lost_claim"] += 1
            continue
        guard = dict(b_id=c.letter.id, b_token=token, b_attempt=c.attempt)
        if not r.tried:
            counts["released"] += 1
            releases.append(dict(guard, b_next=now))
            continue
        if r.ok:
            outcome, status, next_at = "sent", Status.SENT, now
        elif r.refused or policy.exhausted(c.attempt):
            outcome, status, next_at = "dead", Status.DEAD, now
        else:
            outcome, status = "retry", Status.QUEUED
            next_at = now + timedelta(seconds=policy.delay(c.attempt))
        counts[outcome] += 1
        updates.append(dict(guard, b_status=status.value, b_next=next_at, b_code=r.code,
                            b_error=r.error, b_sent=now if outcome == "sent" else None,
                            b_dead=now if outcome == "dead" else None))
        attempts.append(dict(message_id=c.letter.id, attempt=c.attempt,
                             started_at=r.started_at, code=r.code, latency_ms=r.latency_ms,
                             outcome=outcome, error=r.error))
        if c.letter.case_id is not None:
            events.append(_event(c, r, outcome, now=now, next_at=next_at))
    if updates:
        session.execute(_RECORD, updates)
        _INSERT_ATTEMPTS.execute(session, attempts)
    if releases:
        session.execute(_RELEASE, releases)
    record_many(session, events)
    return counts


def _event(c: Claimed, r: Result, outcome: str, *, now: datetime,
           next_at: datetime) -> dict[str, Any]:
    """The timeline's line for an attempt: kind, role, codes and times — never the address or
    the text (the error is the relay's, with any address or number in it erased)."""
    payload: dict[str, Any] = {"message_id": c.letter.id, "kind": c.letter.kind, "to": c.role,
                               "attempt": c.attempt, "code": r.code}
    if outcome == "retry":
        payload["next_attempt_at"] = next_at.isoformat()
    if outcome != "sent":
        payload["error"] = erase_text(r.error or "")[:300] or None
    kind = {"sent": "message.sent", "retry": "message.retrying", "dead": "message.dead"}[outcome]
    return dict(kind=kind, category="audit", actor=SYSTEM, case_id=c.letter.case_id, at=now,
                payload=payload)


class Courier:
    """A delivery run's relay sessions and the threads that drive them (smtplib blocks), kept
    for the whole run so connections are reused from batch to batch."""

    def __init__(self, settings: Settings) -> None:
        relay = parse_relay(settings.smtp_url)
        check_sender(settings.mail_from)
        sender = Sender(settings.mail_from, settings.mail_reply_address or settings.mail_from,
                        settings.secret_key)
        self.lanes = [Lane(relay, sender, timeout=settings.mail_timeout_seconds)
                      for _ in range(settings.mail_connections)]
        self.pool = ThreadPoolExecutor(max_workers=len(self.lanes),
                                       thread_name_prefix="mail-lane")

    def send(self, batch: list[Claimed], *, stop_at: float) -> list[Result]:
        lanes = self.lanes[:len(batch)]
        futures = [self.pool.submit(lane.send_all, batch[i::len(lanes)], stop_at=stop_at)
                   for i, lane in enumerate(lanes)]
        return [r for f in futures for r in f.result()]

    def close(self) -> None:
        for lane in self.lanes:
            self.pool.submit(lane.close)
        self.pool.shutdown(wait=True)


def deliver_due(session: Session, *, settings: Settings, budget: float | None = None
                ) -> dict[str, int]:
    """Deliver what is due, batch after batch, until drained or the time budget is spent.

    Commits as it goes (claim, then results): see the module's docstring for why. Refuses
    (InvalidInput naming the setting) when no relay is configured or its URL is malformed.
    """
    courier = Courier(settings)
    until = time.monotonic() + (settings.mail_run_seconds if budget is None else budget)
    token = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    policy = policy_of(settings)
    totals = {"sent": 0, "retry": 0, "dead": 0, "released": 0, "lost_claim": 0, "batches": 0}
    try:
        while time.monotonic() < until:
            batch = claim(session, token=token, now=utcnow(), limit=settings.mail_batch,
                          lease=lease_seconds(settings))
            session.commit()  # the claim is durable before anything is sent
            if not batch:
                break
            stop_at = min(time.monotonic() + settings.mail_lease_seconds, until)
            results = courier.send(batch, stop_at=stop_at)
            for k, v in record(session, results, token=token, now=utcnow(),
                               policy=policy).items():
                totals[k] += v
            session.commit()
            totals["batches"] += 1
            if len(batch) < settings.mail_batch:
                break  # drained
    finally:
        courier.close()
    return totals


def handle(session: Session, now: datetime, payload: dict[str, Any], settings: Settings
           ) -> dict[str, int]:
    """The worker's ``mail.deliver`` job (scheduled only while a relay is configured)."""
    return deliver_due(session, settings=settings)
