"""Record, correct and look up statements of reasons (use cases; the caller owns the commit).

``record_statement`` is what the decisions slice calls for every restriction on every affected
item: it builds the statement, validates it by the Commission's rules, and queues it for the
submission job. Corrections never edit what was sent: they add the next version and mark the
old one superseded, and the submission log says who corrected what and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from integrity_desk.bulk import BulkInsert
from integrity_desk.db import upsert_insert, utcnow
from integrity_desk.dsa.models import DsaStatement, DsaSubmissionLog
from integrity_desk.dsa.statement import (
    StatementFacts,
    build_statement,
    facts_field,
    make_puid,
    next_version,
)
from integrity_desk.dsa.validation import FieldError, validate_statement
from integrity_desk.errors import Conflict, InvalidInput, NotFound

STATUSES = ("queued", "submitted", "parked", "superseded")
_ATTEMPTS = 20  # ordinals tried when concurrent recorders of one decision race for a puid


def record_statement(session: Session, *, facts: StatementFacts, case_id: int,
                     decision_id: int | None, subject: str,
                     now: datetime | None = None) -> DsaStatement:
    """Build, validate and queue the statement of one decision about one affected item.

    ``subject`` is the desk's reference of the item, ``kind:ref`` ("review:r50012",
    "reviewer:u1", "business:shop.example.com"). Idempotent: recording the same decision and
    subject again returns the statement already queued (a different one is a Conflict: use
    ``correct_statement``). Raises InvalidInput naming the field of the facts (and, in
    ``extra["statement_field"]``, the wire field) when the Commission would refuse it.
    """
    now = now or utcnow()
    subject = subject.strip()
    if not subject:
        raise InvalidInput("the affected item is required", field="subject")
    existing = _versions_for(session, case_id=case_id, decision_id=decision_id,
                             subject=subject)
    if existing:
        return _same_or_conflict(existing, facts)
    kind = subject.split(":", 1)[0] if ":" in subject else "item"
    ordinal = 1 + (session.scalar(
        select(func.count(func.distinct(DsaStatement.subject_ref)))
        .where(_owner(case_id, decision_id), DsaStatement.subject_ref.like(f"{kind}:%"))) or 0)
    for _ in range(_ATTEMPTS):
        puid = facts.puid or make_puid(decision_id=decision_id, case_id=case_id,
                                       subject_kind=kind, ordinal=ordinal)
        statement = _valid(build_statement(facts, puid=puid))
        row_id = session.scalar(
            upsert_insert(session)(DsaStatement)
            .values(puid=puid, case_id=case_id, decision_id=decision_id, subject_ref=subject,
                    version=1, statement=statement, status="queued", created_at=now)
            .on_conflict_do_nothing(index_elements=["puid"]).returning(DsaStatement.id))
        if row_id is not None:
            return session.get_one(DsaStatement, row_id)
        raced = _versions_for(session, case_id=case_id, decision_id=decision_id,
                              subject=subject)
        if raced:
            return _same_or_conflict(raced, facts)
        if facts.puid:
            raise Conflict(f"puid {facts.puid} is already used by another statement; puids are "
                           "never reused", field="puid")
        ordinal += 1
    raise Conflict("could not find a free puid for this statement", field="puid")


_INSERT_STATEMENTS = BulkInsert(
    DsaStatement.__table__, ["puid", "case_id", "decision_id", "subject_ref", "version",
                             "statement", "status", "created_at"],
    conflict=["puid"], returning=["id", "puid"])


def record_statements(session: Session, *, items: Sequence[tuple[str, StatementFacts]],
                      case_id: int, decision_id: int | None,
                      now: datetime | None = None) -> list[DsaStatement]:
    """``record_statement`` for many subjects of one decision, in a few statements.

    A decision on an investigation states each of up to 1,000 subjects: one read of what the
    decision already has (idempotency and the ordinals of the puids), every statement built and
    validated in Python, one multi-row insert that skips taken puids, one read of the rows.
    ``items`` are (subject, facts), one per subject; the statements come back in their order.
    A puid taken meanwhile (a concurrent recorder of the same decision) falls back to
    ``record_statement`` for that subject, which retries the next ordinal or finds the row.
    """
    now = now or utcnow()
    subjects = [subject.strip() for subject, _ in items]
    if not all(subjects):
        raise InvalidInput("the affected item is required", field="subject")
    versions: dict[str, list[DsaStatement]] = {}
    for row in session.scalars(select(DsaStatement).where(_owner(case_id, decision_id))
                               .order_by(DsaStatement.version.desc())):
        versions.setdefault(row.subject_ref, []).append(row)
    # Ordinals continue per kind of item, as record_statement's count of distinct subjects.
    used: dict[str, int] = {}
    for ref in versions:
        if ":" in ref:
            used[ref.split(":", 1)[0]] = used.get(ref.split(":", 1)[0], 0) + 1
    rows: dict[str, dict[str, Any]] = {}  # subject → the row to insert
    facts_of: dict[str, StatementFacts] = {}
    puids: set[str] = set()
    later: list[str] = []  # left to record_statement, one at a time
    for subject, (_, facts) in zip(subjects, items, strict=True):
        if subject in versions:
            _same_or_conflict(versions[subject], facts)
            continue
        if subject in rows:  # named twice: the same statement, or a contradiction
            if build_statement(facts, puid=rows[subject]["puid"]) != rows[subject]["statement"]:
                raise Conflict("two different statements for one item of one decision",
                               field="subject")
            continue
        kind = subject.split(":", 1)[0] if ":" in subject else "item"
        used[kind] = used.get(kind, 0) + 1
        puid = facts.puid or make_puid(decision_id=decision_id, case_id=case_id,
                                       subject_kind=kind, ordinal=used[kind])
        facts_of[subject] = facts
        if puid in puids:  # one puid given for two items: record_statement refuses the second
            later.append(subject)
            continue
        puids.add(puid)
        rows[subject] = dict(puid=puid, case_id=case_id, decision_id=decision_id,
                             subject_ref=subject, version=1, status="queued", created_at=now,
                             statement=_valid(build_statement(facts, puid=puid)))
    inserted = {puid: row_id for row_id, puid in
                _INSERT_STATEMENTS.execute(session, list(rows.values()))}
    ids = [inserted[r["puid"]] for r in rows.values() if r["puid"] in inserted]
    later += [subject for subject, r in rows.items() if r["puid"] not in inserted]
    for subject in later:
        ids.append(record_statement(session, facts=facts_of[subject], case_id=case_id,
                                    decision_id=decision_id, subject=subject, now=now).id)
    for row in session.scalars(select(DsaStatement).where(DsaStatement.id.in_(ids))):
        versions.setdefault(row.subject_ref, []).insert(0, row)
    return [versions[subject][0] for subject in subjects]


def correct_statement(session: Session, *, puid: str, actor: str, reason: str,
                      facts: StatementFacts | None = None,
                      statement: dict[str, Any] | None = None,
                      now: datetime | None = None) -> DsaStatement:
    """Queue a corrected statement as the next version of ``puid`` and supersede the old one.

    Give new ``facts`` (rebuilt and scrubbed) or a whole corrected wire ``statement`` (e.g. a
    parked one a person fixed by hand); it is validated like any other. The old row keeps what
    was sent; the log keeps who corrected it and why. A parked statement is fixed this way too.
    """
    now = now or utcnow()
    if not reason.strip():
        raise InvalidInput("say why the statement is corrected", field="reason")
    if (facts is None) == (statement is None):
        raise InvalidInput("give either corrected facts or a corrected statement",
                           field="statement")
    old = session.scalar(select(DsaStatement).where(DsaStatement.puid == puid)
                         .with_for_update())
    if old is None:
        raise NotFound(f"no statement with puid {puid}", field="puid")
    if old.status == "superseded":
        newer = session.scalar(select(DsaStatement.puid)
                               .where(DsaStatement.supersedes_id == old.id))
        raise Conflict(f"{puid} was already corrected by {newer}; correct that one",
                       field="puid", current=newer)
    new_puid = next_version(puid)
    if facts is not None:
        corrected = _valid(build_statement(facts, puid=new_puid))
    else:  # a person edited the wire statement: name its fields, not the facts'
        corrected = _valid({**(statement or {}), "puid": new_puid}, wire=True)
    won = session.execute(
        update(DsaStatement).where(DsaStatement.id == old.id,
                                   DsaStatement.status != "superseded")
        .values(status="superseded").execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise Conflict(f"{puid} was corrected concurrently", field="puid")
    new = DsaStatement(puid=new_puid, case_id=old.case_id, decision_id=old.decision_id,
                       subject_ref=old.subject_ref, version=old.version + 1,
                       statement=corrected, status="queued", supersedes_id=old.id,
                       created_at=now)
    session.add(new)
    session.add(DsaSubmissionLog(
        at=now, action="correct", puids=[puid, new_puid], actor=actor,
        detail={"supersedes": puid, "puid": new_puid, "reason": reason.strip(),
                "was": old.status, "tdb_uuid": old.tdb_uuid}))
    session.flush()
    return new


def get_statement(session: Session, puid: str) -> DsaStatement:
    row = session.scalar(select(DsaStatement).where(DsaStatement.puid == puid))
    if row is None:
        raise NotFound(f"no statement with puid {puid}", field="puid")
    return row


def status_counts(session: Session) -> dict[str, int]:
    counts = {status: n for status, n in session.execute(
        select(DsaStatement.status, func.count()).group_by(DsaStatement.status))}
    return {status: counts.get(status, 0) for status in STATUSES}


@dataclass(frozen=True)
class Parked:
    puid: str
    case_id: int
    reason: str
    created_at: datetime


def parked(session: Session, *, limit: int = 100) -> list[Parked]:
    """Statements the Commission refused, oldest first, for a person to fix."""
    rows = session.execute(
        select(DsaStatement.puid, DsaStatement.case_id, DsaStatement.parked_reason,
               DsaStatement.created_at)
        .where(DsaStatement.status == "parked").order_by(DsaStatement.id).limit(limit))
    return [Parked(puid, case_id, reason or "", at) for puid, case_id, reason, at in rows]


def _owner(case_id: int, decision_id: int | None) -> Any:
    if decision_id is not None:
        return DsaStatement.decision_id == decision_id
    return and_(DsaStatement.case_id == case_id, DsaStatement.decision_id.is_(None))


def _versions_for(session: Session, *, case_id: int, decision_id: int | None,
                  subject: str) -> list[DsaStatement]:
    """Every version of the statement about ``subject``, newest first."""
    return list(session.scalars(
        select(DsaStatement).where(_owner(case_id, decision_id),
                                   DsaStatement.subject_ref == subject)
        .order_by(DsaStatement.version.desc())))


def _same_or_conflict(versions: list[DsaStatement], facts: StatementFacts) -> DsaStatement:
    """The live version when ``facts`` are those of any version (a retried call, perhaps after
    a person corrected it); otherwise the caller is trying to change it without saying so."""
    latest = versions[0]
    for version in versions:
        if build_statement(facts, puid=version.puid) == version.statement:
            return latest
    raise Conflict(f"a different statement ({latest.puid}) is already recorded for this "
                   "decision and item; correct it instead", field="subject", puid=latest.puid)


def _valid(statement: dict[str, Any], *, wire: bool = False) -> dict[str, Any]:
    errors = validate_statement(statement)
    if errors:
        raise _invalid(errors, wire=wire)
    return statement


def _invalid(errors: list[FieldError], *, wire: bool) -> InvalidInput:
    first = errors[0]
    return InvalidInput(first.message if wire else f"{first.field} {first.message}",
                        field=first.field if wire else facts_field(first.field),
                        statement_field=first.field,
                        errors=[{"field": e.field, "rule": e.rule, "message": e.message}
                                for e in errors])


def withdraw_statement(session: Session, *, puid: str, actor: str, reason: str,
                       now: datetime | None = None) -> DsaStatement:
    """Take back a statement the Commission never received, so it is never sent.

    Its decision was reversed before submission (an overturned appeal): a statement of a
    restriction that no longer stands would report a measure that was undone. The row keeps
    what it said and becomes ``superseded`` with no newer version; the log says who withdrew it
    and why. A statement already submitted cannot be withdrawn — correct it instead.
    """
    now = now or utcnow()
    row = session.scalar(select(DsaStatement).where(DsaStatement.puid == puid)
                         .with_for_update())
    if row is None:
        raise NotFound(f"no statement with puid {puid}", field="puid")
    was = row.status
    won = session.execute(
        update(DsaStatement).where(DsaStatement.id == row.id,
                                   DsaStatement.status.in_(("queued", "parked")))
        .values(status="superseded").execution_options(synchronize_session=False)).rowcount
    if won != 1:
        session.refresh(row)
        raise Conflict(f"{puid} is {row.status}: only a statement not yet submitted is "
                       "withdrawn (correct a submitted one)", field="puid", current=row.status)
    row.status = "superseded"
    session.add(DsaSubmissionLog(at=now, action="withdraw", puids=[puid], actor=actor,
                                 detail={"reason": reason.strip(), "was": was}))
    session.flush()
    return row
