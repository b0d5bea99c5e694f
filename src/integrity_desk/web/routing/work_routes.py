"""My work: the open cases assigned to me, most urgent first, and "claim next".

The landing page of the console. Claiming goes through routing.service (the same atomic claim
the API's per-queue route makes), then straight to the case it brought.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.cases import repository as repo
from integrity_desk.cases.domain import case_key
from integrity_desk.db import utcnow
from integrity_desk.routing.service import claim_next_of_mine
from integrity_desk.web.cases.list_views import case_row
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.people.views import person_view
from integrity_desk.web.render import is_htmx, render
from integrity_desk.wellbeing import service as wellbeing

router = APIRouter(include_in_schema=False)

MY_WORK_LIMIT = 100
Reader = Annotated[Viewer, Depends(page(Action.CASE_READ))]
Worker = Annotated[Viewer, Depends(page(Action.CASE_WORK))]


@router.get("/")
def my_work(request: Request, session: SessionDep, viewer: Reader,
            nothing: str | None = None) -> Response:
    """Open cases assigned to me, by priority then resolution due (one statement)."""
    now = utcnow()
    filters = repo.CaseFilters(assignee_id=viewer.user.id, open=True)
    cases, more = repo.list_cases(session, viewer.user, filters=filters, now=now,
                                  sort="priority", limit=MY_WORK_LIMIT)
    return render(request, "work.html", {
        "viewer": viewer, "me": person_view(viewer.user), "title": "My work",
        "rows": [case_row(c, now) for c in cases], "more": more is not None,
        "may_claim": allows(viewer.user.role, Action.CASE_WORK),
        "nothing_waiting": nothing is not None,
        "harm": wellbeing.standing(session, viewer.user, now)})


def _go(request: Request, target: str) -> Response:
    if is_htmx(request):  # htmx follows HX-Redirect with a full page load
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/claim-next")
def claim_next(request: Request, session: SessionDep, viewer: Worker) -> Response:
    """The most urgent waiting case of my queues becomes mine; off to its view. When nothing
    waits, back to My work, which says so (and, at today's cap of harmful items, why the
    harmful ones were passed over)."""
    now = utcnow()
    # At today's cap of harmful items, the next case with nothing harmful in it is offered.
    spare = wellbeing.standing(session, viewer.user, now).at_cap
    claimed = claim_next_of_mine(session, user=viewer.user, actor=viewer.actor, now=now,
                                 spare_harm=spare)
    if claimed is None:
        return _go(request, "/?nothing=1")
    return _go(request, f"/cases/{case_key(claimed[1], claimed[0])}")
