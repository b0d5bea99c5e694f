"""Configuring queues: create, edit, deactivate and reactivate, each audited on the config chain.

Routing sends every new case to the first active queue (lowest position) that takes its kind,
so a queue's configuration decides where all new work goes. Two rules keep a change from
silently misrouting it (docs/decisions.md, "Queues need a team; a queue with open cases stays"):

* a queue always has a team: one without would take cases no agent can see or claim;
* a queue is deactivated only when it holds no open case and every kind it takes is still
  taken by another active queue, so no case is stranded and no new case goes unrouted.

Services flush; the caller commits once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import OPEN_STATUSES, CaseKind
from integrity_desk.cases.models import Case
from integrity_desk.errors import Conflict, InvalidInput
from integrity_desk.people.models import Team
from integrity_desk.routing.models import Queue
from integrity_desk.routing.service import get_queue
from integrity_desk.routing.settings import first_version

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
# Routing tries low positions first; a million leaves room to insert between any two queues.
MAX_POSITION = 1_000_000
TIERS = (1, 2, 3)
EDITABLE = ("name", "team", "kinds", "tier", "languages", "skills", "position")


@dataclass(frozen=True)
class QueueState:
    """A queue as the API and console show it, with its open cases counted."""

    queue: Queue
    open_cases: int


def _team(session: Session, name: str | None) -> Team:
    if not name:
        raise InvalidInput("a queue needs the team that works it: without one, no agent can "
                           "see or claim its cases", field="team")
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise InvalidInput(f"no team named {name!r}", field="team")
    return team


def _check(fields: Mapping[str, Any]) -> None:
    """The rules a schema cannot state alone (the CLI and console pass through here too)."""
    kinds = fields.get("kinds")
    if kinds is not None:
        if not kinds:
            raise InvalidInput("a queue takes at least one case kind", field="kinds")
        unknown = set(kinds) - {k.value for k in CaseKind}
        if unknown:
            raise InvalidInput(f"unknown case kind(s) {sorted(unknown)}", field="kinds")
    if "tier" in fields and fields["tier"] not in TIERS:
        raise InvalidInput("tier is 1, 2 or 3", field="tier")
    position = fields.get("position")
    if position is not None and not 0 <= position <= MAX_POSITION:
        raise InvalidInput(f"position is between 0 and {MAX_POSITION:,}", field="position")
    name = fields.get("name")
    if name is not None and not name.strip():
        raise InvalidInput("a queue needs a name", field="name")


def _snapshot(queue: Queue) -> dict[str, Any]:
    return {"name": queue.name, "team": queue.team.name if queue.team else None,
            "kinds": list(queue.kinds), "tier": queue.tier, "languages": list(queue.languages),
            "skills": list(queue.skills), "position": queue.position, "active": queue.active}


def open_cases(session: Session, queue_ids: list[int]) -> dict[int, int]:
    """Open cases per queue, whoever may read them (a manager's question, not a listing)."""
    if not queue_ids:
        return {}
    return dict(session.execute(  # type: ignore[arg-type]
        select(Case.queue_id, func.count())
        .where(Case.queue_id.in_(queue_ids), Case.status.in_(OPEN_STATUSES))
        .group_by(Case.queue_id)).all())


def create_queue(session: Session, *, actor: Actor, slug: str, name: str, team: str | None,
                 kinds: list[str], tier: int = 1, languages: list[str] | None = None,
                 skills: list[str] | None = None, position: int = 100) -> Queue:
    fields = {"name": name, "kinds": kinds, "tier": tier, "position": position}
    _check(fields)
    if session.scalar(select(Queue.id).where(Queue.slug == slug)):
        raise Conflict(f"queue {slug} exists", field="slug")
    owner = _team(session, team)
    queue = Queue(slug=slug, name=name.strip(), team_id=owner.id, kinds=list(kinds), tier=tier,
                  languages=list(languages or []), skills=list(skills or []),
                  position=position, active=True)
    queue.team = owner
    session.add(queue)
    session.flush()
    first_version(session, queue, actor=actor)  # its routing settings: the defaults
    record(session, kind="queue.created", category="audit", actor=actor, chain_key="config",
           payload={"slug": slug, **_snapshot(queue)})
    return queue


def update_queue(session: Session, *, actor: Actor, slug: str,
                 changes: Mapping[str, Any]) -> Queue:
    """Apply the named changes; a team may be replaced but not removed."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {sorted(unknown)}", field=sorted(unknown)[0])
    _check(changes)
    queue = get_queue(session, slug)
    before = _snapshot(queue)
    for name, value in changes.items():
        if name == "team":
            owner = _team(session, value)
            queue.team_id, queue.team = owner.id, owner
        elif name == "name":
            queue.name = value.strip()
        else:
            setattr(queue, name, list(value) if isinstance(value, list) else value)
    after = _snapshot(queue)
    if after != before:
        session.flush()
        record(session, kind="queue.changed", category="audit", actor=actor,
               chain_key="config", payload={"slug": slug, "before": before, "after": after})
    return queue


def deactivate_queue(session: Session, *, actor: Actor, slug: str) -> Queue:
    """Stop routing new cases to the queue; refused while it still holds open cases or is the
    last active queue of a kind it takes."""
    queue = get_queue(session, slug)
    if not queue.active:
        return queue
    # Take the queue out first, then look: an intake that routed here before this commit is
    # counted (on PostgreSQL the row lock holds concurrent deactivations in line).
    queue.active = False
    session.flush()
    held = open_cases(session, [queue.id]).get(queue.id, 0)
    if held:
        raise Conflict(f"queue {slug} still holds {held} open case(s): work them off or "
                       "escalate them before deactivating it", field="queue", open_cases=held)
    still_taken = {kind for kinds in session.scalars(
        select(Queue.kinds).where(Queue.active, Queue.id != queue.id)) for kind in kinds}
    orphaned = sorted(set(queue.kinds) - still_taken)
    if orphaned:
        raise Conflict(f"no other active queue takes {', '.join(orphaned)}: new cases of that "
                       "kind would go unrouted", field="queue", kinds=orphaned)
    record(session, kind="queue.deactivated", category="audit", actor=actor,
           chain_key="config", payload={"slug": slug})
    return queue


def reactivate_queue(session: Session, *, actor: Actor, slug: str) -> Queue:
    """Route new cases to the queue again; one without a team must be given one first."""
    queue = get_queue(session, slug)
    if queue.active:
        return queue
    if queue.team_id is None:
        raise InvalidInput("give the queue a team before reactivating it", field="team")
    queue.active = True
    session.flush()
    record(session, kind="queue.reactivated", category="audit", actor=actor,
           chain_key="config", payload={"slug": slug})
    return queue


def queue_states(session: Session, queues: list[Queue]) -> list[QueueState]:
    counts = open_cases(session, [q.id for q in queues])
    return [QueueState(q, counts.get(q.id, 0)) for q in queues]
