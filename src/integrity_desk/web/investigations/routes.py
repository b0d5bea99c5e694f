"""The investigation workspace: GET /cases/{key}/workspace and the forms that change members.

Reading it is signals.read (the desk's investigators: it shows the findings' evidence), and the
case is read through the one readable clause, so a case the person may not read is a 404 as
everywhere. Adding, dropping and taking a suggestion are case.work and the case's own rules
(investigations.members.check_may_change), each a POST form that works without JavaScript
(303 back to the workspace, or the page again saying what to correct) and that htmx submits
to swap the workspace in place. One transaction per request: the services flush, the unit of
work commits once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.audit.timeline import latest_events
from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError
from integrity_desk.investigations import members, workspace
from integrity_desk.investigations.schemas import MemberDropIn, MemberIn, SuggestionIn
from integrity_desk.privacy.service import note_read
from integrity_desk.web import forms
from integrity_desk.web.cases import views as case_views
from integrity_desk.web.cases.routes import open_case, page_error
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.investigations import views
from integrity_desk.web.render import is_htmx, render
from integrity_desk.web.wellbeing.views import shield_for

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.SIGNALS_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]
LABELS = {"type": "Kind", "refs": "References", "ref": "Reference", "reason": "Reason"}
_SPLIT = re.compile(r"[\s,;]+")


def _may_change(session: Session, viewer: Viewer, case: Case) -> bool:
    try:
        members.check_may_change(session, viewer.user, case)
    except DeskError:
        return False
    return True


def _context(session: Session, viewer: Viewer, case: Case, *, sort: str = "strength",
             page_number: int = 1) -> dict[str, Any]:
    space = workspace.read(session, case)
    events, older = latest_events(session, case.id, limit=15)
    return {
        "viewer": viewer, "case": case, "key": case.key, "space": space,
        "title": f"{case.key} · workspace",
        "table": views.sorted_members(space, sort if sort in views.SORTS else "strength",
                                      page_number),
        "sorts": views.SORTS, "graph_json": views.graph_json(space),
        "links": views.links_of(space), "timeline_json": views.timeline_json(space),
        "timeline": case_views.timeline_view(case.key, "all", events, older), "before": None,
        "may_change": _may_change(session, viewer, case),
        "shield": shield_for(viewer.user), "kind_words": views.kind_words,
    }


@router.get("/cases/{key}/workspace", name="case_workspace")
def workspace_page(request: Request, key: str, session: SessionDep, viewer: Reader,
                   sort: Annotated[str, Query(max_length=16)] = "strength",
                   page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1
                   ) -> Response:
    case = open_case(session, viewer, key)
    note_read(session, case, actor=viewer.actor, now=utcnow(), what="workspace")
    return render(request, "workspace.html",
                  _context(session, viewer, case, sort=sort, page_number=page_number))


def _refusal(exc: DeskError) -> PageError:
    """A service's refusal in the form's words: "References: no review 'r-9' …"."""
    if exc.status_code == 422 and exc.field in LABELS:
        return forms.refuse(exc.field, exc.message, label=LABELS[exc.field])
    return page_error(exc)


def _change(request: Request, session: Session, viewer: Viewer, key: str,
            read: Callable[[], Any], do: Callable[[Case, Any], Any]) -> Response:
    """Read the form, make the change in this request's transaction, and answer: the
    workspace again (htmx), a redirect to it, or the page with what to correct."""
    case = open_case(session, viewer, key, for_update=True)
    try:
        body = read()
        do(case, body)
    except (DeskError, PageError) as exc:
        session.rollback()
        refusal = exc if isinstance(exc, PageError) else _refusal(exc)
        if is_htmx(request):
            raise refusal from exc
        fresh = open_case(session, viewer, key)
        context = _context(session, viewer, fresh)
        context["error"] = refusal.message
        return render(request, "workspace.html", context, status_code=refusal.status_code)
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{case.key}/workspace", status_code=303)
    return render(request, "_workspace_body.html", _context(session, viewer, case))


@router.post("/cases/{key}/workspace/members")
def add_members(request: Request, key: str, session: SessionDep, viewer: Worker,
                type: Annotated[str, Form()] = "", refs: Annotated[str, Form()] = "",
                reason: Annotated[str, Form()] = "") -> Response:
    def read() -> MemberIn:
        return forms.checked(MemberIn, {"type": type, "reason": reason, "refs": [
            r for r in _SPLIT.split(refs) if r]}, labels=LABELS)

    return _change(request, session, viewer, key, read, lambda case, body: members.add(
        session, case, user=viewer.user, actor=viewer.actor, now=utcnow(),
        subject_type=body.type, refs=body.refs, reason=body.reason))


@router.post("/cases/{key}/workspace/drop")
def drop_member(request: Request, key: str, session: SessionDep, viewer: Worker,
                type: Annotated[str, Form()] = "", ref: Annotated[str, Form()] = "",
                reason: Annotated[str, Form()] = "") -> Response:
    def read() -> MemberDropIn:
        return forms.checked(MemberDropIn, {"type": type, "ref": ref, "reason": reason},
                             labels=LABELS)

    return _change(request, session, viewer, key, read, lambda case, body: members.drop(
        session, case, user=viewer.user, actor=viewer.actor, now=utcnow(),
        subject_type=body.type, ref=body.ref, reason=body.reason))


@router.post("/cases/{key}/workspace/suggestions")
def take_suggestion(request: Request, key: str, session: SessionDep, viewer: Worker,
                    kind: Annotated[str, Form()] = "",
                    reason: Annotated[str, Form()] = "") -> Response:
    def read() -> SuggestionIn:
        return forms.checked(SuggestionIn, {"kind": kind, "reason": reason}, labels=LABELS)

    return _change(request, session, viewer, key, read, lambda case, body: members
                   .add_suggested(session, case, user=viewer.user, actor=viewer.actor,
                                  now=utcnow(), kind=body.kind, reason=body.reason))

