"""The workspace's members over HTTP: a page of them with why each is one, and adding or
dropping with a reason (docs/investigations.md#the-workspace). The same services as the
console's forms; the case is read through the readable clause (404 otherwise)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import CaseWorker, Principal, SessionDep, allow
from integrity_desk.api.paging import MAX_ROW_ID
from integrity_desk.cases import repository as repo
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.investigations import members
from integrity_desk.investigations.schemas import (
    ChangeOut,
    MemberDropIn,
    MemberIn,
    MemberOut,
    MembersOut,
    SignalWhyOut,
    SuggestionIn,
)

router = APIRouter(tags=["investigations"])
SignalReader = Annotated[Principal, Depends(allow(Action.SIGNALS_READ))]


def _cursor(value: str | None) -> tuple[str, int] | None:
    if not value:
        return None
    kind, _, number = value.partition(":")
    if kind not in members.KINDS or not number.isdigit() or len(number) > 10 \
            or int(number) > MAX_ROW_ID:
        raise InvalidInput("is the next_cursor of the page before", field="cursor")
    return kind, int(number)


@router.get("/cases/{key}/members", response_model=MembersOut,
            summary="The investigation's members, with the findings that name each")
def list_members(key: str, session: SessionDep, principal: SignalReader,
                 cursor: Annotated[str | None, Query(max_length=24)] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> MembersOut:
    case = repo.get_case(session, principal.user, key)
    keys, after = members.page(session, case.id, cursor=_cursor(cursor), limit=limit)
    why = members.why(session, case.id, keys)
    refs = members.refs_of(session, keys)
    return MembersOut(items=[MemberOut(
        type=t, ref=refs.get((t, i), str(i)), role=why[(t, i)].role,  # type: ignore[arg-type]
        reason=why[(t, i)].reason, signals=[
            SignalWhyOut(signal=s, kind=k, strength=v, explanation=w)
            for s, k, v, w in why[(t, i)].signals]) for t, i in keys],
        next_cursor=f"{after[0]}:{after[1]}" if after else None)


@router.post("/cases/{key}/members", response_model=ChangeOut,
             summary="Add reviews, accounts or businesses to the investigation, saying why")
def add_members(key: str, body: MemberIn, session: SessionDep,
                principal: CaseWorker) -> ChangeOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    added = members.add(session, case, user=principal.user, actor=principal.actor,
                        now=utcnow(), subject_type=body.type, refs=body.refs,
                        reason=body.reason)
    return ChangeOut(case=case.key, changed=added)


@router.post("/cases/{key}/members/drop", response_model=ChangeOut,
             summary="Drop one member, saying why: the signals will not put it back")
def drop_member(key: str, body: MemberDropIn, session: SessionDep,
                principal: CaseWorker) -> ChangeOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    dropped = members.drop(session, case, user=principal.user, actor=principal.actor,
                           now=utcnow(), subject_type=body.type, ref=body.ref,
                           reason=body.reason)
    return ChangeOut(case=case.key, changed=dropped)


@router.post("/cases/{key}/members/suggested", response_model=ChangeOut,
             summary="Add every subject a suggestion of the workspace names")
def add_suggested(key: str, body: SuggestionIn, session: SessionDep,
                  principal: CaseWorker) -> ChangeOut:
    case = repo.get_case(session, principal.user, key, for_update=True)
    added = members.add_suggested(session, case, user=principal.user, actor=principal.actor,
                                  now=utcnow(), kind=body.kind, reason=body.reason)
    return ChangeOut(case=case.key, changed=added)
