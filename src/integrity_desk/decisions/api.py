"""Guidelines, decisions on cases, four-eyes approval, and which actions need it, over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from integrity_desk.api.deps import (
    CaseReader,
    CaseWorker,
    ConfigManager,
    ConfigReader,
    DecisionApprover,
    GuidelineManager,
    SessionDep,
)
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.audit.service import record
from integrity_desk.cases import repository as repo
from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.decisions import applying, approval, guidelines, service
from integrity_desk.decisions.domain import RULES, ActionKind
from integrity_desk.decisions.models import ApprovalRule, Decision
from integrity_desk.decisions.schemas import (
    ApprovalRuleIO,
    DecisionIn,
    DecisionOut,
    DecisionPage,
    GuidelineIn,
    GuidelineOut,
    ReviewNoteIn,
    SanctionOut,
    decision_out,
)
from integrity_desk.dsa.domain import check_category

router = APIRouter(tags=["decisions"])


@router.get("/guidelines", response_model=list[GuidelineOut])
def list_guidelines(session: SessionDep, principal: ConfigReader) -> list[Any]:
    return guidelines.current(session)


@router.get("/guidelines/{code}/versions", response_model=list[GuidelineOut])
def guideline_versions(code: str, session: SessionDep, principal: ConfigReader) -> list[Any]:
    return guidelines.versions(session, code)


@router.put("/guidelines/{code}", response_model=GuidelineOut)
def save_guideline(code: str, body: GuidelineIn, session: SessionDep,
                   principal: GuidelineManager) -> Any:
    """Create the guideline, or a new version of it; decisions keep the version they cited."""
    changes = body.model_dump(exclude_unset=True, exclude={"change_note"})
    saved = guidelines.save(session, code, changes, actor=principal.actor,
                            note=body.change_note, check_dsa=check_category)
    return saved


def _out(session: Session, decisions: list[Decision], keys: dict[int, str]) -> list[DecisionOut]:
    return [decision_out(d, keys[d.case_id], d.guideline, d.actions) for d in decisions]


@router.get("/cases/{key}/decisions", response_model=list[DecisionOut])
def case_decisions(key: str, session: SessionDep, principal: CaseReader) -> list[DecisionOut]:
    case = repo.get_case(session, principal.user, key)
    return _out(session, service.decisions_of(session, case), {case.id: case.key})


@router.post("/cases/{key}/decisions", response_model=DecisionOut, status_code=201)
def decide(key: str, body: DecisionIn, session: SessionDep,
           principal: CaseWorker) -> DecisionOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    inp = service.DecisionInput(
        guideline=body.guideline, guideline_version=body.guideline_version,
        outcome=body.outcome, ground=body.ground, legal_ground=body.legal_ground,
        explanation=body.explanation, facts=body.facts,
        automated_detection=body.automated_detection,
        automated_decision=body.automated_decision, territorial_scope=body.territorial_scope,
        actions=[a.request() for a in body.actions], manifest=body.manifest)
    decision = service.decide(session, case, inp, user=principal.user, actor=principal.actor,
                              now=utcnow())
    return one_decision(session, decision.id, case.key)


def one_decision(session: Session, decision_id: int, key: str) -> DecisionOut:
    d = session.scalars(select(Decision).where(Decision.id == decision_id).options(
        selectinload(Decision.actions), selectinload(Decision.guideline))
        .execution_options(populate_existing=True)).one()
    return decision_out(d, key, d.guideline, d.actions)


@router.get("/cases/{key}/sanctions", response_model=list[SanctionOut],
            summary="The guideline's sanctions ladder applied to the reviewers and businesses "
                    "of the case")
def sanctions(key: str, guideline: Annotated[str, Query(min_length=1, max_length=64)],
              session: SessionDep, principal: CaseReader) -> list[dict[str, Any]]:
    case = repo.get_case(session, principal.user, key)
    return service.suggestions(session, case, guidelines.get(session, guideline))


@router.get("/decisions", response_model=DecisionPage,
            summary="Decisions by status (e.g. the ones awaiting approval), oldest first")
def list_decisions(session: SessionDep, principal: CaseReader,
                   status: str = "awaiting_approval", cursor: IdCursor = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> DecisionPage:
    query = (select(Decision, Case.kind).join(Case, Case.id == Decision.case_id)
             .where(Decision.status == status, repo.readable_clause(principal.user))
             .options(selectinload(Decision.actions), selectinload(Decision.guideline))
             .order_by(Decision.id).limit(limit + 1))
    if cursor:
        query = query.where(Decision.id > cursor)
    rows = session.execute(query).all()
    items = [decision_out(d, case_key(kind, d.case_id), d.guideline, d.actions)
             for d, kind in rows[:limit]]
    return DecisionPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.post("/decisions/{decision_id}/approve", response_model=DecisionOut)
def approve(decision_id: RowId, body: ReviewNoteIn, session: SessionDep,
            principal: DecisionApprover) -> DecisionOut:
    decision, case = service.get_decision(session, decision_id,
                                          repo.readable_clause(principal.user))
    approval.approve(session, decision, case, user=principal.user, actor=principal.actor,
                    now=utcnow(), note=body.note)
    return one_decision(session, decision.id, case.key)


@router.post("/decisions/{decision_id}/resume", response_model=DecisionOut,
             summary="Go on applying a decision in chunks from where it stopped (its job "
                     "failed for good)")
def resume(decision_id: RowId, session: SessionDep, principal: CaseWorker) -> DecisionOut:
    decision, case = service.get_decision(session, decision_id,
                                          repo.readable_clause(principal.user))
    applying.resume(session, decision, actor=principal.actor, now=utcnow())
    return one_decision(session, decision.id, case.key)


@router.post("/decisions/{decision_id}/reject", response_model=DecisionOut)
def reject(decision_id: RowId, body: ReviewNoteIn, session: SessionDep,
           principal: DecisionApprover) -> DecisionOut:
    decision, case = service.get_decision(session, decision_id,
                                          repo.readable_clause(principal.user))
    approval.reject(session, decision, case, user=principal.user, actor=principal.actor,
                   now=utcnow(), note=body.note or "")
    return one_decision(session, decision.id, case.key)


@router.get("/approval-rules", response_model=list[ApprovalRuleIO])
def approval_rules(session: SessionDep, principal: ConfigReader) -> list[ApprovalRuleIO]:
    configured = dict(session.execute(select(ApprovalRule.action,
                                             ApprovalRule.requires_approval)).all())
    return [ApprovalRuleIO(action=a, requires_approval=configured.get(a.value, RULES[a].severe))
            for a in ActionKind]


@router.put("/approval-rules", response_model=ApprovalRuleIO)
def set_approval_rule(body: ApprovalRuleIO, session: SessionDep,
                      principal: ConfigManager) -> ApprovalRuleIO:
    rule = session.get(ApprovalRule, body.action.value)
    before = rule.requires_approval if rule else RULES[body.action].severe
    if rule is None:
        session.add(ApprovalRule(action=body.action.value,
                                 requires_approval=body.requires_approval, updated_at=utcnow()))
    else:
        rule.requires_approval, rule.updated_at = body.requires_approval, utcnow()
    record(session, kind="approval_rule.changed", category="audit", actor=principal.actor,
           chain_key="config", payload={"action": body.action.value, "before": before,
                                        "after": body.requires_approval})
    return body
