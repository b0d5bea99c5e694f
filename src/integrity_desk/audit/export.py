"""The audit log of a period as JSON lines, for auditors, and how they re-verify it.

Each line is one event with everything its hash covers, exactly as hashed (the payload as
its stored canonical JSON text, the time in the hashed format), plus its chain position and
the hash before it: with ``verify_line`` (or the recipe in docs/audit.md) an auditor
recomputes every hash and checks each event follows the one before it in its chain.

Rows are read in pages by (occurred_at, id) from ``ix_audit_events_occurred``: constant
memory whatever the period, and the caller may end its transaction between pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session

from integrity_desk.audit.chain import event_hash
from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case

PAGE = 1000

_E = AuditEvent.__table__.c
_COLUMNS = (_E.id, _E.chain_key, _E.seq, _E.case_id, _E.actor_id, _E.actor_label, _E.kind,
            _E.category, _E.occurred_at, _E.payload, _E.prev_hash, _E.hash)


def _in_period(start: datetime, end: datetime) -> Any:
    return (_E.occurred_at >= start) & (_E.occurred_at < end)


def count(session: Session, *, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent.__table__)
                          .where(_in_period(start, end))) or 0


def line(row: Any, kind_of_case: str | None) -> dict[str, Any]:
    return {
        "id": row.id, "chain": row.chain_key, "seq": row.seq, "case_id": row.case_id,
        "case": case_key(kind_of_case, row.case_id) if kind_of_case and row.case_id else None,
        "actor_id": row.actor_id, "actor": row.actor_label, "kind": row.kind,
        "category": row.category,
        "occurred_at": row.occurred_at.isoformat(timespec="microseconds"),
        "payload": row.payload, "prev_hash": row.prev_hash, "hash": row.hash,
    }


def pages(session: Session, *, start: datetime, end: datetime, size: int = PAGE
          ) -> Iterator[list[dict[str, Any]]]:
    """The period's events in time order, a page (list of lines) at a time."""
    after: tuple[datetime, int] | None = None
    while True:
        query = (select(*_COLUMNS, Case.kind.label("case_kind"))
                 .outerjoin(Case, Case.id == _E.case_id)
                 .where(_in_period(start, end))
                 .order_by(_E.occurred_at, _E.id).limit(size))
        if after is not None:
            query = query.where(tuple_(_E.occurred_at, _E.id) > tuple_(
                literal(after[0], type_=_E.occurred_at.type), literal(after[1], type_=_E.id.type)))
        rows = session.execute(query).all()
        if not rows:
            return
        yield [line(r, r.case_kind) for r in rows]
        if len(rows) < size:
            return
        after = (rows[-1].occurred_at, rows[-1].id)


def verify_line(data: dict[str, Any]) -> bool:
    """Recompute one exported event's hash from the line alone."""
    return event_hash(
        prev_hash=data["prev_hash"], chain_key=data["chain"], seq=data["seq"],
        case_id=data["case_id"], actor_id=data["actor_id"], actor_label=data["actor"],
        kind=data["kind"], category=data["category"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]), payload=data["payload"],
    ) == data["hash"]
