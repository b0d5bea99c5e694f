"""The manager's view of the work in people's hands: the Team board (every person's readiness,
load against capacity, cases handled today and harmful items seen today). It composes the
people roster with the record of work (work intervals) and wellbeing's exposures, so each of
those slices stays ignorant of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.people import roster, schedule
from integrity_desk.people.models import User
from integrity_desk.routing.models import WorkInterval
from integrity_desk.wellbeing import service as wellbeing

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
    """Midnight UTC of ``now``'s day: the day harmful exposures count on, so both of the
    board's "today" columns cover the same hours."""
    return datetime.combine(now.date(), time(), tzinfo=now.tzinfo)


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
