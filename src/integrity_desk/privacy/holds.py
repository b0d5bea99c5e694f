"""Legal holds: place, lift, list, and the SQL that says whether a case is held.

A hold on a subject holds every case about it; a hold on a business or a reviewer account
also holds the cases about their reviews (a matter about a business is a matter about what
was written of it). Retention asks ``held_clause`` per case, inside its own query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, literal_column, or_, select, true
from sqlalchemy.orm import Session, aliased

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.cases.repository import readable_clause
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.people.models import Role, User
from integrity_desk.privacy.domain import mask_text
from integrity_desk.privacy.models import SUBJECT_TYPES, LegalHold
from integrity_desk.privacy.schemas import HoldOut
from integrity_desk.subjects.models import Business, Review, Reviewer

# The chain of holds on subjects (a hold on a case goes on the case's own chain).
LEGAL_CHAIN = "legal"

# subject type → (model, the column people name it by)
_SUBJECT_REFS: dict[str, tuple[Any, Any]] = {
    "review": (Review, Review.ref), "business": (Business, Business.domain),
    "reviewer": (Reviewer, Reviewer.ref),
}


def parse_subject(session: Session, subject: str) -> tuple[str, int]:
    """``review:REF``, ``business:DOMAIN`` or ``reviewer:REF`` → (type, id); 422 if unknown."""
    kind, _, ref = subject.strip().partition(":")
    if kind not in _SUBJECT_REFS or not ref:
        raise InvalidInput("subject is review:REF, business:DOMAIN or reviewer:REF",
                           field="subject")
    model, column = _SUBJECT_REFS[kind]
    subject_id = session.scalar(select(model.id).where(column == ref))
    if subject_id is None:
        raise InvalidInput(f"no {kind} {ref!r}", field="subject")
    return kind, subject_id


def held_clause() -> ColumnElement[bool]:
    """SQL, correlated to ``cases``: the case is under at least one active hold."""
    active = LegalHold.lifted_at.is_(None)
    subject = aliased(CaseSubject)
    on_case = exists().where(LegalHold.case_id == Case.id, active)
    on_subject = exists().where(
        subject.case_id == Case.id, LegalHold.subject_type == subject.subject_type,
        LegalHold.subject_id == subject.subject_id, active)
    via_review = exists(
        select(literal_column("1")).select_from(subject)
        .join(Review, Review.id == subject.subject_id)
        .join(LegalHold, or_(
            and_(LegalHold.subject_type == "business", LegalHold.subject_id == Review.business_id),
            and_(LegalHold.subject_type == "reviewer", LegalHold.subject_id == Review.reviewer_id),
        ))
        .where(subject.case_id == Case.id, subject.subject_type == "review", active))
    return or_(on_case, on_subject, via_review)


def _covering_clause(case_id: int) -> ColumnElement[bool]:
    """SQL on ``legal_holds``: the hold covers this case (directly, by subject or by review)."""
    def subjects_of(kind: str) -> Any:
        return select(CaseSubject.subject_id).where(
            CaseSubject.case_id == case_id, CaseSubject.subject_type == kind)

    reviews = subjects_of("review")
    return or_(
        LegalHold.case_id == case_id,
        *[and_(LegalHold.subject_type == kind, LegalHold.subject_id.in_(subjects_of(kind)))
          for kind in SUBJECT_TYPES],
        and_(LegalHold.subject_type == "business", LegalHold.subject_id.in_(
            select(Review.business_id).where(Review.id.in_(reviews)))),
        and_(LegalHold.subject_type == "reviewer", LegalHold.subject_id.in_(
            select(Review.reviewer_id).where(Review.id.in_(reviews)))),
    )


def covering(session: Session, case_id: int) -> list[LegalHold]:
    """The active holds that keep this case (one query)."""
    return list(session.scalars(
        select(LegalHold).where(LegalHold.lifted_at.is_(None), _covering_clause(case_id))
        .order_by(LegalHold.id)))


def visible_clause(user: User) -> ColumnElement[bool]:
    """Holds a person may list: holds on subjects, and holds on cases they may read."""
    if Role(user.role) in (Role.ADMIN, Role.MANAGER):
        return true()
    return or_(LegalHold.case_id.is_(None),
               LegalHold.case_id.in_(select(Case.id).where(readable_clause(user))))


def get_hold(session: Session, user: User, hold_id: int) -> LegalHold:
    hold = session.scalar(select(LegalHold).where(LegalHold.id == hold_id, visible_clause(user))
                          .with_for_update())
    if hold is None:
        raise NotFound(f"no legal hold {hold_id}", field="hold_id")
    return hold


def place(session: Session, *, actor_user: User, actor: Actor, now: datetime, reason: str,
          case: Case | None = None, subject: tuple[str, int] | None = None) -> LegalHold:
    """Hold a case or a subject; recorded on the case's chain, or on the legal chain."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why the hold is needed", field="reason")
    if (case is None) == (subject is None):
        raise InvalidInput("hold either a case or a subject", field="case")
    hold = LegalHold(case_id=case.id if case else None,
                     subject_type=subject[0] if subject else None,
                     subject_id=subject[1] if subject else None, reason=reason,
                     placed_by_id=actor_user.id, placed_at=now)
    session.add(hold)
    session.flush()
    _record(session, hold, "legal_hold.placed", actor, now, reason)
    return hold


