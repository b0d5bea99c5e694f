"""Intake over HTTP: one case of any kind, or a batch of up to 1,000 flags."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.api.deps import CaseCreator, SessionDep
from integrity_desk.api.responses import json_of
from integrity_desk.cases import repository as repo
from integrity_desk.cases.schemas import CaseOut, case_out
from integrity_desk.db import utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.messages.service import acknowledge

router = APIRouter(tags=["intake"])
BATCH_LIMIT = 1000
# 1,000 flags with their review texts; every other route keeps the app's smaller limit.
BATCH_BODY_BYTES = 8 * 1_048_576


class IntakeOut(BaseModel):
    outcome: str  # created | linked
    case: CaseOut


@router.post("/cases", response_model=IntakeOut, status_code=201,
             responses={200: {"description": "joined an open case as a linked request"}})
def create_case(payload: CaseIn, session: SessionDep, principal: CaseCreator) -> Response:
    now = utcnow()
    intake = Intake(session, now=now, actor=principal.actor)
    outcome = intake.submit(payload)
    case = outcome.case
    if outcome.created:
        acknowledge(session, case, actor=principal.actor, now=now)
    # Everything shown is read before the commit: a read after it would open a transaction that
    # ends in a ROLLBACK, and psycopg forgets the connection's prepared statements on a ROLLBACK.
    subjects = outcome.shown
    if subjects is None:
        subjects = repo.subjects_of(session, [case.id]).get(case.id, [])
    if outcome.created:
        # Everything shown is in memory already: a new case has no assignee yet.
        queue = intake.queues.by_id.get(case.queue_id) if case.queue_id else None
        result = IntakeOut(outcome="created",
                           case=case_out(case, subjects, now, queue.slug if queue else None))
    else:
        result = IntakeOut(outcome="linked", case=case_out(
            repo.load_for_view(session, case.id), subjects, now))
    session.commit()
    return json_of(result, 201 if outcome.created else 200)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_LIMIT,
                                        description="flags, each as for POST /cases")


class BatchOut(BaseModel):
    created: int
    linked: int
    invalid: int
    items: list[dict[str, Any]]


@router.post("/cases/batch", response_model=BatchOut,
             summary="Up to 1,000 flags at once; each item is answered on its own")
def create_flags(body: BatchIn, session: SessionDep, principal: CaseCreator) -> Response:
    results = Intake(session, now=utcnow(), actor=principal.actor).submit_flags(body.items)
    session.commit()
    counts = {"created": 0, "linked": 0, "invalid": 0}
    for r in results:
        counts[r["status"]] += 1
    return json_of(BatchOut(items=results, **counts))
