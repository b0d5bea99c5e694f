"""Queue messages (idempotently, in the caller's transaction), and let counsel review the ones
held for them. The timeline records each message's kind, role and status, never the address or
the text (the hash chain cannot be erased; the outbox row can be)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record, record_many
from integrity_desk.bulk import BulkInsert
from integrity_desk.cases.models import Case
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.messages.domain import MessageKind, Status, render
from integrity_desk.messages.models import OutboxAttempt, OutboxMessage
from integrity_desk.privacy.domain import text_fingerprint

# The kinds of case whose sender is owed a confirmation of receipt (DSA Art. 16(4), Art. 20);
# the template names each in its own language.
RECEIPT_KINDS = frozenset({"legal_notice", "trusted_flagger_notice", "appeal"})


def queue(session: Session, *, kind: MessageKind, case: Case, to: str | None, role: str,
          context: dict[str, Any], key: str, actor: Actor, now: datetime,
          hold: str | None = None, in_reply_to: str | None = None) -> OutboxMessage | None:
    """Render and queue a message; None if this key was queued before (nothing is doubled).

    ``hold`` keeps it back for a review (the reason shown to the reviewer); ``in_reply_to``
    is the Message-ID of the mail it answers, so the person's mail program threads it.
    """
    subject, body, language = render(kind, case.language, {"case_key": case.key, **context})
    return queue_text(session, kind=kind, case=case, to=to, role=role, subject=subject,
                      body=body, language=language, key=key, actor=actor, now=now, hold=hold,
                      in_reply_to=in_reply_to)


@dataclass(frozen=True)
class Text:
    """One message rendered elsewhere, for ``queue_texts``."""

    kind: MessageKind
    to: str | None
    role: str
    subject: str
    body: str
    language: str
    key: str
    hold: str | None = None
    in_reply_to: str | None = None  # the Message-ID of the mail this answers


_INSERT_MESSAGES = BulkInsert(OutboxMessage.__table__, [
    "idempotency_key", "case_id", "kind", "recipient", "recipient_role", "language", "subject",
    "body", "status", "held_reason", "attempts", "next_attempt_at", "created_at",
    "in_reply_to"],
    conflict=["idempotency_key"], returning=["id", "idempotency_key"])


def queue_texts(session: Session, texts: Sequence[Text], *, case: Case, actor: Actor,
                now: datetime) -> list[int | None]:
    """``queue_text`` for many messages of one case: one multi-row insert and one append to the
    case's timeline, where one row and one audit event each cost ~9 ms for a decision on 1,000
    subjects. The ids of the messages queued, in order; None where the key was queued before.
    The rows are not read back: no caller of a batch needs them."""
    if not texts:
        return []
    rows, statuses = [], []
    for t in texts:
        status = Status.NO_ADDRESS if not t.to else Status.HELD if t.hold else Status.QUEUED
        statuses.append(status)
        rows.append(dict(
            idempotency_key=t.key, case_id=case.id, kind=t.kind.value, recipient=t.to,
            recipient_role=t.role, language=t.language, subject=t.subject[:300], body=t.body,
            status=status.value, held_reason=t.hold, attempts=0, next_attempt_at=now,
            created_at=now, in_reply_to=t.in_reply_to))
    inserted = {key: row_id for row_id, key in _INSERT_MESSAGES.execute(session, rows)}
    ids: list[int | None] = []
    events = []
    for t, status in zip(texts, statuses, strict=True):
        row_id = inserted.pop(t.key, None)  # a key named twice is queued once
        ids.append(row_id)
        if row_id is not None:
            events.append(dict(
                kind=f"message.{status.value}", category="audit", actor=actor, case_id=case.id,
                at=now, payload={"message_id": row_id, "kind": t.kind.value, "to": t.role,
                                 "language": t.language, "held_for": t.hold}))
    record_many(session, events)
    return ids


def queue_text(session: Session, *, kind: MessageKind, case: Case, to: str | None, role: str,
               subject: str, body: str, language: str, key: str, actor: Actor, now: datetime,
               hold: str | None = None, in_reply_to: str | None = None) -> OutboxMessage | None:
    """Queue a message rendered elsewhere (the statement of reasons, by the dsa slice); None if
    this key was queued before. One message is a batch of one: the same rows and events."""
    [row_id] = queue_texts(session, [Text(kind=kind, to=to, role=role, subject=subject,
                                          body=body, language=language, key=key, hold=hold,
                                          in_reply_to=in_reply_to)],
                           case=case, actor=actor, now=now)
    return session.get(OutboxMessage, row_id) if row_id is not None else None


def last_sent(session: Session, keys: Sequence[str]) -> datetime | None:
    """When the last of these messages went out; None while none has."""
    if not keys:
        return None
    return session.scalar(select(func.max(OutboxMessage.sent_at))
                          .where(OutboxMessage.idempotency_key.in_(list(keys))))


def acknowledge(session: Session, case: Case, *, actor: Actor, now: datetime,
                in_reply_to: str | None = None) -> None:
    """DSA Art. 16(4) and 20: confirm receipt at once, where there is an address to confirm to
    (``in_reply_to``: the Message-ID of the letter confirmed, when it came by e-mail)."""
    if case.kind not in RECEIPT_KINDS:
        return
    queue(session, kind=MessageKind.RECEIPT, case=case, to=case.requester_contact,
          role="requester", key=f"receipt:case:{case.id}", actor=actor, now=now,
          in_reply_to=in_reply_to, context={
              "name": case.requester_name, "kind": case.kind, "received_at": case.created_at})


def request_receipt_key(receipt: str) -> str:
    """The confirmation owed for one request that joined a case (its own receipt number)."""
    return f"receipt:request:{receipt}"


def acknowledge_request(session: Session, case: Case, *, receipt: str, to: str | None,
                        name: str | None, actor: Actor, now: datetime) -> None:
    """A notice or appeal that joined an open case is a notice of its own (DSA Art. 16(4)):
    its sender is confirmed its receipt too, under the request's own number."""
    if case.kind not in RECEIPT_KINDS:
        return
    queue(session, kind=MessageKind.RECEIPT, case=case, to=to, role="requester",
          key=request_receipt_key(receipt), actor=actor, now=now,
          context={"name": name, "kind": case.kind, "received_at": now})


