"""Work intervals: who worked which case from when to when, with their team and vendor then.

Every change of who holds a case goes through ``hand_over`` (the cases service, the routing
claim): it closes the case's open interval, if any, and opens one for the new holder, if any —
one UPDATE and one INSERT, no read. The reads are ``of_case`` (the case's work) and
``intervals_in`` (a period's intervals clipped to it: what AHT and occupancy sum,
docs/workforce.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CaseStatus
from integrity_desk.db import utcnow
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.routing.models import WorkInterval

# A case in one of these, with an assignee, is being worked: it has an open interval.
WORKING_STATUSES = frozenset({CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS,
                              CaseStatus.WAITING_ON_REQUESTER, CaseStatus.WAITING_ON_LEGAL})

START_REASONS = ("claimed", "assigned", "revised", "backfilled")
END_REASONS = ("released", "reassigned", "escalated", "decided", "closed", "merged")


def hand_over(session: Session, case_id: int, to: User | None, *, now: datetime,
              start_reason: str | None = None, end_reason: str | None = None) -> None:
    """Close the case's open interval (``end_reason``) and open one for ``to``
    (``start_reason``), whose team today (and its vendor, read in the INSERT itself: no
    round trip) is the interval's. ``to`` None: nobody holds
    the case now. The caller has already changed the case under its own conditional UPDATE,
    so two hand-overs of one case never run at once (and the unique index would refuse a
    second open interval if they did)."""
    if end_reason is not None:
        session.execute(
            update(WorkInterval)
            .where(WorkInterval.case_id == case_id, WorkInterval.ended_at.is_(None))
            .values(ended_at=now, end_reason=end_reason)
            .execution_options(synchronize_session=False))
    if to is not None:
        vendor = (None if to.team_id is None else
                  select(Team.vendor_id).where(Team.id == to.team_id).scalar_subquery())
        session.execute(insert(WorkInterval).values(
            case_id=case_id, user_id=to.id, team_id=to.team_id, vendor_id=vendor,
            started_at=now, start_reason=start_reason or "assigned"))


def open_many(session: Session, given: Iterable[tuple[int, int]], *, now: datetime,
              start_reason: str = "assigned") -> None:
    """Open one interval for each (case id, user id) of cases nobody held before (routing's
    pushes in a batch of new cases): one read of the people's teams and vendors, one
    multi-row INSERT."""
    pairs = list(given)
    if not pairs:
        return
    users = select(User.id, User.team_id, Team.vendor_id).outerjoin(
        Team, Team.id == User.team_id).where(User.id.in_({u for _, u in pairs})).subquery()
    teams = {row.id: (row.team_id, row.vendor_id) for row in session.execute(select(users))}
    session.execute(insert(WorkInterval), [
        dict(case_id=case_id, user_id=user_id, team_id=teams[user_id][0],
             vendor_id=teams[user_id][1], started_at=now, start_reason=start_reason)
        for case_id, user_id in pairs])


@dataclass(frozen=True)
class Worked:
    """One interval as the case's work shows it."""

    user_id: int
    user_name: str
    user_email: str
    team_id: int | None
    team_name: str | None
    vendor_name: str | None
    started_at: datetime
    ended_at: datetime | None
    start_reason: str
    end_reason: str | None


def of_case(session: Session, case_id: int) -> list[Worked]:
    """Who worked the case, oldest first, with the team and vendor each had then."""
    rows = session.execute(
        select(WorkInterval.user_id, User.name, User.email, WorkInterval.team_id, Team.name,
               Vendor.name, WorkInterval.started_at, WorkInterval.ended_at,
               WorkInterval.start_reason, WorkInterval.end_reason)
        .join(User, User.id == WorkInterval.user_id)
        .outerjoin(Team, Team.id == WorkInterval.team_id)
        .outerjoin(Vendor, Vendor.id == WorkInterval.vendor_id)
        .where(WorkInterval.case_id == case_id)
        .order_by(WorkInterval.started_at, WorkInterval.id))
    return [Worked(*row) for row in rows]


@dataclass(frozen=True)
class Clipped:
    """An interval's part inside a period; ``open`` when it had not ended by then."""

    case_id: int
    user_id: int
    team_id: int | None
    vendor_id: int | None
    started_at: datetime
    ended_at: datetime
    start_reason: str
    end_reason: str | None
    open: bool

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


def intervals_in(session: Session, *, start: datetime, end: datetime,
                 user_ids: Iterable[int] | None = None, team_ids: Iterable[int] | None = None,
                 vendor_ids: Iterable[int] | None = None,
                 now: datetime | None = None) -> list[Clipped]:
    """The intervals overlapping the half-open period [start, end), clipped to it; an open
    interval runs until ``now`` (so a period reaching into the future counts no future work).
    ``team_ids`` and ``vendor_ids`` select by the team and vendor at the time, never today's
    team of a person."""
    now = now or utcnow()
    until = min(end, now)
    if until <= start:
        return []
    query = select(WorkInterval).where(
        WorkInterval.started_at < until,
        or_(WorkInterval.ended_at.is_(None), WorkInterval.ended_at > start))
    if user_ids is not None:
        query = query.where(WorkInterval.user_id.in_(list(user_ids)))
    if team_ids is not None:
        query = query.where(WorkInterval.team_id.in_(list(team_ids)))
    if vendor_ids is not None:
        query = query.where(WorkInterval.vendor_id.in_(list(vendor_ids)))
    out = []
    for w in session.scalars(query.order_by(WorkInterval.started_at, WorkInterval.id)):
        ended = w.ended_at if w.ended_at is not None and w.ended_at < until else until
        out.append(Clipped(case_id=w.case_id, user_id=w.user_id, team_id=w.team_id,
                           vendor_id=w.vendor_id,
                           started_at=max(w.started_at, start), ended_at=ended,
                           start_reason=w.start_reason, end_reason=w.end_reason,
                           open=w.ended_at is None or w.ended_at > until))
    return out
