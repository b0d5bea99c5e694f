"""Policy questions over HTTP (docs/quality.md#policy-questions): raised from a case by whoever
works cases, answered by Policy (``guideline.manage``), counted per guideline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.api.deps import CaseWorker, GuidelineManager, Myself, SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases.repository import get_case
from integrity_desk.db import utcnow
from integrity_desk.dsa.domain import check_category
from integrity_desk.policy_questions import service
from integrity_desk.policy_questions.models import PolicyQuestion

router = APIRouter(tags=["policy questions"])


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["unclear", "new_pattern", "gap"]
    guideline: str | None = Field(default=None, max_length=64,
                                  description="the guideline's code; none only for a gap")
    question: str = Field(max_length=10_000)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=10_000)
    new_guideline_text: str | None = Field(
        default=None, max_length=50_000,
        description="publish this as the guideline's next version (its text)")
    linked_version: int | None = Field(
        default=None, ge=1, description="or link a version published since the question")


class QuestionOut(BaseModel):
    id: int
    case: str
    guideline: str | None
    reason: str
    question: str
    raised_by: str | None
    raised_at: datetime
    due_at: datetime
    overdue: bool
    status: str
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    guideline_version_id: int | None


class QuestionsOut(BaseModel):
    items: list[QuestionOut]


class GuidelineCountOut(BaseModel):
    guideline: str | None
    title: str
    raised: int
    open: int
    overdue: int
    answered: int
    new_versions: int


def _out(session: SessionDep, questions: list[PolicyQuestion]) -> list[QuestionOut]:
    keys, names = service.case_keys(session, questions), service.names(session, questions)
    now = utcnow()
    return [QuestionOut(
        id=q.id, case=keys.get(q.case_id, str(q.case_id)), guideline=q.guideline_code,
        reason=q.reason, question=q.question, raised_by=names.get(q.raised_by_id),
        raised_at=q.raised_at, due_at=q.due_at,
        overdue=q.status == "open" and q.due_at < now, status=q.status, answer=q.answer,
        answered_by=names.get(q.answered_by_id) if q.answered_by_id else None,
        answered_at=q.answered_at, guideline_version_id=q.guideline_id) for q in questions]


@router.post("/cases/{key}/policy-questions", response_model=QuestionOut, status_code=201)
def raise_question(request: Request, key: str, body: QuestionIn, session: SessionDep,
                   principal: CaseWorker) -> QuestionOut:
    """Ask Policy about a guideline from this case; due in ``policy_question_hours``."""
    case = get_case(session, principal.user, key)
    asked = service.raise_question(
        session, case, user=principal.user, reason=body.reason, guideline=body.guideline,
        question=body.question, hours=request.app.state.settings.policy_question_hours,
        actor=principal.actor, now=utcnow())
    return _out(session, [asked])[0]


@router.get("/policy-questions", response_model=QuestionsOut)
def list_questions(session: SessionDep, principal: Myself,
                   status: Literal["open", "answered"] | None = None,
                   guideline: str | None = Query(None, max_length=64),
                   limit: int = Query(50, ge=1, le=200),
                   after: int | None = Query(None, ge=0, le=2**31 - 1)) -> QuestionsOut:
    """Policy sees every question, anyone else their own; open ones soonest due first."""
    return QuestionsOut(items=_out(session, service.listing(
        session, principal.user, status=status, guideline=guideline, limit=limit,
        after_id=after)))


@router.get("/policy-questions/per-guideline", response_model=list[GuidelineCountOut])
def per_guideline(session: SessionDep, principal: GuidelineManager,
                  days: int = Query(90, ge=1, le=730)) -> list[GuidelineCountOut]:
    """Questions raised in the last ``days`` per guideline, most first: where guidance is
    weakest."""
    now = utcnow()
    return [GuidelineCountOut(**c.__dict__)
            for c in service.per_guideline(session, since=now - timedelta(days=days), now=now)]


@router.get("/policy-questions/{question_id}", response_model=QuestionOut)
def get_question(question_id: RowId, session: SessionDep, principal: Myself) -> QuestionOut:
    return _out(session, [service.get(session, question_id, principal.user)])[0]


@router.post("/policy-questions/{question_id}/answer", response_model=QuestionOut)
def answer_question(question_id: RowId, body: AnswerIn, session: SessionDep,
                    principal: GuidelineManager) -> QuestionOut:
    """Answer; optionally publish the guideline's next version or link one."""
    asked = service.get(session, question_id, principal.user)
    service.answer(session, asked, user=principal.user, text=body.answer,
                   new_guideline_text=body.new_guideline_text,
                   linked_version=body.linked_version, actor=principal.actor, now=utcnow(),
                   check_dsa=check_category)
    return _out(session, [asked])[0]
