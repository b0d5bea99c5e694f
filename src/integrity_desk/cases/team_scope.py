"""Which cases are a team's or a vendor's work: the case list's ``team`` and ``vendor`` filters
(issue 20), so the escalations manager sees one BPO vendor's or one team's work at a glance.

A case belongs to a team when a member of the team holds it (``cases.assignee_id`` →
``users.team_id``), or, when nobody holds it, when it waits in a queue the team works
(``cases.queue_id`` → ``queues.team_id``). Whoever holds a case is doing it, so a vendor queue's
case a specialist took over is the specialist's team's, not the vendor's; a case nobody holds is
the work waiting for the team whose queue it sits in. A case belongs to a vendor when it belongs
to one of the vendor's teams (``teams.vendor_id``). docs/decisions.md has the reasoning.

Both clauses are SQL on ``cases`` (IN subqueries on ``users(team_id)`` and ``queues(team_id)``,
answered from ``ix_cases_assignee_*`` and ``ix_cases_queue_open``), added to the list's query,
which starts from what the person may read: a filter narrows that, it never widens it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.people.names import named
from integrity_desk.routing.models import Queue
from integrity_desk.routing.repository import team_scoped


def team_id_named(session: Session, name: str) -> int:
    """The team's id; an unknown name is a filter to correct (422 naming ``team``)."""
    return int(named(session, Team, name, field="team").id)


def vendor_id_named(session: Session, name: str) -> int:
    """The vendor's id; an unknown name is a filter to correct (422 naming ``vendor``)."""
    return int(named(session, Vendor, name, field="vendor").id)


def of_teams(team_ids: Sequence[int] | Select[tuple[int]]) -> ColumnElement[bool]:
    """SQL on ``cases``: held by a member of these teams, or held by nobody and waiting in a
    queue one of them works."""
    members = select(User.id).where(User.team_id.in_(team_ids))
    queues = select(Queue.id).where(Queue.team_id.in_(team_ids))
    return or_(Case.assignee_id.in_(members),
               and_(Case.assignee_id.is_(None), Case.queue_id.in_(queues)))


def of_team(team_id: int) -> ColumnElement[bool]:
    return of_teams([team_id])


def of_vendor(vendor_id: int) -> ColumnElement[bool]:
    """The work of every team of the vendor, in the same statement (no list of teams first)."""
    return of_teams(select(Team.id).where(Team.vendor_id == vendor_id))


def teams_to_offer(session: Session, user: User) -> tuple[list[Team], list[Vendor]]:
    """The teams and vendors a filter form offers this person, by name: a team-scoped person
    (a vendor agent) knows only their own team and its vendor, as they see only its queues
    (``routing.repository``'s rule); everyone else every team and vendor. Offering no more than
    that keeps other vendors' names off their pages; the list's query keeps their cases off."""
    if not team_scoped(user):
        teams = list(session.scalars(select(Team).order_by(Team.name)))
        return teams, list(session.scalars(select(Vendor).order_by(Vendor.name)))
    if user.team_id is None:
        return [], []
    team = session.get(Team, user.team_id)
    if team is None:
        return [], []
    vendor = session.get(Vendor, team.vendor_id) if team.vendor_id is not None else None
    return [team], [vendor] if vendor is not None else []