def lift(session: Session, hold: LegalHold, *, actor_user: User, actor: Actor, now: datetime,
         reason: str) -> LegalHold:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why the hold ends", field="reason")
    if hold.lifted_at is not None:
        raise Conflict(f"legal hold {hold.id} was lifted already", field="hold_id",
                       current="lifted")
    hold.lifted_at, hold.lifted_by_id, hold.lift_reason = now, actor_user.id, reason
    session.flush()
    _record(session, hold, "legal_hold.lifted", actor, now, reason)
    return hold


def _record(session: Session, hold: LegalHold, kind: str, actor: Actor, now: datetime,
            reason: str) -> None:
    payload: dict[str, Any] = {"hold": hold.id, "reason": reason}
    if hold.case_id is None:
        payload["subject"] = f"{hold.subject_type}:{hold.subject_id}"
    record(session, kind=kind, category="legal", actor=actor, case_id=hold.case_id,
           chain_key=None if hold.case_id else LEGAL_CHAIN, at=now, payload=payload)


def list_holds(session: Session, user: User, *, active: bool | None, case_id: int | None,
               subject: tuple[str, int] | None, cursor: int | None, limit: int
               ) -> tuple[list[LegalHold], str | None]:
    query = select(LegalHold).where(visible_clause(user))
    if active is not None:
        query = query.where(LegalHold.lifted_at.is_(None) if active
                            else LegalHold.lifted_at.is_not(None))
    if case_id is not None:
        query = query.where(_covering_clause(case_id))
    if subject is not None:
        query = query.where(LegalHold.subject_type == subject[0],
                            LegalHold.subject_id == subject[1])
    if cursor:
        query = query.where(LegalHold.id > cursor)
    rows = list(session.scalars(query.order_by(LegalHold.id).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], str(rows[limit - 1].id)


def holds_out(session: Session, holds: Sequence[LegalHold]) -> list[HoldOut]:
    """Holds as the API shows them: names, keys and refs looked up per page, not per hold."""
    if not holds:
        return []
    user_ids = {h.placed_by_id for h in holds} | {h.lifted_by_id for h in holds}
    names: dict[int, str] = {i: n for i, n in session.execute(select(User.id, User.name).where(
        User.id.in_([i for i in user_ids if i is not None])))}
    case_ids = [h.case_id for h in holds if h.case_id is not None]
    kinds: dict[int, str] = {i: k for i, k in session.execute(select(Case.id, Case.kind).where(
        Case.id.in_(case_ids)))} if case_ids else {}
    refs: dict[tuple[str, int], str] = {}
    for kind, (model, column) in _SUBJECT_REFS.items():
        ids = [h.subject_id for h in holds if h.subject_type == kind]
        if ids:
            refs.update({(kind, i): r for i, r in session.execute(
                select(model.id, column).where(model.id.in_(ids)))})
    return [HoldOut(
        id=h.id, case=case_key(kinds[h.case_id], h.case_id) if h.case_id in kinds else None,
        subject=(f"{h.subject_type}:{refs.get((h.subject_type, h.subject_id), h.subject_id)}"
                 if h.subject_type and h.subject_id is not None else None),
        reason=mask_text(h.reason), placed_by=names.get(h.placed_by_id),
        placed_at=h.placed_at, lifted_by=names.get(h.lifted_by_id), lifted_at=h.lifted_at,
        lift_reason=mask_text(h.lift_reason) if h.lift_reason else None, active=h.active,
    ) for h in holds]
