"""HTTP interface of privacy: revealing a case's personal data, and legal holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from integrity_desk.api.deps import LegalHolder, PiiRevealer, SessionDep
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.cases import repository as repo
from integrity_desk.cases.schemas import RevealIn, RevealOut, request_out, requester_out
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.privacy import holds
from integrity_desk.privacy.schemas import (
    HoldIn,
    HoldOut,
    HoldPage,
    LiftIn,
    Ref,
)
from integrity_desk.privacy.service import reveal

router = APIRouter(tags=["privacy"])



@router.post("/cases/{key}/reveal", response_model=RevealOut)
def reveal_case(key: str, body: RevealIn, session: SessionDep,
                principal: PiiRevealer) -> RevealOut:
    """The case's personal data unmasked; the reveal is a ``pii.revealed`` event."""
    now = utcnow()
    case = repo.get_case(session, principal.user, key)
    shown = reveal(session, case, actor=principal.actor, now=now, reason=body.reason,
                   request_ids=body.requests)
    return RevealOut(case=case.key, requester=requester_out(case, reveal=True), title=case.title,
                     description=case.description, details=case.details,
                     requests=[request_out(r, reveal=True) for r in shown.requests],
                     fields=shown.fields, revealed_at=now)


@router.post("/legal-holds", response_model=HoldOut, status_code=201)
def place_hold(body: HoldIn, session: SessionDep, principal: LegalHolder) -> HoldOut:
    if (body.case is None) == (body.subject is None):
        raise InvalidInput("name either a case or a subject", field="case")
    case, subject = None, None
    if body.case is not None:
        try:
            # Locked: retention erasing this case waits for the hold, or the hold for it.
            case = repo.get_case(session, principal.user, body.case, for_update=True)
        except NotFound as exc:
            raise InvalidInput(f"no case {body.case}", field="case") from exc
    else:
        subject = holds.parse_subject(session, body.subject or "")
    hold = holds.place(session, actor_user=principal.user, actor=principal.actor, now=utcnow(),
                       reason=body.reason, case=case, subject=subject)
    return holds.holds_out(session, [hold])[0]


@router.post("/legal-holds/{hold_id}/lift", response_model=HoldOut)
def lift_hold(hold_id: RowId, body: LiftIn, session: SessionDep,
              principal: LegalHolder) -> HoldOut:
    hold = holds.get_hold(session, principal.user, hold_id)
    holds.lift(session, hold, actor_user=principal.user, actor=principal.actor, now=utcnow(),
               reason=body.reason)
    return holds.holds_out(session, [hold])[0]


@router.get("/legal-holds", response_model=HoldPage)
def list_holds(
    session: SessionDep, principal: LegalHolder,
    active: Annotated[bool | None, Query(description="true (default): holds in force; "
                                                     "false: lifted ones")] = True,
    case: Annotated[Ref | None, Query(description="holds covering this case")] = None,
    subject: Annotated[Ref | None, Query(description="holds on review:REF, "
                                                     "business:DOMAIN, reviewer:REF")] = None,
    cursor: IdCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HoldPage:
    case_id = repo.get_case(session, principal.user, case).id if case else None
    parsed = holds.parse_subject(session, subject) if subject else None
    rows, next_cursor = holds.list_holds(session, principal.user, active=active, case_id=case_id,
                                         subject=parsed, cursor=cursor, limit=limit)
    return HoldPage(items=holds.holds_out(session, rows), next_cursor=next_cursor)
