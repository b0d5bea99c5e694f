"""A person's growth page (docs/quality.md#each-persons-growth): for the person and their
managers. Certifications with expiry, QA accuracy and harmful items seen per week, calibration
results, appeals against their decisions, and dated coaching notes a manager writes here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError, NotFound
from integrity_desk.growth import service
from integrity_desk.people import roster
from integrity_desk.people.models import User
from integrity_desk.web.deps import MyPage, Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.forms import text, value
from integrity_desk.web.render import render
from integrity_desk.wellbeing import service as wellbeing

router = APIRouter(include_in_schema=False)
Lead = Annotated[Viewer, Depends(page(Action.WORKFORCE_MANAGE))]


def _person(session: Session, viewer: Viewer, user_id: int) -> User:
    try:
        return roster.get_person(session, viewer.user, user_id,
                                 manages=allows(viewer.user.role, Action.WORKFORCE_MANAGE))
    except NotFound as exc:
        raise PageError(404, "No such person", "There is no person with that number you "
                        "may see.") from exc


def _page(request: Request, session: Session, viewer: Viewer, person: User, *,
          error: str | None = None, typed: str = "", status_code: int = 200) -> Response:
    now = utcnow()
    g = service.growth(session, person, now=now)
    return render(request, "workforce/growth.html", {
        "viewer": viewer, "title": f"{person.name}: growth", "g": g, "person": person,
        "now": now, "mine": person.id == viewer.user.id,
        "manages": allows(viewer.user.role, Action.WORKFORCE_MANAGE)
        and person.id != viewer.user.id,
        "cap": wellbeing.daily_cap(session), "days": service.OVERTURN_DAYS,
        "error": error, "typed": typed}, status_code=status_code)


@router.get("/people/{user_id}/growth")
def growth_page(request: Request, user_id: RowId, session: SessionDep,
                viewer: MyPage) -> Response:
    return _page(request, session, viewer, _person(session, viewer, user_id))


@router.post("/people/{user_id}/coaching-notes")
async def write_note(request: Request, user_id: RowId, session: SessionDep,
                     viewer: Lead) -> Response:
    person = _person(session, viewer, user_id)
    raw = value(await request.form(), "note")
    try:
        service.write_note(session, person, author=viewer.user,
                           note=text(raw, "note", required=True, max_length=10_000),
                           actor=viewer.actor, now=utcnow())
    except (DeskError, PageError) as exc:
        session.rollback()
        return _page(request, session, viewer, _person(session, viewer, user_id),
                     error=exc.message, typed=raw, status_code=exc.status_code)
    return RedirectResponse(f"/people/{user_id}/growth#notes", status_code=303)
