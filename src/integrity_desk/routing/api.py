"""Queues over HTTP: list them, configure them, and claim the next case of one."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from integrity_desk.api.deps import CaseWorker, QueueManager, QueueReader, SessionDep
from integrity_desk.api.responses import json_of
from integrity_desk.audit.service import record
from integrity_desk.cases.domain import OPEN_STATUSES, case_key
from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import readable_clause
from integrity_desk.configuration import desk_config
from integrity_desk.db import utcnow
from integrity_desk.errors import Conflict
from integrity_desk.people.service import get_team_by_name
from integrity_desk.routing import service
from integrity_desk.routing.models import Queue

router = APIRouter(tags=["queues"])


class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str = Field(min_length=1, max_length=120)
    team: str | None = Field(default=None, description="name of the team that works it")
    kinds: list[str] = Field(min_length=1)
    tier: int = 1
    languages: list[str] = []
    skills: list[str] = []
    position: int = 100


class QueueOut(BaseModel):
    slug: str
    name: str
    team: str | None
    kinds: list[str]
    tier: int
    languages: list[str]
    skills: list[str]
    position: int
    open_cases: int
    by_priority: dict[str, int]


@router.get("/queues", response_model=list[QueueOut])
def list_queues(session: SessionDep, principal: QueueReader) -> list[QueueOut]:
    """Queues with the open cases the caller may read, counted by priority in one query."""
    queues = list(session.scalars(
        select(Queue).where(Queue.active, service.readable_queue_clause(principal.user))
        .order_by(Queue.position, Queue.id)))
    counts: dict[int, dict[str, int]] = {}
    for queue_id, priority, n in session.execute(
        select(Case.queue_id, Case.priority, func.count())
        .where(Case.status.in_(OPEN_STATUSES), readable_clause(principal.user))
        .group_by(Case.queue_id, Case.priority)
    ):
        counts.setdefault(queue_id, {})[f"P{priority}"] = n
    return [
        QueueOut(slug=q.slug, name=q.name, team=q.team.name if q.team else None, kinds=q.kinds,
                 tier=q.tier, languages=q.languages, skills=q.skills, position=q.position,
                 open_cases=sum(counts.get(q.id, {}).values()),
                 by_priority=counts.get(q.id, {}))
        for q in queues
    ]


@router.post("/queues", response_model=QueueOut, status_code=201)
def create_queue(body: QueueIn, session: SessionDep, principal: QueueManager) -> QueueOut:
    service.validate_queue_fields(kinds=body.kinds, tier=body.tier)
    if session.scalar(select(Queue.id).where(Queue.slug == body.slug)):
        raise Conflict(f"queue {body.slug} exists", field="slug")
    team = get_team_by_name(session, body.team) if body.team else None
    queue = Queue(slug=body.slug, name=body.name, team_id=team.id if team else None,
                  kinds=body.kinds, tier=body.tier, languages=body.languages,
                  skills=body.skills, position=body.position)
    session.add(queue)
    session.flush()
    record(session, kind="queue.created", category="audit", actor=principal.actor,
           chain_key="config", payload=body.model_dump())
    session.commit()
    return QueueOut(slug=queue.slug, name=queue.name, team=team.name if team else None,
                    kinds=queue.kinds, tier=queue.tier, languages=queue.languages,
                    skills=queue.skills, position=queue.position, open_cases=0, by_priority={})


class ClaimOut(BaseModel):
    case: str | None = Field(description="key of the case now yours; null when none is waiting")


@router.post("/queues/{slug}/claim", response_model=ClaimOut)
def claim_next(slug: str, session: SessionDep, principal: CaseWorker) -> Response:
    now = utcnow()
    # From the configuration snapshot (one tiny version read, fresh), not an ORM load.
    queue = desk_config(session).queues.by_slug.get(slug) or service.get_queue(session, slug)
    claimed = service.claim_next(session, user=principal.user, queue=queue, now=now)
    if claimed is None:
        return json_of(ClaimOut(case=None))
    case_id, kind = claimed
    record(session, kind="case.claimed", category="state", actor=principal.actor,
           case_id=case_id, at=now, payload={"before": None, "after": principal.user.id,
                                             "queue": slug})
    session.commit()
    return json_of(ClaimOut(case=case_key(kind, case_id)))
