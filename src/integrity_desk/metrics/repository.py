"""The metrics slice's queries: the snapshot's aggregates (run by the worker) and the short
lists of the overview (run per page view, each an index range with a LIMIT).

The aggregates reuse the case list's own SLA clauses (``at_risk_clause``, ``breached_clause``),
so a count on the queues page and the list its link opens answer the same question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from integrity_desk.cases.domain import CaseKind, case_key
from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import at_risk_clause, breached_clause, readable_clause
from integrity_desk.metrics.domain import Visibility, day_start
from integrity_desk.metrics.models import CaseFlowDay, QueueBacklog
from integrity_desk.people.models import User
from integrity_desk.routing.models import Queue

# The bare column, as the partial indexes on open cases state it (see cases.repository).
_OPEN = text("cases.is_open")
_ASSIGNEE = aliased(User)


def _constant(value: str) -> Any:
    """A literal written into the SQL: a bound parameter would make PostgreSQL see the
    GROUP BY expression as different from the selected one."""
    return literal_column(f"'{value}'")


def _visibility() -> ColumnElement[str]:
    return case(
        (Case.legal_restricted.is_(True), _constant(Visibility.RESTRICTED)),
        (Case.kind == _constant(CaseKind.LEGAL_NOTICE), _constant(Visibility.LEGAL_NOTICE)),
        else_=_constant(Visibility.GENERAL),
    )


def _how_many(clause: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)


def backlog_statement(now: datetime) -> Select[Any]:
    """Open cases by queue, priority and visibility class, with their SLA states: one pass
    over the open cases."""
    visibility = _visibility()
    return (
        select(Case.queue_id, Case.priority, visibility, func.count(),
               _how_many(at_risk_clause(now)), _how_many(breached_clause(now)),
               _how_many(Case.assignee_id.is_(None)))
        .where(_OPEN, Case.queue_id.is_not(None))
        .group_by(Case.queue_id, Case.priority, visibility)
    )


def replace_backlog(session: Session, now: datetime) -> None:
    session.execute(delete(QueueBacklog))
    columns = ["queue_id", "priority", "visibility", "open_total", "at_risk", "breached",
               "unassigned"]
    session.execute(insert(QueueBacklog).from_select(columns, backlog_statement(now)))


def _utc_day(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(_constant("UTC"), column))
    # SQLite keeps UTC as text, 'YYYY-MM-DD HH:MM:SS.ffffff' (db.UTCDateTime).
    return func.substr(column, literal_column("1"), literal_column("10"))


def count_by_day(session: Session, column: Any, since: datetime) -> dict[date, int]:
    """Rows whose ``column`` falls on each UTC day from ``since`` on (an index range)."""
    day = _utc_day(session, column)
    rows = session.execute(select(day, func.count()).where(column >= since).group_by(day))
    return {date.fromisoformat(str(d)): int(n) for d, n in rows}


def replace_flow(session: Session, days: Sequence[date]) -> None:
    """Opened and closed per day, every day of the window written (zero days too)."""
    since = day_start(days[0])
    opened = count_by_day(session, Case.created_at, since)
    closed = count_by_day(session, Case.closed_at, since)
    session.execute(delete(CaseFlowDay).where(CaseFlowDay.day >= days[0]))
    session.execute(insert(CaseFlowDay), [
        {"day": d, "opened": opened.get(d, 0), "closed": closed.get(d, 0)} for d in days])


def _due_on(day: date, now: datetime) -> list[ColumnElement[bool]]:
    """Due on that UTC day and not after now: a breach (open past its due time, or decided
    after it) is never due later than now, and the bound keeps an index range short."""
    start = day_start(day)
    return [Case.resolution_due_at >= start, Case.resolution_due_at < start + timedelta(days=1),
            Case.resolution_due_at <= now]


def breaches_on(session: Session, day: date, now: datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(Case).where(
        *_due_on(day, now), breached_clause(now))) or 0)


# -- the overview's lists ---------------------------------------------------------------------

@dataclass(frozen=True)
class CaseLine:
    """One case in a short list: what the row shows, nothing personal."""

    key: str
    title: str
    kind: str
    priority: int
    status: str
    queue: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None


def _lines(session: Session, user: User, where: Sequence[ColumnElement[bool]],
           order: Sequence[Any], limit: int) -> list[CaseLine]:
    query = (
        select(Case.id, Case.kind, Case.title, Case.priority, Case.status, Queue.name,
               _ASSIGNEE.name, Case.created_at, Case.resolution_due_at)
        .select_from(Case)
        .outerjoin(Queue, Queue.id == Case.queue_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Case.assignee_id)
        .where(readable_clause(user), *where)
        .order_by(*order)
        .limit(limit)
    )
    return [CaseLine(case_key(kind, cid), title, kind, prio, status, queue, assignee,
                     created, due)
            for cid, kind, title, prio, status, queue, assignee, created, due
            in session.execute(query)]


def at_risk_cases(session: Session, user: User, now: datetime, limit: int) -> list[CaseLine]:
    """Soonest due first: ix_cases_due from now on (at risk means not yet due)."""
    return _lines(session, user, [at_risk_clause(now)],
                  [Case.resolution_due_at, Case.id], limit)


def breached_cases_on(session: Session, user: User, day: date, now: datetime,
                      limit: int) -> list[CaseLine]:
    """The day's breaches, the latest first (ix_cases_due, backwards over one day)."""
    return _lines(session, user, [*_due_on(day, now), breached_clause(now)],
                  [Case.resolution_due_at.desc(), Case.id.desc()], limit)


def oldest_open_cases(session: Session, user: User, limit: int) -> list[CaseLine]:
    """ix_cases_open_created, from its start."""
    return _lines(session, user, [_OPEN], [Case.created_at, Case.id], limit)
