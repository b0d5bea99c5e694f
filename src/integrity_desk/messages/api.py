"""A case's messages (what the desk sent or owes), and counsel's release of held letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from integrity_desk.api.deps import CaseReader, CaseWorker, MessageReviewer, SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.messages import replies, service
from integrity_desk.messages.domain import reply_key
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


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=replies.REPLY_MAX,
                      description="what to tell the requester, in your own words")
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[\w.:-]+$",
        description="sending the same key again queues nothing more and answers the reply "
                    "already queued (200)")


@router.post("/cases/{key}/replies", status_code=201, response_model=MessageOut)
def reply(key: str, body: ReplyIn, response: Response, session: SessionDep,
          principal: CaseWorker) -> MessageOut:
    """Reply to whoever raised the case: queued in the outbox, on the timeline, and the case's
    first response if it had none (a legal sender's reply waits for counsel's review)."""
    case = repo.get_case(session, principal.user, key, for_update=True)
    nonce = body.idempotency_key or uuid4().hex
    message = replies.reply_to_requester(session, case, user=principal.user,
                                         actor=principal.actor, text=body.text, nonce=nonce,
                                         now=utcnow())
    if message is None:  # sent before under this key: the same answer, nothing new
        message = session.scalars(select(OutboxMessage).where(
            OutboxMessage.idempotency_key == reply_key(case.id, nonce))).one()
        response.status_code = 200
    answer = message_out(message)
    session.commit()
    return answer
