"""The console's request forms for CSMs and executives, and My requests.

The business is picked from the desk's data with a search-as-you-type list (htmx: the list
is a fragment the server renders; choosing one swaps in the chosen business and its plan tier).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import IdCursor, RowId
from integrity_desk.cases.domain import GuidelineCategory
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError
from integrity_desk.forms import requests as service
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Requester = Annotated[Viewer, Depends(page(Action.REQUEST_RAISE))]
PAGE_SIZE = 25


def _form(request: Request, viewer: Viewer, kind: str, values: dict[str, str],
          errors: dict[str, str], chosen: object = None, status_code: int = 200) -> Response:
    return render(request, "requests/new.html", {
        "viewer": viewer, "title": f"New {service.KINDS[kind]}", "kind": kind,
        "kinds": service.KINDS, "values": values, "errors": errors, "tiers": service.TIERS,
        "categories": [c.value for c in GuidelineCategory], "chosen": chosen},
        status_code=status_code)


@router.get("/requests/new")
def new_request(request: Request, viewer: Requester,
                kind: str = "csm_escalation") -> Response:
    kind = kind if kind in service.KINDS else "csm_escalation"
    return _form(request, viewer, kind, {}, {})


@router.get("/requests/businesses")
def pick_business(request: Request, session: SessionDep, viewer: Requester,
                  q: Annotated[str, Query(max_length=253)] = "") -> Response:
    """The picker's suggestions for what was typed (an htmx fragment)."""
    return render(request, "requests/_businesses.html", {
        "viewer": viewer, "query": q, "found": service.find_businesses(session, q)})


@router.get("/requests/businesses/{business_id}")
def chosen_business(request: Request, session: SessionDep, viewer: Requester,
                    business_id: RowId, kind: str = "csm_escalation") -> Response:
    """The chosen business in place of the picker (an htmx fragment), and for a CSM
    escalation its plan tier chosen in the tier field (an out-of-band swap)."""
    return render(request, "requests/_business_chosen.html", {
        "viewer": viewer, "chosen": service.business(session, business_id), "oob": True,
        "kind": kind if kind in service.KINDS else "csm_escalation", "tiers": service.TIERS})


@router.post("/requests")
async def raise_request(request: Request, session: SessionDep, viewer: Requester) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    kind = form.get("kind") if form.get("kind") in service.KINDS else "csm_escalation"
    try:
        raised = service.raise_request(session, user=viewer.user, form=form, now=utcnow())
    except DeskError as exc:
        session.rollback()
        domain = (form.get("business_domain") or "").strip().lower()
        chosen = next((b for b in service.find_businesses(session, domain, limit=1)
                       if b.domain == domain), None) if domain else None
        return _form(request, viewer, kind or "csm_escalation", form,
                     {exc.field or "description": exc.message}, chosen, status_code=422)
    key = raised.case.key
    return RedirectResponse(f"/requests?raised={key}&joined={int(not raised.created)}",
                            status_code=303)


@router.get("/requests")
def my_requests(request: Request, session: SessionDep, viewer: Requester,
                cursor: IdCursor = None, raised: str | None = None,
                joined: int = 0) -> Response:
    now = utcnow()
    rows, nxt = service.my_requests(session, viewer.user, before=cursor, limit=PAGE_SIZE,
                                    now=now)
    return render(request, "requests/mine.html", {
        "viewer": viewer, "title": "My requests", "rows": rows, "next_cursor": nxt,
        "raised": raised, "joined": bool(joined), "kinds": service.KINDS, "now": now})
