"""Accountable looks at sensitive things: revealing personal data, reading legal cases.

Both append to the case's own hash chain, so they sit on its timeline and in the audit log
beside everything else done to the case. Services flush; the boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.errors import InvalidInput


@dataclass(frozen=True)
class Revealed:
    case: Case
    requests: list[CaseRequest]
    fields: list[str]


def _fields(case: Case) -> list[str]:
    """The personal-data fields a reveal shows that hold anything."""
    present = {
        "requester.name": case.requester_name, "requester.contact": case.requester_contact,
        "title": case.title, "description": case.description, "details": case.details,
    }
    return [name for name, value in present.items() if value]


def reveal(session: Session, case: Case, *, actor: Actor, now: datetime, reason: str,
           request_ids: list[int]) -> Revealed:
    """The case's personal data (and that of the named linked requests), unmasked, recorded
    as ``pii.revealed`` with who, when, why and which fields."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why you need to see the personal data", field="reason")
    requests: list[CaseRequest] = []
    if request_ids:
        requests = list(session.scalars(select(CaseRequest).where(
            CaseRequest.case_id == case.id, CaseRequest.id.in_(request_ids))
            .order_by(CaseRequest.id)))
        missing = set(request_ids) - {r.id for r in requests}
        if missing:
            raise InvalidInput(f"requests {sorted(missing)} are not linked to {case.key}",
                               field="requests")
    fields = _fields(case)
    record(session, kind="pii.revealed", category="access", actor=actor, case_id=case.id,
           at=now, payload={"reason": reason, "fields": fields,
                            "requests": [r.id for r in requests]})
    return Revealed(case, requests, fields)


def note_read(session: Session, case: Case, *, actor: Actor, now: datetime, what: str) -> bool:
    """Record a read of a legal-restricted case (one event per read); False for other cases.

    The caller commits when this says True, so a read-only request leaves its trace.
    """
    if not case.legal_restricted:
        return False
    record(session, kind="case.viewed", category="access", actor=actor, case_id=case.id,
           at=now, payload={"what": what})
    return True
