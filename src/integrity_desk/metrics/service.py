"""The console's counts: refresh the snapshot, and read it for a viewer.

Reading is a handful of small statements whatever the number of cases; refreshing is one pass
over the open cases plus three index ranges, done by the worker every
``metrics_refresh_seconds`` and, should the worker have stopped, by the first page view that
finds the snapshot older than ``metrics_stale_seconds``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.db import upsert_insert
from integrity_desk.metrics import repository
from integrity_desk.metrics.domain import (
    PRIORITIES,
    flow_window,
    is_stale,
    utc_day,
    visible_classes,
)
from integrity_desk.metrics.models import CaseFlowDay, MetricsRefresh, QueueBacklog
from integrity_desk.metrics.repository import CaseLine
from integrity_desk.people.models import User
from integrity_desk.routing.models import Queue
from integrity_desk.routing.repository import visible_queue_clause

SNAPSHOT = "console"


@dataclass(frozen=True)
class SnapshotInfo:
    computed_at: datetime
    took_ms: int
    breaches_today: int

    @property
    def day(self) -> date:
        return utc_day(self.computed_at)


def _lock(session: Session) -> MetricsRefresh:
    """The snapshot's row, locked: concurrent refreshes take turns (PostgreSQL row lock;
    SQLite runs one writing transaction at a time anyway)."""
    session.execute(upsert_insert(session)(MetricsRefresh).values(
        name=SNAPSHOT, computed_at=None, took_ms=0, breaches_today=0,
    ).on_conflict_do_nothing(index_elements=["name"]))
    row = session.scalar(select(MetricsRefresh).where(MetricsRefresh.name == SNAPSHOT)
                         .with_for_update().execution_options(populate_existing=True))
    assert row is not None
    return row


def refresh(session: Session, *, now: datetime, max_age_seconds: float | None = None
            ) -> SnapshotInfo:
    """Recompute the snapshot as of ``now``. With ``max_age_seconds``, only if the one found
    after taking the lock is older than that (another process may just have made it)."""
    row = _lock(session)
    if (max_age_seconds is not None and row.computed_at is not None
            and not is_stale(row.computed_at, now, max_age_seconds)):
        return _info(row)
    started = time.perf_counter()
    repository.replace_backlog(session, now)
    repository.replace_flow(session, flow_window(now))
    row.breaches_today = repository.breaches_on(session, utc_day(now), now)
    row.computed_at = now
    row.took_ms = round(1000 * (time.perf_counter() - started))
    session.flush()
    return _info(row)


def _info(row: MetricsRefresh) -> SnapshotInfo:
    assert row.computed_at is not None
    return SnapshotInfo(row.computed_at, row.took_ms, row.breaches_today)


def current(session: Session, *, now: datetime, max_age_seconds: float
            ) -> tuple[SnapshotInfo, bool]:
    """The snapshot, refreshed first when missing or older than ``max_age_seconds``; and
    whether this call refreshed it (the caller then commits)."""
    row = session.get(MetricsRefresh, SNAPSHOT)
    if row is not None and row.computed_at is not None and not is_stale(
            row.computed_at, now, max_age_seconds):
        return _info(row), False
    return refresh(session, now=now, max_age_seconds=max_age_seconds), True


# -- reading it -------------------------------------------------------------------------------

@dataclass
class QueueCounts:
    """Open cases of one queue that the viewer may read, by priority and by SLA state."""

    slug: str
    name: str
    team: str | None
    active: bool
    by_priority: dict[int, int] = field(default_factory=lambda: dict.fromkeys(PRIORITIES, 0))
    total: int = 0
    at_risk: int = 0
    breached: int = 0
    unassigned: int = 0

    @property
    def on_track(self) -> int:
        return self.total - self.at_risk - self.breached


def queue_counts(session: Session, user: User) -> list[QueueCounts]:
    """Every queue the user may see, active or not, with the snapshot's counts of the cases
    they may read (two statements). The pages list queues by position, then name."""
    queues = session.scalars(select(Queue).where(visible_queue_clause(user))
                             .order_by(Queue.position, Queue.name))
    return backlog_counts(session, user, list(queues))


def backlog_counts(session: Session, user: User, queues: list[Queue]) -> list[QueueCounts]:
    """The snapshot's counts of these queues (the caller chose them with
    ``routing.repository``), restricted to the cases the user may read, in the given order."""
    out = {q.id: QueueCounts(q.slug, q.name, q.team.name if q.team else None, q.active)
           for q in queues}
    if not out:
        return []
    classes = sorted(visible_classes(user.role))
    rows = session.execute(
        select(QueueBacklog.queue_id, QueueBacklog.priority, QueueBacklog.open_total,
               QueueBacklog.at_risk, QueueBacklog.breached, QueueBacklog.unassigned)
        .where(QueueBacklog.visibility.in_(classes), QueueBacklog.queue_id.in_(list(out))))
    for queue_id, priority, total, at_risk, breached, unassigned in rows:
        counts = out[queue_id]
        counts.by_priority[priority] = counts.by_priority.get(priority, 0) + total
        counts.total += total
        counts.at_risk += at_risk
        counts.breached += breached
        counts.unassigned += unassigned
    return list(out.values())


@dataclass(frozen=True)
class FlowDay:
    day: date
    opened: int
    closed: int


def flow(session: Session, as_of: datetime) -> list[FlowDay]:
    """Opened and closed per day over the snapshot's window, oldest first; a day the
    snapshot lacks (a brand-new desk) shows as zero."""
    days = flow_window(as_of)
    stored = {row.day: row for row in session.scalars(
        select(CaseFlowDay).where(CaseFlowDay.day >= days[0], CaseFlowDay.day <= days[-1]))}
    return [FlowDay(d, stored[d].opened if d in stored else 0,
                    stored[d].closed if d in stored else 0) for d in days]


@dataclass(frozen=True)
class Overview:
    snapshot: SnapshotInfo
    queues: list[QueueCounts]
    totals_by_priority: dict[int, int]
    total_open: int
    at_risk: list[CaseLine]
    breaches: list[CaseLine]
    flow: list[FlowDay]
    oldest: list[CaseLine]


def overview(session: Session, user: User, *, snapshot: SnapshotInfo, now: datetime,
             list_limit: int = 15) -> Overview:
    """The manager overview: the snapshot's backlog and flow, and three short live lists."""
    queues = queue_counts(session, user)
    totals = dict.fromkeys(PRIORITIES, 0)
    for q in queues:
        for priority, n in q.by_priority.items():
            totals[priority] = totals.get(priority, 0) + n
    return Overview(
        snapshot=snapshot,
        queues=queues,
        totals_by_priority=totals,
        total_open=sum(q.total for q in queues),
        at_risk=repository.at_risk_cases(session, user, now, list_limit),
        breaches=repository.breached_cases_on(session, user, snapshot.day, now, list_limit),
        flow=flow(session, snapshot.computed_at),
        oldest=repository.oldest_open_cases(session, user, list_limit),
    )
