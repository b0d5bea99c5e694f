"""People in the console: the Team page for managers (every person's readiness, load against
capacity, handled today, harmful items seen today) and the person page (the whole working
profile; the person sets their own availability there, a manager changes everything). Forms
are read into the API's schemas; the services decide every rule (people/schedule.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.cases.domain import CaseKind
from integrity_desk.db import utcnow
from integrity_desk.errors import DeskError, InvalidInput, NotFound
from integrity_desk.people import certifications, domain, roster, schedule, teams, vendors
from integrity_desk.people.models import User
from integrity_desk.people.schemas import AvailabilityIn, PersonChange, ShiftExceptionIn
from integrity_desk.routing import workload
from integrity_desk.web.deps import MyPage, Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.forms import checked, value
from integrity_desk.web.people import person_views as views
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Lead = Annotated[Viewer, Depends(page(Action.WORKFORCE_MANAGE))]
PROFILE = ("languages", "kinds", "skills", "max_tier", "capacity", "time_zone",
           "shift_pattern", "team")


def _manages(viewer: Viewer) -> bool:
    return allows(viewer.user.role, Action.WORKFORCE_MANAGE)


def _refusal(session: Session, exc: DeskError | PageError) -> dict[str, str]:
    session.rollback()
    if isinstance(exc, PageError):
        return {"form": exc.message}
    return {(exc.field or "form").split(".")[0]: exc.message}


@router.get("/people")
def team_board(request: Request, session: SessionDep, viewer: Lead,
               team: str | None = None, vendor: str | None = None) -> Response:
    """Who is working now: every person's readiness and load (optionally one team's or one
    vendor's)."""
    try:
        board = workload.team_board(session, viewer.user, manages=True, now=utcnow(),
                                    team=team or None, vendor=vendor or None)
    except InvalidInput as exc:
        raise PageError(422, "No such team or vendor", exc.message) from exc
    lines = [views.board_line(b) for b in board]
    return render(request, "workforce/people.html", {
        "viewer": viewer, "title": "Team", "lines": lines,
        "ready": sum(1 for line in lines if line.ready),
        "on_shift": sum(1 for line in lines if line.on_shift),
        "teams": [t.name for t in teams.list_teams(session)],
        "vendors": [v.name for v in vendors.list_vendors(session)],
        "team": team or "", "vendor": vendor or ""})


def _person(session: Session, viewer: Viewer, user_id: int) -> User:
    try:
        return roster.get_person(session, viewer.user, user_id, manages=_manages(viewer))
    except NotFound as exc:
        raise PageError(404, "No such person", "There is no person with that number you "
                        "may see.") from exc


def _person_page(request: Request, session: Session, viewer: Viewer, person: User, *,
                 values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                 status_code: int = 200, saved: str | None = None) -> Response:
    now = utcnow()
    board = workload.person_board(session, person, now)
    coming = schedule.exceptions_of(session, [person.id], ending_after=now)[person.id]
    current = certifications.current(session, person, now)
    week, hours = views.weekly(person)
    return render(request, "workforce/person.html", {
        "viewer": viewer, "title": person.name, "person": person,
        "line": views.board_line(board), "week": week, "hours": hours,
        "exceptions": views.exception_lines(coming, person.time_zone, now),
        "certifications": current,
        "history": schedule.availability_history(session, person.id, limit=20),
        "manages": _manages(viewer), "mine": person.id == viewer.user.id,
        "values": values or views.profile_values(person), "errors": errors or {},
        "availabilities": views.AVAILABILITY, "exception_kinds": views.EXCEPTION_KINDS,
        "kinds": [k.value for k in CaseKind],
        "teams": [t.name for t in teams.list_teams(session)], "saved": saved},
        status_code=status_code)


@router.get("/people/{user_id}")
def person_page(request: Request, user_id: RowId, session: SessionDep, viewer: MyPage,
                saved: str | None = None) -> Response:
    """Your own working profile, or anyone's for a manager."""
    return _person_page(request, session, viewer, _person(session, viewer, user_id),
                        saved=saved)


