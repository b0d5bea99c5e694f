"""Retention: erase the personal data of cases closed longer than the retention period.

What goes: a private person's name and every requester's contact, on the case and on its
linked requests; e-mails and phone numbers in the case's free text; the free text of linked
requests; the mail the case received (sender, subject, the raw message and every attachment,
whose bytes are deleted once no other message holds them); the letters the desk wrote (their
address, text and the mail servers' answers). What stays: the case, its status,
its decision (``details.outcome``), its subjects and its timeline, whose events never carried
personal data. Cases under a legal hold (on the
case or on any of its subjects) are skipped until the hold is lifted.

A batch is one transaction: the cases are claimed with a conditional UPDATE (so two runs never
erase one case twice, and a case reopened or held meanwhile is left alone), rewritten, and
recorded as ``pii.erased`` events. Batches walk ``ix_cases_retention`` in closure order with a
keyset cursor, so held cases are stepped over, not read again by every batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, literal, select, tuple_, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record_many
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.jobs.service import enqueue
from integrity_desk.mail.files import erase_mail
from integrity_desk.messages.service import erase_letters
from integrity_desk.privacy.domain import (
    DECISION_KEYS,
    FREE_TEXT_KEYS,
    erase_json,
    erase_text,
    erased_requester,
)
from integrity_desk.privacy.holds import held_clause

JOB = "privacy.retention"
BATCH = 200

Cursor = tuple[datetime, int]


@dataclass
class BatchResult:
    cases: int = 0            # cases whose personal data this batch erased
    requests: int = 0         # linked requests erased with them
    done: bool = True         # nothing left to look at after this batch
    after: Cursor | None = None
    keys: list[int] = field(default_factory=list)


def cutoff(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def _retained(before: datetime) -> ColumnElement[bool]:
    """Closed (or merged) before the cutoff, not erased yet; the terms of the partial index
    first, so PostgreSQL matches it."""
    return and_(Case.closed_at.is_not(None), Case.pii_erased_at.is_(None),
                Case.closed_at < before, Case.is_open.is_(False))


def _after(cursor: Cursor) -> ColumnElement[bool]:
    closed_at, case_id = cursor
    return tuple_(Case.closed_at, Case.id) > tuple_(
        literal(closed_at, type_=Case.closed_at.type), literal(case_id, type_=Case.id.type))


def due_counts(session: Session, *, now: datetime, retention_days: int) -> dict[str, int]:
    """How many closed cases are past the period: to erase, and held (for --dry-run)."""
    base = select(func.count()).select_from(Case).where(_retained(cutoff(now, retention_days)))
    held = session.scalar(base.where(held_clause())) or 0
    total = session.scalar(base) or 0
    return {"due": total - held, "held": held}


def _case_values(row: Any) -> tuple[dict[str, Any], list[str]]:
    """The erased columns of one case, and the names of the fields that changed."""
    name, contact = erased_requester(row.requester_type, row.requester_name,
                                     row.requester_contact)
    values = {"b_name": name, "b_contact": contact, "b_title": erase_text(row.title),
              "b_description": erase_text(row.description or ""),
              "b_details": erase_json(row.details or {}, keep=DECISION_KEYS)}
    before = {"b_name": row.requester_name, "b_contact": row.requester_contact,
              "b_title": row.title, "b_description": row.description or "",
              "b_details": row.details or {}}
    labels = {"b_name": "requester.name", "b_contact": "requester.contact", "b_title": "title",
              "b_description": "description", "b_details": "details"}
    changed = [labels[k] for k in labels if values[k] != before[k]]
    return values, changed


_ERASE_CASE = (
    update(Case.__table__).where(Case.__table__.c.id == bindparam("b_id"))
    .values(requester_name=bindparam("b_name"), requester_contact=bindparam("b_contact"),
            title=bindparam("b_title"), description=bindparam("b_description"),
            details=bindparam("b_details"))
)
_ERASE_REQUEST = (
    update(CaseRequest.__table__).where(CaseRequest.__table__.c.id == bindparam("b_id"))
    .values(requester_name=bindparam("b_name"), requester_contact=bindparam("b_contact"),
            payload=bindparam("b_payload"))
)


def _erase_requests(session: Session, case_ids: Sequence[int]) -> dict[int, int]:
    """Erase the linked requests of these cases; return how many per case."""
    rows = session.execute(select(
        CaseRequest.id, CaseRequest.case_id, CaseRequest.requester_type,
        CaseRequest.requester_name, CaseRequest.requester_contact, CaseRequest.payload,
    ).where(CaseRequest.case_id.in_(case_ids)).order_by(CaseRequest.id)).all()
    params, counts = [], {}
    for r in rows:
        name, contact = erased_requester(r.requester_type, r.requester_name, r.requester_contact)
        params.append({"b_id": r.id, "b_name": name, "b_contact": contact,
                       "b_payload": erase_json(r.payload or {}, free_text=FREE_TEXT_KEYS,
                                               keep=DECISION_KEYS)})
        counts[r.case_id] = counts.get(r.case_id, 0) + 1
    if params:
        session.execute(_ERASE_REQUEST, params)
    return counts


def erase_batch(session: Session, *, now: datetime, retention_days: int, batch: int = BATCH,
                after: Cursor | None = None) -> BatchResult:
    """Erase one batch (the caller commits: one transaction per batch)."""
    before = cutoff(now, retention_days)
    query = (select(Case.id, Case.closed_at)
             .where(_retained(before), ~held_clause())
             .order_by(Case.closed_at, Case.id).limit(batch))
    if after is not None:
        query = query.where(_after(after))
    picked = session.execute(query).all()
    if not picked:
        return BatchResult(done=True, after=after)
    last: Cursor = (picked[-1].closed_at, picked[-1].id)
    # Claim: the full condition again, so a case reopened or held since the read is skipped,
    # and a concurrent run's cases are not erased twice.
    won = sorted(session.scalars(
        update(Case).where(Case.id.in_([p.id for p in picked]), _retained(before),
                           ~held_clause())
        .values(pii_erased_at=now).returning(Case.id)
        .execution_options(synchronize_session=False)))
    result = BatchResult(done=len(picked) < batch, after=last, keys=won)
    if not won:
        return result
    rows = session.execute(select(
        Case.id, Case.requester_type, Case.requester_name, Case.requester_contact, Case.title,
        Case.description, Case.details, Case.closed_at,
    ).where(Case.id.in_(won)).order_by(Case.id)).all()
    params, changes = [], {}
    for row in rows:
        values, changed = _case_values(row)
        params.append({"b_id": row.id, **values})
        changes[row.id] = (changed, row.closed_at)
    session.execute(_ERASE_CASE, params)
    requests = _erase_requests(session, won)
    # Letters received by e-mail: sender, subject, raw message and attachments go too.
    mails = erase_mail(session, won, now=now)
    # Letters the desk wrote: their address, text and the mail servers' answers go too.
    letters = erase_letters(session, won)
    record_many(session, [
        dict(case_id=case_id, kind="pii.erased", category="privacy", actor=SYSTEM, at=now,
             payload={"fields": changed, "requests": requests.get(case_id, 0),
                      "mail": mails.get(case_id, 0), "letters": letters.get(case_id, 0),
                      "retention_days": retention_days, "closed_at": closed_at})
        for case_id, (changed, closed_at) in changes.items()
    ])
    result.cases, result.requests = len(won), sum(requests.values())
    return result


def encode_cursor(cursor: Cursor | None) -> list[Any] | None:
    return [cursor[0].isoformat(), cursor[1]] if cursor else None


def decode_cursor(value: Any) -> Cursor | None:
    if not value:
        return None
    return datetime.fromisoformat(value[0]), int(value[1])


def run_job(session: Session, now: datetime, payload: dict[str, Any], *, retention_days: int,
            batch: int) -> dict[str, int]:
    """The worker's job: one batch per run, so one transaction per batch; while there is more,
    it queues its own next run at once (with the cursor), ahead of its periodic schedule."""
    result = erase_batch(session, now=now, retention_days=retention_days, batch=batch,
                         after=decode_cursor(payload.get("after")))
    if not result.done:
        enqueue(session, JOB, {"after": encode_cursor(result.after)}, run_at=now,
                singleton_key=JOB)
    return {"cases": result.cases, "requests": result.requests, "more": int(not result.done)}
