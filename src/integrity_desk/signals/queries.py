"""Reading stored findings: a page of them (by business, account, kind, case, strength) and one
with its subjects. Newest first, keyset-paged by id; each filter has its index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import case_key, parse_case_key
from integrity_desk.cases.models import Case
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.signals.models import Signal, SignalSubject
from integrity_desk.subjects.models import Business, Review, Reviewer

_LIST = (select(Signal, Business.domain, Case.kind)
         .outerjoin(Business, Business.id == Signal.business_id)
         .outerjoin(Case, Case.id == Signal.case_id))


def case_key_of(row: Any) -> str | None:
    signal, _, kind = row
    return case_key(kind, signal.case_id) if signal.case_id else None


def page(session: Session, *, business: str | None = None, reviewer: str | None = None,
         kind: str | None = None, case: str | None = None, min_strength: float = 0.0,
         cursor: int | None = None, limit: int = 50) -> tuple[list[Any], str | None]:
    query: Select[Any] = _LIST
    if business is not None:
        query = query.where(Business.domain == business.lower())
    if reviewer is not None:
        query = query.where(Signal.id.in_(
            select(SignalSubject.signal_id).join(Reviewer, Reviewer.id == SignalSubject.subject_id)
            .where(SignalSubject.subject_type == "reviewer", Reviewer.ref == reviewer)))
    if kind is not None:
        query = query.where(Signal.kind == kind)
    if case is not None:
        parsed = parse_case_key(case)
        if parsed is None:
            raise InvalidInput("is not a case key such as INV-12", field="case")
        query = query.where(Signal.case_id == parsed[1])
    if min_strength:
        query = query.where(Signal.score >= min_strength)
    if cursor:
        query = query.where(Signal.id < cursor)
    rows = session.execute(query.order_by(Signal.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, str(rows[-1][0].id) if more and rows else None


def one(session: Session, signal_id: int) -> tuple[Any, list[tuple[str, str]]]:
    row = session.execute(_LIST.where(Signal.id == signal_id)).first()
    if row is None:
        raise NotFound(f"no signal {signal_id}", field="signal_id")
    return row, subjects_of(session, [signal_id]).get(signal_id, [])


def subjects_of(session: Session, signal_ids: Sequence[int]
                ) -> dict[int, list[tuple[str, str]]]:
    """Each signal's subjects as (type, platform reference), in one statement."""
    link = SignalSubject
    named = union_all(*(
        select(link.signal_id, literal(kind), ref)
        .join(table, table.id == link.subject_id)
        .where(link.subject_type == kind, link.signal_id.in_(list(signal_ids)))
        for kind, table, ref in (("review", Review, Review.ref),
                                 ("reviewer", Reviewer, Reviewer.ref),
                                 ("business", Business, Business.domain))))
    out: dict[int, list[tuple[str, str]]] = {}
    for signal_id, kind, ref in session.execute(named):
        out.setdefault(signal_id, []).append((kind, ref))
    for subjects in out.values():
        subjects.sort()
    return out
