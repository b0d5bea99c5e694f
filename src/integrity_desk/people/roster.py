"""Who a person may see among the people, and the roster a manager works from: every person
with their team, vendor and readiness to take work (docs/workforce.md).

One query answers "which people may this viewer see": a manager (``workforce.manage``) sees
everyone; anyone else sees only themselves. Every people list and every person page starts
from it, so a refused person answers 404 like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session, selectinload

from integrity_desk.errors import NotFound
from integrity_desk.people import schedule
from integrity_desk.people.models import WORKING_ROLES, Team, User, Vendor
from integrity_desk.people.names import named

MAX_ROSTER = 2000



@dataclass(frozen=True)
class RosterRow:
    person: User
    readiness: schedule.Readiness

    @property
    def vendor(self) -> Vendor | None:
        team = self.person.team
        return team.vendor if team else None


def visible_people(viewer: User | None, *, manages: bool) -> ColumnElement[bool]:
    """SQL: the people this viewer may see (``viewer`` None: the system, as the CLI acts)."""
    return true() if manages or viewer is None else (User.id == viewer.id)


def people_query(viewer: User | None, *, manages: bool) -> Select[tuple[User]]:
    return (select(User).where(visible_people(viewer, manages=manages))
            .options(selectinload(User.team).selectinload(Team.vendor)))


def get_person(session: Session, viewer: User, user_id: int, *, manages: bool) -> User:
    person = session.scalar(people_query(viewer, manages=manages).where(User.id == user_id))
    if person is None:
        raise NotFound(f"no person #{user_id}", field="user_id")
    return person


def roster(session: Session, viewer: User | None, *, manages: bool, now: datetime,
           team: str | None = None, vendor: str | None = None, email: str | None = None,
           active_only: bool = True) -> list[RosterRow]:
    """The people the viewer may see (optionally one team's, one vendor's or one address),
    by name, each with their readiness now. Three reads whatever the number of people."""
    # The workforce: people who take and work cases (viewers and policy read, and are not
    # rostered).
    query = people_query(viewer, manages=manages).where(
        User.role.in_(sorted(r.value for r in WORKING_ROLES)))
    if active_only:
        query = query.where(User.active.is_(True))
    if team is not None:
        query = query.where(User.team_id == named(session, Team, team, field="team").id)
    if vendor is not None:
        vendor_id = named(session, Vendor, vendor, field="vendor").id
        query = query.where(User.team_id.in_(select(Team.id).where(Team.vendor_id == vendor_id)))
    if email is not None:
        query = query.where(User.email == email.strip().lower())
    people = list(session.scalars(query.order_by(User.name, User.id).limit(MAX_ROSTER)))
    ready = schedule.readiness_of(session, people, now)
    return [RosterRow(p, ready[p.id]) for p in people]
