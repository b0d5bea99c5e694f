"""``GET /cases/{key}/precedents``: the decided cases most like this one, that the caller may
read (the case itself included: 404 otherwise)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from integrity_desk.api.deps import CaseReader, SessionDep
from integrity_desk.cases.repository import get_case
from integrity_desk.precedents import service
from integrity_desk.precedents.schemas import PrecedentOut, PrecedentsOut

router = APIRouter(tags=["precedents"])


def out(found: service.Found) -> PrecedentOut:
    like = found.likeness
    return PrecedentOut(key=found.key, title=found.title, outcome=found.outcome,
                        guideline=found.guideline, decided_at=found.decided_at,
                        appeal=found.appeal,  # type: ignore[arg-type]
                        score=like.score, text_similarity=like.text,
                        shared_terms=like.shared_terms, why=like.why)


@router.get("/cases/{key}/precedents", response_model=PrecedentsOut)
def precedents(key: str, session: SessionDep, principal: CaseReader,
               limit: Annotated[int, Query(ge=1, le=20)] = 5) -> PrecedentsOut:
    """Most similar decided cases by text (title, description, reviews) and by pattern
    (same review, reviewer, business, category, signals), with outcome and appeal result."""
    case = get_case(session, principal.user, key)
    found = service.find(session, principal.user, case, limit=limit)
    return PrecedentsOut(case=case.key, items=[out(f) for f in found])
