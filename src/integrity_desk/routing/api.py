"""Queues over HTTP: list them, configure them (create, edit, deactivate, reactivate), and claim
the next case of one."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.api.deps import (
    CaseReader,
    CaseWorker,
    Principal,
    QueueManager,
    QueueReader,
    SessionDep,
)
from integrity_desk.api.responses import json_of
from integrity_desk.audit.service import record
from integrity_desk.cases.domain import OPEN_STATUSES, case_key
from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import get_case, readable_clause
from integrity_desk.configuration.service import desk_config
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.metrics import service as metrics
from integrity_desk.privacy.service import note_read
from integrity_desk.routing import intervals, manage, service, settings
from integrity_desk.routing.models import Queue
from integrity_desk.routing.repository import visible_queues
from integrity_desk.routing.schemas import (
    CaseWorkOut,
    ClaimOut,
    QueueIn,
    QueueOut,
    QueuePatch,
    QueueRoutingIn,
    QueueRoutingOut,
    RoutingSettingsOut,
    WorkIntervalOut,
)
from integrity_desk.wellbeing import service as wellbeing

router = APIRouter(tags=["queues"])



def _out(queue: Queue, counts: dict[str, int]) -> QueueOut:
    return QueueOut(slug=queue.slug, name=queue.name, team=queue.team.name if queue.team else None,
                    kinds=queue.kinds, tier=queue.tier, languages=queue.languages,
                    skills=queue.skills, position=queue.position, active=queue.active,
                    open_cases=sum(counts.values()), by_priority=counts)


def _counts(session: Session, principal: Principal, queue_ids: list[int]
            ) -> dict[int, dict[str, int]]:
    """Open cases the caller may read, by queue and priority, in one query."""
    counts: dict[int, dict[str, int]] = {}
    for queue_id, priority, n in session.execute(
        select(Case.queue_id, Case.priority, func.count())
        .where(Case.queue_id.in_(queue_ids), Case.status.in_(OPEN_STATUSES),
               readable_clause(principal.user))
        .group_by(Case.queue_id, Case.priority)
    ):
        counts.setdefault(queue_id, {})[f"P{priority}"] = n
    return counts


@router.get("/queues", response_model=list[QueueOut])
def list_queues(request: Request, session: SessionDep, principal: QueueReader,
                include_inactive: bool = Query(False, description="deactivated queues too")
                ) -> list[QueueOut]:
    """Queues with the open cases the caller may read, counted by priority.

    The counts are the metrics snapshot's, as on the queues page (a few small reads, however
    many cases are open), recomputed here only if the worker has let it go stale.
    """
    metrics.current(session, now=utcnow(),
                    max_age_seconds=request.app.state.settings.metrics_stale_seconds)
    queues = visible_queues(session, principal.user, active_only=not include_inactive)
    counts = metrics.backlog_counts(session, principal.user, queues)
    return [_out(q, {f"P{p}": n for p, n in c.by_priority.items() if n})
            for q, c in zip(queues, counts, strict=True)]


@router.post("/queues", response_model=QueueOut, status_code=201)
def create_queue(body: QueueIn, session: SessionDep, principal: QueueManager) -> QueueOut:
    queue = manage.create_queue(session, actor=principal.actor,
                                **body.model_dump(mode="json"))
    return _out(queue, {})


def _one(session: Session, principal: Principal, queue: Queue) -> QueueOut:
    return _out(queue, _counts(session, principal, [queue.id]).get(queue.id, {}))


@router.patch("/queues/{slug}", response_model=QueueOut)
def update_queue(slug: str, body: QueuePatch, session: SessionDep,
                 principal: QueueManager) -> QueueOut:
    changes = body.model_dump(mode="json", exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise InvalidInput(f"{name} cannot be emptied", field=name)
    queue = manage.update_queue(session, actor=principal.actor, slug=slug, changes=changes)
    return _one(session, principal, queue)


@router.post("/queues/{slug}/deactivate", response_model=QueueOut)
def deactivate_queue(slug: str, session: SessionDep, principal: QueueManager) -> QueueOut:
    """Route no new case here. Refused (409) while the queue holds open cases or is the last
    active queue of one of its kinds."""
    queue = manage.deactivate_queue(session, actor=principal.actor, slug=slug)
    return _one(session, principal, queue)


@router.post("/queues/{slug}/reactivate", response_model=QueueOut)
def reactivate_queue(slug: str, session: SessionDep, principal: QueueManager) -> QueueOut:
    queue = manage.reactivate_queue(session, actor=principal.actor, slug=slug)
    return _one(session, principal, queue)


def _routing(session: Session, slug: str) -> QueueRoutingOut:
    history = [RoutingSettingsOut(
        version=v.settings.version, **v.settings.as_dict(), change_note=v.note,
        changed_by=v.changed_by, changed_at=v.changed_at)
        for v in settings.settings_history(session, slug)]
    if history:
        return QueueRoutingOut(queue=slug, in_force=history[0], history=history)
    in_force = settings.routing_settings(session, slug)
    return QueueRoutingOut(queue=slug, in_force=RoutingSettingsOut(
        version=in_force.version, **in_force.as_dict()), history=[])


@router.get("/queues/{slug}/routing", response_model=QueueRoutingOut)
def queue_routing(slug: str, session: SessionDep, principal: QueueManager) -> QueueRoutingOut:
    """The queue's routing settings in force, and every version before them."""
    return _routing(session, slug)