def _refused(request: Request, session: Session, viewer: Viewer, user_id: int,
             exc: DeskError | PageError, values: dict[str, Any] | None = None) -> Response:
    """The person page again, after rolling the refused change back, with the refusal on the
    field it names (and the typed values, where the form had any)."""
    errors = _refusal(session, exc)
    return _person_page(request, session, viewer, _person(session, viewer, user_id),
                        values=values, errors=errors, status_code=exc.status_code)


def _back(user_id: int, saved: str) -> RedirectResponse:
    return RedirectResponse(f"/people/{user_id}?saved={saved}", status_code=303)


@router.post("/people/{user_id}/availability")
async def set_availability(request: Request, user_id: RowId, session: SessionDep,
                           viewer: MyPage) -> Response:
    person = _person(session, viewer, user_id)
    form = await request.form()
    try:
        schedule.may_change_availability(viewer.user, person, manages=_manages(viewer))
        body = checked(AvailabilityIn, {"availability": value(form, "availability"),
                                        "reason": value(form, "reason") or None})
        schedule.set_availability(session, actor=viewer.actor, person=person,
                                  status=body.availability, reason=body.reason, now=utcnow())
    except (DeskError, PageError) as exc:
        return _refused(request, session, viewer, user_id, exc)
    return _back(person.id, "availability")


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


@router.post("/people/{user_id}")
async def change_profile(request: Request, user_id: RowId, session: SessionDep,
                         viewer: Lead) -> Response:
    person = _person(session, viewer, user_id)
    form = await request.form()
    values = {k: value(form, k) for k in PROFILE}
    try:
        body = checked(PersonChange, {
            "languages": _split(values["languages"]), "kinds": _split(values["kinds"]),
            "skills": _split(values["skills"]), "max_tier": values["max_tier"] or None,
            "capacity": values["capacity"] or None, "time_zone": values["time_zone"] or "UTC",
            "shift_pattern": domain.parse_week(values["shift_pattern"]),
            "team": values["team"] or None})
        changes = body.model_dump()
        if changes["max_tier"] is None:
            del changes["max_tier"]
        schedule.update_person(session, actor=viewer.actor, user=person, changes=changes)
    except (DeskError, PageError) as exc:
        return _refused(request, session, viewer, user_id, exc, values)
    return _back(person.id, "profile")


def _local(raw: str, time_zone: str, field: str) -> str:
    """A datetime-local field, read in the person's own time zone, as ISO with its offset."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("a date and time, as 2026-12-24 09:00", field=field) from None
    return moment.replace(tzinfo=ZoneInfo(time_zone)).isoformat()


@router.post("/people/{user_id}/exceptions")
async def add_exception(request: Request, user_id: RowId, session: SessionDep,
                        viewer: Lead) -> Response:
    person = _person(session, viewer, user_id)
    form = await request.form()
    try:
        body = checked(ShiftExceptionIn, {
            "kind": value(form, "kind"),
            "starts_at": _local(value(form, "starts_at"), person.time_zone, "starts_at"),
            "ends_at": _local(value(form, "ends_at"), person.time_zone, "ends_at"),
            "note": value(form, "note") or None})
        schedule.add_exception(session, actor=viewer.actor, person=person, kind=body.kind,
                               starts_at=body.starts_at, ends_at=body.ends_at, note=body.note)
    except (DeskError, PageError) as exc:
        return _refused(request, session, viewer, user_id, exc)
    return _back(person.id, "exception")


@router.post("/people/{user_id}/exceptions/{exception_id}/cancel")
async def cancel_exception(request: Request, user_id: RowId, exception_id: RowId,
                           session: SessionDep, viewer: Lead) -> Response:
    person = _person(session, viewer, user_id)
    try:
        schedule.cancel_exception(session, actor=viewer.actor, person=person,
                                  exception_id=exception_id, now=utcnow())
    except DeskError as exc:
        return _refused(request, session, viewer, user_id, exc)
    return _back(person.id, "cancelled")
