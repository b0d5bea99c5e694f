"""Appeal outcomes and out-of-court disputes over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from integrity_desk.api.deps import CaseReader, CaseWorker, SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.decisions import appeals
from integrity_desk.decisions.api import one_decision
from integrity_desk.decisions.models import OutOfCourtDispute
from integrity_desk.decisions.schemas import (
    AppealOutcomeIn,
    DecisionOut,
    DisputeIn,
    DisputeOut,
    DisputeUpdate,
)

router = APIRouter(tags=["appeals"])


@router.post("/cases/{key}/appeal-outcome", response_model=DecisionOut, status_code=201)
def decide_appeal(key: str, body: AppealOutcomeIn, session: SessionDep,
                  principal: CaseWorker) -> DecisionOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    outcome = appeals.decide_appeal(session, case, appeals.AppealDecisionInput(
        outcome=body.outcome, reasoning=body.reasoning,
        reverse_action_ids=body.reverse_action_ids, actions=[a.request() for a in body.actions],
        territorial_scope=body.territorial_scope, override_reason=body.override_reason,
        manifestly_unfounded=body.manifestly_unfounded),
        user=principal.user, actor=principal.actor, now=utcnow())
    return one_decision(session, outcome.id, case.key)


@router.get("/cases/{key}/disputes", response_model=list[DisputeOut])
def list_disputes(key: str, session: SessionDep, principal: CaseReader) -> list[Any]:
    case = repo.get_case(session, principal.user, key)
    return list(session.scalars(select(OutOfCourtDispute)
                                .where(OutOfCourtDispute.case_id == case.id)
                                .order_by(OutOfCourtDispute.id)))


@router.post("/cases/{key}/disputes", response_model=DisputeOut, status_code=201)
def open_dispute(key: str, body: DisputeIn, session: SessionDep, principal: CaseWorker) -> Any:
    case = repo.get_case(session, principal.user, key)
    dispute = appeals.open_dispute(session, case, body=body.body, reference=body.reference,
                                   submitted_at=body.submitted_at, actor=principal.actor,
                                   user=principal.user)
    return dispute


@router.patch("/disputes/{dispute_id}", response_model=DisputeOut)
def update_dispute(dispute_id: RowId, body: DisputeUpdate, session: SessionDep,
                   principal: CaseWorker) -> Any:
    dispute, case = appeals.get_dispute(session, dispute_id, repo.readable_clause(principal.user))
    appeals.update_dispute(session, dispute, case, changes=body.model_dump(exclude_unset=True),
                           actor=principal.actor)
    return dispute
