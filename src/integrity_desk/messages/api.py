"""A case's messages (what the desk sent or owes), and counsel's release of held letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from integrity_desk.api.deps import CaseReader, MessageReviewer, SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.messages import service
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.privacy.domain import mask_contact, mask_text

router = APIRouter(tags=["messages"])


class MessageOut(BaseModel):
    id: int
    kind: str
    to: str | None = Field(description="masked address")
    role: str
    language: str
    subject: str
    body: str = Field(description="contacts in the text masked")
    status: str
    held_reason: str | None
    reviewed_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def message_out(m: OutboxMessage) -> MessageOut:
    return MessageOut(id=m.id, kind=m.kind, to=mask_contact(m.recipient),
                      role=m.recipient_role, language=m.language, subject=m.subject,
                      body=mask_text(m.body), status=m.status, held_reason=m.held_reason,
                      reviewed_at=m.reviewed_at, created_at=m.created_at, sent_at=m.sent_at,
                      attempts=m.attempts, last_error=m.last_error)


@router.get("/cases/{key}/messages", response_model=list[MessageOut])
def case_messages(key: str, session: SessionDep, principal: CaseReader) -> list[MessageOut]:
    case = repo.get_case(session, principal.user, key)
    return [message_out(m) for m in service.for_case(session, case)]


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str | None = Field(default=None, max_length=50_000,
                             description="the corrected letter; omit to send it as written")


@router.post("/messages/{message_id}/release", response_model=MessageOut)
def release(message_id: RowId, body: ReleaseIn, session: SessionDep,
            principal: MessageReviewer) -> Any:
    message, case = service.get(session, message_id, repo.readable_clause(principal.user))
    service.release(session, message, case, reviewer_id=principal.user.id,
                    actor=principal.actor, now=utcnow(), body=body.body)
    session.commit()
    return message_out(message)