def for_case(session: Session, case: Case) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                .order_by(OutboxMessage.id)))


def get(session: Session, message_id: int, readable: Any) -> tuple[OutboxMessage, Case]:
    found = session.execute(select(OutboxMessage, Case)
                            .join(Case, Case.id == OutboxMessage.case_id)
                            .where(OutboxMessage.id == message_id, readable)).first()
    if found is None:
        raise NotFound(f"no message {message_id}", field="message")
    return found[0], found[1]


def release(session: Session, message: OutboxMessage, case: Case, *, reviewer_id: int,
            actor: Actor, now: datetime, body: str | None = None) -> OutboxMessage:
    """Counsel's review: release a held message for delivery, as written or as corrected."""
    if body is not None and not body.strip():
        raise InvalidInput("the letter needs a text", field="body")
    values: dict[str, Any] = {"status": Status.QUEUED.value, "reviewed_by_id": reviewer_id,
                              "reviewed_at": now, "next_attempt_at": now}
    if body is not None:
        values["body"] = body.strip() + "\n"
    won = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message.id, OutboxMessage.status == Status.HELD)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise Conflict(f"message {message.id} is {message.status}, not held for review",
                       field="status", current=message.status)
    before = text_fingerprint(message.body)
    session.refresh(message)
    record(session, kind="message.released", category="audit", actor=actor, case_id=case.id,
           at=now, payload={"message_id": message.id, "edited": body is not None,
                            "before": before, "after": text_fingerprint(message.body)})
    return message


def held(session: Session, readable: Any, *, after: int | None, limit: int
         ) -> tuple[list[tuple[OutboxMessage, Case]], int | None]:
    """Letters held for counsel on cases the reader may see, oldest first (keyset by id, on the
    partial index of held messages); returns the page and the cursor of the next one."""
    query = (select(OutboxMessage, Case).join(Case, Case.id == OutboxMessage.case_id)
             .where(OutboxMessage.status == Status.HELD.value, readable)
             .order_by(OutboxMessage.id).limit(limit + 1))
    if after:
        query = query.where(OutboxMessage.id > after)
    rows = [(m, c) for m, c in session.execute(query).all()]
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], rows[limit - 1][0].id


# What a letter's text becomes once its case's personal data is erased.
ERASED_LETTER = "(erased: the case's personal data was erased after its retention period)\n"


def erase_letters(session: Session, case_ids: Sequence[int]) -> dict[int, int]:
    """Retention: the letters of erased cases lose their address, their text and the mail
    servers' answers (which may quote the address); what stays is the record that a letter of
    this kind went to this role, in this language, and when. A letter still waiting is never
    sent now (``no_address``). Returns the letters erased per case."""
    if not case_ids:
        return {}
    counts: dict[int, int] = {}
    erased = session.execute(
        update(OutboxMessage).where(OutboxMessage.case_id.in_(case_ids),
                                    OutboxMessage.body != ERASED_LETTER)
        .values(recipient=None, body=ERASED_LETTER, last_error=None,
                status=sql_case((OutboxMessage.status.in_(
                    (Status.QUEUED.value, Status.HELD.value)), Status.NO_ADDRESS.value),
                    else_=OutboxMessage.status))
        .returning(OutboxMessage.id, OutboxMessage.case_id)
        .execution_options(synchronize_session=False)).all()
    for _, case_id in erased:
        counts[case_id] = counts.get(case_id, 0) + 1
    if erased:
        session.execute(update(OutboxAttempt).where(
            OutboxAttempt.message_id.in_([row_id for row_id, _ in erased]))
            .values(error=None).execution_options(synchronize_session=False))
    return counts
