"""Which queues a person may see: the one rule, written once (issue 27).

Every list, count, page and export that shows queues, or cases by the queue they sit in,
asks here: the case clause (``cases.repository.readable_clause``), the queue pickers and
``GET /queues`` (``visible_queues`` below), and the queues page and overview
(``metrics.service.queue_counts``). Before, four copies disagreed on details; now a change to
who sees which queue is one edit, and ``tests/routing/test_visible_queues.py`` pins it per role.

The rule: a vendor agent sees the queues of their own team, and an agent in no team none;
every other role sees every queue. Whether a queue is active does not matter: deactivating a
queue stops routing new cases to it, it does not hide the cases already there from the people
who could see them (docs/decisions.md, "One query for the queues a person may see").
Lists that offer queues to pick from may still leave inactive ones out; that is a choice of
what to offer, not of what may be seen.

Which *cases* of a visible queue a person reads (legal restriction, legal notices) is the case
clause's business; which they may *work* is ``routing.service.may_work_clause``.

Dependencies point one way: this module imports models only, so the cases slice may import it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.people.models import Role, User
from integrity_desk.routing.models import Queue

# Roles that see only their own team's queues (vendor agents); every other role sees them all.
TEAM_SCOPED = frozenset({Role.AGENT})


def team_scoped(user: User) -> bool:
    """Whether the person sees only their own team's queues (vendor agents); pages say so."""
    return Role(user.role) in TEAM_SCOPED


def visible_queue_clause(user: User) -> ColumnElement[bool]:
    """SQL on ``queues``: the queues this person may see, active or not. The rule itself."""
    if not team_scoped(user):
        return true()
    return Queue.team_id == user.team_id if user.team_id is not None else false()


def may_see(user: User, queue_team_id: int | None) -> bool:
    """The same rule for a queue already loaded (a claim's ``QueueInfo``, a refusal's
    reason); a test checks that it agrees with ``visible_queue_clause`` for every role."""
    return not team_scoped(user) or (user.team_id is not None and queue_team_id == user.team_id)


def visible_queue_ids(user: User) -> Select[tuple[int]]:
    """SELECT of the ids of the queues this person may see (for ``IN`` clauses)."""
    return select(Queue.id).where(visible_queue_clause(user))


def in_visible_queue(user: User) -> ColumnElement[bool]:
    """SQL on ``cases``: the case sits in a queue this person may see.

    For a person who sees every queue this is ``true()``, so cases not (yet) in any queue stay
    readable to them and the case queries keep their plain shape; for a team-scoped person a
    case outside their team's queues, or in none, is not there.
    """
    return case_in_visible_queue(Role(user.role), user.team_id)


def case_in_visible_queue(role: Role, team_id: Any) -> ColumnElement[bool]:
    """``in_visible_queue`` from a role and a team id that may be a bound parameter, for the
    claim statements ``routing.service`` builds once per role and reuses for every claimer
    (``team_id`` None: the person has no team)."""
    if role not in TEAM_SCOPED:
        return true()
    if team_id is None:
        return false()
    return Case.queue_id.in_(select(Queue.id).where(Queue.team_id == team_id))


def sees_queue_of(queue_id: int | None) -> ColumnElement[bool]:
    """SQL on ``users``: the person may see this queue (the rule read the other way round,
    for the list of people a case may be given to). A case in no queue: no team-scoped role."""
    scoped = [r.value for r in TEAM_SCOPED]
    if queue_id is None:
        return User.role.not_in(scoped)
    queue_team = select(Queue.team_id).where(Queue.id == queue_id).scalar_subquery()
    return or_(User.role.not_in(scoped), User.team_id == queue_team)


def visible_queues(session: Session, user: User, *, active_only: bool = False) -> list[Queue]:
    """The queues this person may see, in routing order (position, then id); ``active_only``
    for lists that offer queues to pick new work from."""
    query = select(Queue).where(visible_queue_clause(user))
    if active_only:
        query = query.where(Queue.active)
    return list(session.scalars(query.order_by(Queue.position, Queue.id)))
