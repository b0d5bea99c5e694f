"""What a queue requires of whoever works it, read from the database: its skills, and the
certifications its routing settings in force name (routing.policy states the rule itself).

Every path that gives a person work asks here, so none can forget it: the pull claim and
claim-next-of-mine, ``check_may_work`` (assigning, working a case) and the assign picker
(``routing.eligible``). Certifications are read only when a queue requires any: a queue
without requirements costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from integrity_desk.errors import Forbidden
from integrity_desk.people import certifications
from integrity_desk.people.models import User
from integrity_desk.routing.models import Queue, QueueRoutingVersion
from integrity_desk.routing.policy import (
    DEFAULT,
    Lapse,
    Requirements,
    RoutingSettings,
    Standing,
    unmet,
)


def settings_of(row: QueueRoutingVersion | None) -> RoutingSettings:
    """A stored version as the frozen settings routing reads (the defaults when none)."""
    if row is None:
        return DEFAULT
    return RoutingSettings(version=row.version, mode=row.mode,
                           required_certifications=tuple(row.required_certifications or ()),
                           quality_weight=row.quality_weight,
                           ageing_per_hour=row.ageing_per_hour, affinity=row.affinity)


def _in_force() -> Any:
    """SQL on ``queue_routing_versions``: the row is its queue's highest version."""
    newer = aliased(QueueRoutingVersion)
    return ~select(newer.id).where(newer.queue_id == QueueRoutingVersion.queue_id,
                                   newer.version > QueueRoutingVersion.version).exists()


def in_force_rows(session: Session, queue_ids: Iterable[int] | None = None
                  ) -> dict[int, QueueRoutingVersion]:
    """The version in force (the highest) of each of these queues, or of every queue, in one
    query; a queue without any version is missing from the answer."""
    query = select(QueueRoutingVersion).where(_in_force())
    if queue_ids is not None:
        ids = sorted(set(queue_ids))
        if not ids:
            return {}
        query = query.where(QueueRoutingVersion.queue_id.in_(ids))
    return {row.queue_id: row for row in session.scalars(query)}


def settings_in_force(session: Session, queue_ids: Iterable[int] | None = None
                      ) -> dict[int, RoutingSettings]:
    return {queue_id: settings_of(row)
            for queue_id, row in in_force_rows(session, queue_ids).items()}


def next_version(session: Session, queue_id: int) -> int:
    latest = session.scalar(select(func.max(QueueRoutingVersion.version))
                            .where(QueueRoutingVersion.queue_id == queue_id))
    return (latest or 0) + 1


def of_queues(session: Session, queues: Iterable[Queue]) -> dict[int, Requirements]:
    """What each of these (loaded) queues requires: one query for their settings in force."""
    queues = list(queues)
    settings = settings_in_force(session, [q.id for q in queues])
    return {q.id: Requirements(q.slug, tuple(q.skills or ()), settings.get(
        q.id, DEFAULT).required_certifications) for q in queues}


def of_queue_id(session: Session, queue_id: int) -> Requirements:
    """What the queue with this id requires (a case's queue, not loaded): one small query."""
    row = session.execute(
        select(Queue.slug, Queue.skills, QueueRoutingVersion.required_certifications)
        .outerjoin(QueueRoutingVersion,
                   (QueueRoutingVersion.queue_id == Queue.id) & _in_force())
        .where(Queue.id == queue_id)).first()
    if row is None:
        return Requirements("")
    return Requirements(row[0], tuple(row[1] or ()), tuple(row[2] or ()))


def standing(session: Session, user: User, requirements: Requirements, now: datetime
             ) -> Standing:
    """The person's skills and, only if the queue requires certifications, the ones they hold
    now, with when any missing one lapsed (so the refusal can say "it expired on ...")."""
    if not requirements.certifications:
        return Standing(tuple(user.skills or ()), ())
    held = certifications.held_names(session, user.id, now)
    missing = [n for n in requirements.certifications if n not in held]
    lapsed = {name: Lapse(revoked_at=grant.revoked_at,
                          expired_at=grant.expires_at if grant.expires_at and
                          grant.expires_at <= now else None)
              for name, grant in certifications.last_grants(session, user.id, missing).items()}
    return Standing(tuple(user.skills or ()), held, lapsed)


def refusal(session: Session, user: User, requirements: Requirements, now: datetime, *,
            who: str | None = None) -> str | None:
    """Why the person may not work the queue's cases, or None when they meet its needs."""
    if not requirements:
        return None
    return unmet(requirements, standing(session, user, requirements, now), who=who)


def check(session: Session, user: User, requirements: Requirements, now: datetime, *,
          who: str | None = None) -> None:
    """Refuse (403), naming the skill or certification, unless the person meets them all."""
    reason = refusal(session, user, requirements, now, who=who)
    if reason is not None:
        raise Forbidden(reason)


def qualified_users(session: Session, users: list[User], requirements: Requirements,
                    now: datetime) -> list[User]:
    """Those of ``users`` who meet the queue's requirements (one read of certifications for
    them all, only when the queue requires any)."""
    if not requirements:
        return users
    held = certifications.held(session, [u.id for u in users], now) \
        if requirements.certifications else {}
    return [u for u in users if unmet(requirements, Standing(
        tuple(u.skills or ()), held.get(u.id, set()))) is None]


def queues_qualified_for(session: Session, user: User, needs: dict[int, Requirements],
                         now: datetime) -> set[int]:
    """The ids of the queues whose requirements the person meets (one read of their
    certifications, only when any of these queues requires one)."""
    held = certifications.held_names(session, user.id, now) \
        if any(r.certifications for r in needs.values()) else set()
    mine = Standing(tuple(user.skills or ()), held)
    return {queue_id for queue_id, need in needs.items() if unmet(need, mine) is None}
