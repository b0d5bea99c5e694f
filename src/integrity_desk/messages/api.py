"""A case's messages (what the desk sent or owes), and counsel's release of held letters."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from integrity_desk.api.deps import (
    CaseReader,
    CaseWorker,
    MessageReplayer,
    MessageReviewer,
    SessionDep,
)
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.cases import repository as repo
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.errors import Conflict
from integrity_desk.messages import outbound, replies, service
from integrity_desk.messages.domain import Status, reply_key
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.messages.schemas import (
    MessageOut,
    OutboxItem,
    OutboxPage,
    ReleaseIn,
    ReplayIn,
    ReplayOut,
    ReplyIn,
)
from integrity_desk.privacy.domain import mask_contact, mask_text

router = APIRouter(tags=["messages"])


def message_out(m: OutboxMessage) -> MessageOut:
    return MessageOut(id=m.id, kind=m.kind, to=mask_contact(m.recipient),
                      role=m.recipient_role, language=m.language, subject=m.subject,
                      body=mask_text(m.body), status=m.status, held_reason=m.held_reason,
                      reviewed_at=m.reviewed_at, created_at=m.created_at, sent_at=m.sent_at,
                      attempts=m.attempts, last_code=m.last_code,
                      last_error=mask_text(m.last_error) if m.last_error else None,
                      next_attempt_at=m.next_attempt_at if m.status == Status.QUEUED else None,
                      dead_at=m.dead_at)


def outbox_item(m: OutboxMessage, case: Case) -> OutboxItem:
    return OutboxItem(**message_out(m).model_dump(), case_key=case.key)


@router.get("/messages", response_model=OutboxPage,
            summary="The outbox newest first; status=dead is the dead-letter list")
def list_messages(session: SessionDep, principal: MessageReplayer,
                  status: Annotated[Status | None, Query()] = None, cursor: IdCursor = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OutboxPage:
    rows, nxt = outbound.listing(session, repo.readable_clause(principal.user),
                                 status=status.value if status else None, before=cursor,
                                 limit=limit)
    return OutboxPage(items=[outbox_item(m, c) for m, c in rows], next_cursor=nxt)


@router.post("/messages/replay", response_model=ReplayOut,
             summary="Dead letters back to the queue (the same Message-ID: receivers dedupe)")
def replay_messages(body: ReplayIn, session: SessionDep,
                    principal: MessageReplayer) -> ReplayOut:
    n = outbound.replay(session, repo.readable_clause(principal.user),
                        message_ids=body.message_ids, actor=principal.actor, now=utcnow())
    return ReplayOut(replayed=n)


@router.post("/messages/{message_id}/replay", response_model=MessageOut)
def replay_message(message_id: RowId, session: SessionDep, principal: MessageReplayer) -> Any:
    readable = repo.readable_clause(principal.user)
    message, _ = service.get(session, message_id, readable)
    if message.status != Status.DEAD:
        raise Conflict(f"message {message_id} is {message.status}, not dead", field="status",
                       current=message.status)
    outbound.replay(session, readable, message_ids=[message_id], actor=principal.actor,
                    now=utcnow())
    session.refresh(message)
    return message_out(message)


@router.get("/cases/{key}/messages", response_model=list[MessageOut])
def case_messages(key: str, session: SessionDep, principal: CaseReader) -> list[MessageOut]:
    case = repo.get_case(session, principal.user, key)
    return [message_out(m) for m in service.for_case(session, case)]


@router.post("/messages/{message_id}/release", response_model=MessageOut)
def release(message_id: RowId, body: ReleaseIn, session: SessionDep,
            principal: MessageReviewer) -> Any:
    message, case = service.get(session, message_id, repo.readable_clause(principal.user))
    service.release(session, message, case, reviewer_id=principal.user.id,
                    actor=principal.actor, now=utcnow(), body=body.body)
    return message_out(message)


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
    return message_out(message)
