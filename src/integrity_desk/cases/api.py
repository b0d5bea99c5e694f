"""HTTP interface of cases: list, read, edit, and the actions people take on a case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.api.deps import CaseReader, CaseWorker, SessionDep
from integrity_desk.api.paging import IdCursor, page_after_id
from integrity_desk.cases import repository as repo
from integrity_desk.cases import service
from integrity_desk.cases.domain import GuidelineCategory, Priority, case_key
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.cases.schemas import (
    AssignIn,
    CaseDetailOut,
    CasePage,
    CommentIn,
    EditIn,
    EscalateIn,
    MergeIn,
    Reason,
    RequestPage,
    SplitIn,
    TransitionIn,
    case_detail_out,
    case_out,
    request_out,
)
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.people.service import get_user_by_email
from integrity_desk.privacy import holds
from integrity_desk.privacy.service import note_read

router = APIRouter(tags=["cases"])


def _priorities(values: list[str]) -> list[int]:
    try:
        return [Priority(v.upper()).rank for v in values]
    except ValueError as exc:
        raise InvalidInput("priority is one of P0, P1, P2, P3, P4", field="priority") from exc


@router.get("/cases", response_model=CasePage)
def list_cases(
    session: SessionDep,
    principal: CaseReader,
    status: Annotated[list[str], Query()] = [],  # noqa: B006
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
    queue: str | None = None,
    team: Annotated[str | None, Query(description="a team's name: the cases its members "
                                                  "hold, or its queues hold unheld")] = None,
    vendor: Annotated[str | None, Query(description="a vendor's name: the cases of its "
                                                    "teams")] = None,
    priority: Annotated[list[str], Query()] = [],  # noqa: B006
    assignee: Annotated[str | None, Query(description="an e-mail, 'me' or 'none'")] = None,
    at_risk: bool | None = None,
    breached: bool | None = None,
    open: bool | None = None,
    subject: Annotated[str | None, Query(description="review:REF, business:DOMAIN, "
                                                     "reviewer:REF")] = None,
    text: Annotated[str | None, Query(max_length=200)] = None,
    tag: str | None = None,
    language: str | None = None,
    sort: str = "priority",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    filters = repo.CaseFilters(
        status=status, kind=kind, queue=queue, team=team, vendor=vendor,
        priority=_priorities(priority),
        at_risk=at_risk, breached=breached, subject=subject, text=text, tag=tag,
        language=language, open=open,
    )
    if assignee == "me":
        filters.assignee_id = principal.user.id
    elif assignee == "none":
        filters.unassigned = True
    elif assignee:
        filters.assignee_id = get_user_by_email(session, assignee).id
    now = utcnow()
    cases, next_cursor = repo.list_cases(session, principal.user, filters=filters, now=now,
                                         sort=sort, cursor=cursor, limit=limit)
    subjects = repo.subjects_of(session, [c.id for c in cases])
    return CasePage(items=[case_out(c, subjects.get(c.id, []), now) for c in cases],
                    next_cursor=next_cursor)


def _detail(session: Session, case: Case) -> CaseDetailOut:
    loaded = repo.load_for_view(session, case.id)
    merged_into = None
    if loaded.merged_into_id:
        kind = session.scalar(select(Case.kind).where(Case.id == loaded.merged_into_id))
        merged_into = case_key(kind, loaded.merged_into_id) if kind else None
    subjects = repo.subjects_of(session, [loaded.id]).get(loaded.id, [])
    held = holds.holds_out(session, holds.covering(session, loaded.id))
    return case_detail_out(loaded, subjects, utcnow(), merged_into, held)


@router.get("/cases/{key}", response_model=CaseDetailOut)
def get_case(key: str, session: SessionDep, principal: CaseReader) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key)
    note_read(session, case, actor=principal.actor, now=utcnow(), what="case")
    return _detail(session, case)


@router.post("/cases/{key}/transition", response_model=CaseDetailOut)
def transition(key: str, body: TransitionIn, session: SessionDep,
               principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    service.transition(session, case, action=body.action, actor_user=principal.user,
                       actor=principal.actor, now=utcnow(), reason=body.reason)
    return _detail(session, case)


@router.post("/cases/{key}/assign", response_model=CaseDetailOut)
def assign(key: str, body: AssignIn, session: SessionDep, principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    service.assign(session, case, assignee=get_user_by_email(session, body.assignee),
                   actor_user=principal.user, actor=principal.actor, now=utcnow(),
                   reason=body.reason)
    return _detail(session, case)


@router.post("/cases/{key}/claim", response_model=CaseDetailOut)
def claim(key: str, session: SessionDep, principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key)
    service.claim(session, case, user=principal.user, actor=principal.actor, now=utcnow())
    return _detail(session, case)


@router.post("/cases/{key}/release", response_model=CaseDetailOut)
def release(key: str, body: Reason, session: SessionDep, principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    service.release(session, case, actor_user=principal.user, actor=principal.actor,
                    now=utcnow(), reason=body.reason)
    return _detail(session, case)


@router.post("/cases/{key}/escalate", response_model=CaseDetailOut)
def escalate(key: str, body: EscalateIn, session: SessionDep,
             principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    service.escalate(session, case, actor_user=principal.user, actor=principal.actor,
                     now=utcnow(), reason=body.reason)
    return _detail(session, case)


@router.post("/cases/{key}/comments", status_code=201)
def add_comment(key: str, body: CommentIn, session: SessionDep,
                principal: CaseWorker) -> dict[str, Any]:
    case = repo.get_case(session, principal.user, key)
    service.comment(session, case, actor=principal.actor, now=utcnow(), body=body.body)
    return {"case": case.key, "status": "recorded"}


@router.patch("/cases/{key}", response_model=CaseDetailOut)
def edit(key: str, body: EditIn, session: SessionDep, principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    changes = body.model_dump(exclude_unset=True, exclude={"tags", "reason"})
    for name in ("title", "description"):
        # Optional in the body, but a case always has them: null would fail in SQL (a 500).
        if name in changes and changes[name] is None:
            raise InvalidInput("cannot be null", field=name)
    if "category" in changes and changes["category"] is not None:
        try:
            GuidelineCategory(changes["category"])
        except ValueError as exc:
            raise InvalidInput("not a guideline category", field="category") from exc
    if changes.get("legal_deadline") is not None and changes["legal_deadline"].tzinfo is None:
        raise InvalidInput("give a time zone", field="legal_deadline")
    service.edit(session, case, changes=changes, tags=body.tags, actor_user=principal.user,
                 actor=principal.actor, now=utcnow(), reason=body.reason)
    return _detail(session, case)


@router.post("/cases/{key}/merge", response_model=CaseDetailOut)
def merge(key: str, body: MergeIn, session: SessionDep, principal: CaseWorker) -> CaseDetailOut:
    source = repo.get_case(session, principal.user, key, for_update=True)
    try:
        into = repo.get_case(session, principal.user, body.into, for_update=True)
    except NotFound as exc:
        raise InvalidInput(f"no case {body.into}", field="into") from exc
    service.merge(session, source, into=into, actor_user=principal.user, actor=principal.actor,
                  now=utcnow(), reason=body.reason)
    return _detail(session, into)


@router.post("/cases/{key}/split", response_model=CaseDetailOut, status_code=201)
def split(key: str, body: SplitIn, session: SessionDep, principal: CaseWorker) -> CaseDetailOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    new_case = service.split(session, case, request_ids=body.request_ids,
                             actor_user=principal.user, actor=principal.actor, now=utcnow(),
                             reason=body.reason)
    return _detail(session, new_case)


@router.get("/cases/{key}/requests", response_model=RequestPage)
def linked_requests(key: str, session: SessionDep, principal: CaseReader,
                    cursor: IdCursor = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> RequestPage:
    case = repo.get_case(session, principal.user, key)
    note_read(session, case, actor=principal.actor, now=utcnow(), what="requests")
    rows, next_cursor = page_after_id(
        session, select(CaseRequest).where(CaseRequest.case_id == case.id), CaseRequest.id,
        cursor=cursor, limit=limit)
    return RequestPage(items=[request_out(r) for r in rows], next_cursor=next_cursor)
