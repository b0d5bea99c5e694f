"""The manager's view of the work in people's hands: the Team board (every person's readiness,
load against capacity, cases handled today and harmful items seen today). It composes the
people roster with the record of work (work intervals) and wellbeing's exposures, so each of
those slices stays ignorant of the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.metrics.domain import day_start as utc_midnight
from integrity_desk.people import roster, schedule
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.routing.models import Queue, WorkInterval
from integrity_desk.wellbeing import service as wellbeing
from integrity_desk.wellbeing.domain import exposure_day

# The end of an interval that counts as a case handled: the person decided or closed it.
HANDLED = ("decided", "closed")


@dataclass(frozen=True)
class BoardRow:
    row: roster.RosterRow
    handled_today: int
    seen_today: int
    harm_cap: int

    @property
    def person(self) -> User:
        return self.row.person


def day_start(now: datetime) -> datetime:
    """Midnight UTC of the day harmful exposures count ``now`` on, so both of the board's
    "today" columns cover the same hours."""
    return utc_midnight(exposure_day(now))


def handled_since(session: Session, user_ids: Sequence[int], since: datetime
                  ) -> dict[int, int]:
    """Cases each person decided or closed since ``since`` (distinct cases; one grouped read)."""
    counts = {uid: 0 for uid in user_ids}
    if user_ids:
        counts.update(session.execute(  # type: ignore[arg-type]
            select(WorkInterval.user_id, func.count(func.distinct(WorkInterval.case_id)))
            .where(WorkInterval.user_id.in_(list(user_ids)), WorkInterval.ended_at >= since,
                   WorkInterval.end_reason.in_(HANDLED))
            .group_by(WorkInterval.user_id)).all())
    return counts


def team_board(session: Session, viewer: User | None, *, manages: bool, now: datetime,
               team: str | None = None, vendor: str | None = None, email: str | None = None,
               active_only: bool = True) -> list[BoardRow]:
    """Every person the viewer may see (or one team's, one vendor's) with readiness, load,
    handled today and exposure today: five reads whatever the number of people."""
    rows = roster.roster(session, viewer, manages=manages, now=now, team=team, vendor=vendor,
                         email=email, active_only=active_only)
    return _board(session, rows, now)


def person_board(session: Session, person: User, now: datetime) -> BoardRow:
    """One person's row of the board (their page)."""
    return _board(session, [roster.RosterRow(person, schedule.readiness(session, person, now))],
                  now)[0]


def _board(session: Session, rows: list[roster.RosterRow], now: datetime) -> list[BoardRow]:
    ids = [r.person.id for r in rows]
    handled = handled_since(session, ids, day_start(now))
    seen = wellbeing.seen_on(session, ids, now)
    cap = wellbeing.daily_cap(session)
    return [BoardRow(r, handled[r.person.id], seen[r.person.id], cap) for r in rows]


@dataclass(frozen=True)
class VendorLoad:
    """A vendor's (or, with ``vendor_id`` None, the internal teams') people and work now."""

    vendor_id: int | None
    name: str
    people: int
    on_shift: int
    ready: int
    free: int  # places left among ready people with a capacity set
    unlimited: int  # ready people with no capacity set (their room is not counted)
    open_cases: int
    share: float | None  # of all open cases held or waiting for a team


def open_cases_by_team(session: Session) -> dict[int, int]:
    """Open cases per team as the case list's team filter counts them (cases/team_scope.py):
    held by a member of the team, or held by nobody and waiting in the team's queue. Two
    grouped reads."""
    counts: dict[int, int] = defaultdict(int)
    held = session.execute(
        select(User.team_id, func.count()).join(Case, Case.assignee_id == User.id)
        .where(Case.is_open.is_(True), User.team_id.is_not(None)).group_by(User.team_id))
    waiting = session.execute(
        select(Queue.team_id, func.count()).join(Case, Case.queue_id == Queue.id)
        .where(Case.is_open.is_(True), Case.assignee_id.is_(None),
               Queue.team_id.is_not(None)).group_by(Queue.team_id))
    for team_id, n in [*held, *waiting]:
        counts[team_id] += n
    return counts


def vendor_loads(session: Session, now: datetime) -> list[VendorLoad]:
    """Each active vendor, then the internal teams together: people on shift and ready, free
    capacity, and their share of the open cases (the Vendors page)."""
    board = roster.roster(session, None, manages=True, now=now)
    by_team = open_cases_by_team(session)
    team_vendor = dict(session.execute(select(Team.id, Team.vendor_id)).all())
    names = dict(session.execute(select(Vendor.id, Vendor.name).where(Vendor.active)).all())
    groups: dict[int | None, list[roster.RosterRow]] = {vid: [] for vid in names}
    groups[None] = []
    for row in board:
        if row.person.team_id is None:
            continue
        vendor_id = team_vendor.get(row.person.team_id)
        if vendor_id in groups:
            groups[vendor_id].append(row)
    cases: dict[int | None, int] = defaultdict(int)
    for team_id, n in by_team.items():
        cases[team_vendor.get(team_id)] += n
    total = sum(cases[v] for v in groups)
    loads = []
    for vendor_id, rows in groups.items():
        ready = [r for r in rows if r.readiness.ready]
        loads.append(VendorLoad(
            vendor_id, names[vendor_id] if vendor_id is not None else "Internal teams",
            len(rows), sum(1 for r in rows if r.readiness.shift.on_shift), len(ready),
            sum(r.readiness.free or 0 for r in ready if r.readiness.capacity is not None),
            sum(1 for r in ready if r.readiness.capacity is None), cases[vendor_id],
            cases[vendor_id] / total if total else None))
    return sorted(loads, key=lambda v: (v.vendor_id is None, v.name))
