"""The requests that joined a case, as its view shows them: each notice, flag, escalation or
appeal in full (who sent it, when, by which channel, its own words, its URLs), masked as the
API masks them, with its own receipt number and whether its confirmation went out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import CaseRequest
from integrity_desk.cases.schemas import request_out
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.messages.service import request_receipt_key

SHOWN = 20  # the newest; the API pages through all of them (GET /cases/{key}/requests)
# The request's own words, in the order a reader wants them.
TEXT_FIELDS = (("reason", "Reason"), ("explanation", "Explanation"), ("grounds", "Grounds"),
               ("legal_basis", "Legal basis"), ("description", "Description"),
               ("business_impact", "Business impact"))


@dataclass(frozen=True)
class LinkedRequest:
    received_at: datetime
    channel: str
    requester_type: str
    name: str | None
    organisation: str | None
    texts: list[tuple[str, str]]
    urls: list[str]
    tags: list[str]
    receipt: str | None
    confirmation: str | None  # the confirmation's delivery status; None: none owed


def linked_requests(session: Session, case_id: int) -> list[LinkedRequest]:
    """The newest requests that joined the case (two statements)."""
    rows = list(session.scalars(select(CaseRequest).where(CaseRequest.case_id == case_id)
                                .order_by(CaseRequest.id.desc()).limit(SHOWN)))
    receipts = {str(r.payload.get("receipt")): r for r in rows if r.payload.get("receipt")}
    statuses = dict(session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.status).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.idempotency_key.in_([request_receipt_key(k) for k in receipts]))
    ).all()) if receipts else {}
    return [_view(r, statuses) for r in rows]


def _view(row: CaseRequest, statuses: dict[str, str]) -> LinkedRequest:
    shown = request_out(row)  # masked: names of private persons, contacts in the text
    payload: dict[str, Any] = shown.payload or {}
    receipt = payload.get("receipt")
    urls = payload.get("urls") or []
    return LinkedRequest(
        received_at=row.received_at, channel=row.channel, requester_type=row.requester_type,
        name=shown.requester_name, organisation=shown.requester_organisation,
        texts=_texts(payload),
        urls=[str(u) for u in urls] if isinstance(urls, list) else [],
        tags=[str(t) for t in payload.get("tags") or []],
        receipt=str(receipt) if receipt else None,
        confirmation=statuses.get(request_receipt_key(str(receipt))) if receipt else None)


def _texts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's words, each once (a flag's reason is also its description)."""
    seen: set[str] = set()
    out = []
    for key, label in TEXT_FIELDS:
        text = str(payload.get(key) or "").strip()
        if text and text not in seen:
            seen.add(text)
            out.append((label, text))
    return out