@router.put("/queues/{slug}/routing", response_model=QueueRoutingOut)
def change_queue_routing(slug: str, body: QueueRoutingIn, session: SessionDep,
                         principal: QueueManager) -> QueueRoutingOut:
    """A new version of the settings: those given change, the rest stay; the note says why."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    note = changes.pop("change_note")
    settings.change_routing_settings(session, actor=principal.actor, slug=slug,
                                     changes=changes, note=note)
    return _routing(session, slug)


@router.post("/queues/{slug}/claim", response_model=ClaimOut)
def claim_next(slug: str, session: SessionDep, principal: CaseWorker) -> Response:
    now = utcnow()
    # From the configuration snapshot (one tiny version read, fresh), not an ORM load.
    queue = desk_config(session).queues.by_slug.get(slug) or service.get_queue(session, slug)
    # A person at today's cap of harmful items is offered the other work (docs/wellbeing.md).
    mine = wellbeing.standing(session, principal.user, now)
    note = mine.refusal() if mine.at_cap else None
    claimed = service.claim_next(session, user=principal.user, queue=queue, now=now,
                                 spare_harm=mine.at_cap)
    if claimed is None:
        return json_of(ClaimOut(case=None, note=note))
    case_id, kind = claimed
    record(session, kind="case.claimed", category="state", actor=principal.actor,
           case_id=case_id, at=now, payload={"before": None, "after": principal.user.id,
                                             "queue": slug})
    return json_of(ClaimOut(case=case_key(kind, case_id), note=note))


@router.get("/cases/{key}/work", response_model=CaseWorkOut, tags=["cases"])
def case_work(key: str, session: SessionDep, principal: CaseReader) -> CaseWorkOut:
    """Who worked the case, from when to when, with the team (and vendor) each was in then."""
    case = get_case(session, principal.user, key)
    now = utcnow()
    note_read(session, case, actor=principal.actor, now=now, what="work")
    return CaseWorkOut(case=case.key, items=[WorkIntervalOut(
        user=w.user_email, name=w.user_name, team=w.team_name, vendor=w.vendor_name,
        started_at=w.started_at, ended_at=w.ended_at, start_reason=w.start_reason,
        end_reason=w.end_reason,
        seconds=((w.ended_at or now) - w.started_at).total_seconds())
        for w in intervals.of_case(session, case.id)])
