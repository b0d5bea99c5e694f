"""The timeline of a case over HTTP, filterable by category and paged by event id."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from integrity_desk.api.deps import CaseReader, SessionDep
from integrity_desk.api.paging import page_after_id
from integrity_desk.audit.models import AuditEvent
from integrity_desk.cases import repository as repo
from integrity_desk.errors import InvalidInput

router = APIRouter(tags=["timeline"])
CATEGORIES = ("comment", "state", "sla", "audit", "intake")


class EventOut(BaseModel):
    id: int
    seq: int
    kind: str
    category: str
    actor: str
    occurred_at: datetime
    payload: dict[str, Any]
    hash: str


class TimelinePage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


@router.get("/cases/{key}/timeline", response_model=TimelinePage)
def timeline(
    key: str, session: SessionDep, principal: CaseReader,
    category: Annotated[list[str], Query()] = [],  # noqa: B006
    cursor: int | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TimelinePage:
    bad = set(category) - set(CATEGORIES)
    if bad:
        raise InvalidInput(f"category is one of {', '.join(CATEGORIES)}", field="category")
    case = repo.get_case(session, principal.user, key)
    query = select(AuditEvent).where(AuditEvent.case_id == case.id)
    if category:
        query = query.where(AuditEvent.category.in_(category))
    rows, next_cursor = page_after_id(session, query, AuditEvent.id, cursor=cursor, limit=limit)
    return TimelinePage(
        items=[EventOut(id=e.id, seq=e.seq, kind=e.kind, category=e.category,
                        actor=e.actor_label, occurred_at=e.occurred_at,
                        payload=json.loads(e.payload), hash=e.hash) for e in rows],
        next_cursor=next_cursor,
    )
