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

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.people.models import Role, User
from integrity_desk.routing.models import Queue


def team_scoped(user: User) -> bool:
    """Whether the person sees only their own team's queues (vendor agents); pages say so."""
    return Role(user.role) == Role.AGENT


def visible_queue_clause(user: User) -> ColumnElement[bool]:
    """SQL on ``queues``: the queues this person may see, active or not. The rule itself."""
    if not team_scoped(user):
        return true()
    return Queue.team_id == user.team_id if user.team_id is not None else false()


def may_see(user: User, queue_team_id: int | None) -> bool:
    """The same rule for a queue already loaded (a claim's ``QueueInfo``); a test checks that
    it agrees with ``visible_queue_clause`` for every role."""
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
    if not team_scoped(user):
        return true()
    if user.team_id is None:
        return false()
    return Case.queue_id.in_(visible_queue_ids(user))


def visible_queues(session: Session, user: User, *, active_only: bool = False) -> list[Queue]:
    """The queues this person may see, in routing order (position, then id); ``active_only``
    for lists that offer queues to pick new work from."""
    query = select(Queue).where(visible_queue_clause(user))
    if active_only:
        query = query.where(Queue.active)
    return list(session.scalars(query.order_by(Queue.position, Queue.id)))
