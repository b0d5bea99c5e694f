"""The timeline of a case over HTTP, filterable by category and paged by event id.

Free text in events (comments, reasons) is scanned for e-mails and phone numbers and masked;
the stored event, and so its hash, is untouched.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from integrity_desk.api.deps import CaseReader, SessionDep
from integrity_desk.api.paging import page_after_id
from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.schemas import EventOut, TimelinePage
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.privacy.domain import mask_json
from integrity_desk.privacy.service import note_read

router = APIRouter(tags=["timeline"])
CATEGORIES = ("comment", "state", "sla", "audit", "intake", "access", "legal", "privacy")
# Payload keys that name our own staff, not a requester: shown as they are.
STAFF_KEYS = frozenset({"assignee"})


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
    note_read(session, case, actor=principal.actor, now=utcnow(), what="timeline")
    query = select(AuditEvent).where(AuditEvent.case_id == case.id)
    if category:
        query = query.where(AuditEvent.category.in_(category))
    rows, next_cursor = page_after_id(session, query, AuditEvent.id, cursor=cursor, limit=limit)
    return TimelinePage(
        items=[EventOut(id=e.id, seq=e.seq, kind=e.kind, category=e.category,
                        actor=e.actor_label, occurred_at=e.occurred_at,
                        payload=mask_json(json.loads(e.payload), keep=STAFF_KEYS),
                        hash=e.hash) for e in rows],
        next_cursor=next_cursor,
    )
