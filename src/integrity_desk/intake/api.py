"""Intake over HTTP: one case of any kind, or a batch of up to 1,000 flags."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from integrity_desk.api.deps import CaseCreator, SessionDep
from integrity_desk.api.hardening import INPUT_CLEARED
from integrity_desk.api.responses import json_of
from integrity_desk.cases import repository as repo
from integrity_desk.cases.schemas import CaseOut, case_out
from integrity_desk.db import utcnow
from integrity_desk.intake.schemas import (
    BatchIn,
    BatchOut,
    CaseIn,
    IntakeOut,
)
from integrity_desk.intake.service import Intake
from integrity_desk.messages.service import acknowledge, acknowledge_request

router = APIRouter(tags=["intake"])
# 1,000 flags with their review texts; every other route keeps the app's smaller limit.
BATCH_BODY_BYTES = 8 * 1_048_576


@router.post("/cases", response_model=IntakeOut, status_code=201,
             responses={200: {"description": "joined an open case as a linked request"}})
def create_case(payload: CaseIn, session: SessionDep, principal: CaseCreator) -> Response:
    now = utcnow()
    intake = Intake(session, now=now, actor=principal.actor, viewer=principal.user)
    outcome = intake.submit(payload)
    case = outcome.case
    if outcome.created:
        acknowledge(session, case, actor=principal.actor, now=now)
    else:
        acknowledge_request(session, case, receipt=outcome.receipt,
                            to=outcome.sender_contact, name=outcome.sender_name,
                            actor=principal.actor, now=now)
    # A write answers no more than a read would: a case the caller may not read is named by
    # the request's receipt alone (docs/access.md, "what a write answer reveals").
    shown: CaseOut | None = None
    if outcome.readable:
        # Everything shown is read before the commit: a read after it would open a transaction
        # that ends in a ROLLBACK, and psycopg forgets the connection's prepared statements on
        # a ROLLBACK.
        subjects = outcome.shown
        if subjects is None:
            subjects = repo.subjects_of(session, [case.id]).get(case.id, [])
        if outcome.created:
            # Everything shown is in memory already: a new case has no assignee yet.
            queue = intake.queues.by_id.get(case.queue_id) if case.queue_id else None
            shown = case_out(case, subjects, now, queue.slug if queue else None)
        else:
            shown = case_out(repo.load_for_view(session, case.id), subjects, now)
    result = IntakeOut(outcome="created" if outcome.created else "linked",
                       receipt=outcome.receipt, case=shown)
    return json_of(result, 201 if outcome.created else 200)


@router.post("/cases/batch", response_model=BatchOut,
             summary="Up to 1,000 flags at once; each item is answered on its own")
def create_flags(body: BatchIn, request: Request, session: SessionDep,
                 principal: CaseCreator) -> Response:
    # The input guard leaves the items to this route; where its byte scan found nothing
    # suspect in the whole body, no item needs the per-item check of values again.
    cleared = bool(getattr(request.state, INPUT_CLEARED, False))
    results = Intake(session, now=utcnow(), actor=principal.actor,
                     viewer=principal.user).submit_flags(body.items, cleared=cleared)
    counts = {"created": 0, "linked": 0, "invalid": 0, "refused": 0}
    for r in results:
        counts[r["status"]] += 1
    # The service built each answer in BatchItemOut's shape, with only what applies to it (no
    # "case": null beside an error); validating 1,000 of them again would cost 4-7 ms a batch.
    return Response(json.dumps({**counts, "items": results}), media_type="application/json")
