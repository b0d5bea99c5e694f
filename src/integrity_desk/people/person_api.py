"""People as the workforce sees them (docs/workforce.md): the roster with readiness, a person's
working profile (skills, capacity, shifts, exceptions, availability, certifications), and the
changes to it. A manager (``workforce.manage``) sees and changes everyone; anyone else sees
only themselves and changes only their own availability."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from integrity_desk.access.domain import Action, allows
from integrity_desk.api.deps import Myself, Principal, SessionDep, WorkforceManager
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.people import certifications, roster, schedule, shifts
from integrity_desk.people.models import ShiftException, User
from integrity_desk.people.schemas import (
    AvailabilityChangeOut,
    AvailabilityIn,
    CertificationOut,
    PersonChange,
    PersonOut,
    PersonSummary,
    ShiftExceptionIn,
    ShiftExceptionOut,
)
from integrity_desk.routing import workload

router = APIRouter(tags=["workforce"])


def manages(principal: Principal) -> bool:
    return allows(principal.user.role, Action.WORKFORCE_MANAGE)


def summary(board: workload.BoardRow) -> dict[str, object]:
    row = board.row
    person, ready = row.person, row.readiness
    return {"id": person.id, "email": person.email, "name": person.name, "role": person.role,
            "team": person.team.name if person.team else None,
            "vendor": row.vendor.name if row.vendor else None,
            "availability": person.availability,
            "availability_since": person.availability_since,
            "on_shift": ready.shift.on_shift, "shift": ready.shift.why,
            "in_hand": ready.in_hand, "capacity": ready.capacity, "ready": ready.ready,
            "reasons": ready.reasons, "handled_today": board.handled_today,
            "seen_today": board.seen_today, "harm_cap": board.harm_cap}


def exception_out(e: ShiftException) -> ShiftExceptionOut:
    return ShiftExceptionOut(id=e.id, kind=e.kind, starts_at=e.starts_at, ends_at=e.ends_at,
                             note=e.note)


def person_out(session: Session, person: User, now: datetime) -> PersonOut:
    """The whole working profile (the person page and GET /people/{id} show the same)."""
    board = workload.person_board(session, person, now)
    coming = schedule.exceptions_of(session, [person.id], ending_after=now)[person.id]
    held = certifications.current(session, person, now)
    return PersonOut(
        **summary(board), languages=person.languages, kinds=person.kinds, skills=person.skills,
        max_tier=person.max_tier, time_zone=person.time_zone,
        shift_pattern=person.shift_pattern,
        weekly_hours=shifts.weekly_hours(person.shift_pattern),
        exceptions=[exception_out(e) for e in coming],
        certifications=[CertificationOut(name=c.name, source=c.source, granted_at=c.granted_at,
                                         expires_at=c.expires_at) for c in held],
        availability_history=[
            AvailabilityChangeOut(status=c.status, previous=c.previous, changed_at=c.changed_at,
                                  changed_by_id=c.changed_by_id, reason=c.reason)
            for c in schedule.availability_history(session, person.id, limit=20)])


@router.get("/people", response_model=list[PersonSummary])
def list_people(session: SessionDep, principal: WorkforceManager,
                team: str | None = None, vendor: str | None = None,
                email: str | None = None,
                include_inactive: bool = Query(False, description="deactivated people too")
                ) -> list[PersonSummary]:
    """Everyone (or one team's, one vendor's) with their readiness to take work now."""
    rows = workload.team_board(session, principal.user, manages=True, now=utcnow(), team=team,
                               vendor=vendor, email=email, active_only=not include_inactive)
    return [PersonSummary(**summary(r)) for r in rows]


@router.get("/people/{user_id}", response_model=PersonOut)
def get_person(user_id: RowId, session: SessionDep, principal: Myself) -> PersonOut:
    """Your own profile, or anyone's for a manager (someone else's answers 404 otherwise)."""
    person = roster.get_person(session, principal.user, user_id, manages=manages(principal))
    return person_out(session, person, utcnow())


@router.patch("/people/{user_id}", response_model=PersonOut)
def change_person(user_id: RowId, body: PersonChange, session: SessionDep,
                  principal: WorkforceManager) -> PersonOut:
    person = roster.get_person(session, principal.user, user_id, manages=True)
    schedule.update_person(session, actor=principal.actor, user=person,
                           changes=body.model_dump(exclude_unset=True))
    return person_out(session, person, utcnow())


@router.put("/people/{user_id}/availability", response_model=PersonOut)
def set_availability(user_id: RowId, body: AvailabilityIn, session: SessionDep,
                     principal: Myself) -> PersonOut:
    """Set yourself available, away, in training or off; a manager may set anyone's."""
    person = roster.get_person(session, principal.user, user_id, manages=manages(principal))
    schedule.may_change_availability(principal.user, person, manages=manages(principal))
    now = utcnow()
    schedule.set_availability(session, actor=principal.actor, person=person,
                              status=body.availability, reason=body.reason, now=now)
    return person_out(session, person, now)


@router.post("/people/{user_id}/exceptions", response_model=ShiftExceptionOut,
             status_code=201)
def add_exception(user_id: RowId, body: ShiftExceptionIn, session: SessionDep,
                  principal: WorkforceManager) -> ShiftExceptionOut:
    """Leave, sickness, training or an extra shift, over [starts_at, ends_at)."""
    person = roster.get_person(session, principal.user, user_id, manages=True)
    return exception_out(schedule.add_exception(
        session, actor=principal.actor, person=person, kind=body.kind,
        starts_at=body.starts_at, ends_at=body.ends_at, note=body.note))


@router.delete("/people/{user_id}/exceptions/{exception_id}", status_code=204)
def cancel_exception(user_id: RowId, exception_id: RowId, session: SessionDep,
                     principal: WorkforceManager) -> None:
    person = roster.get_person(session, principal.user, user_id, manages=True)
    schedule.cancel_exception(session, actor=principal.actor, person=person,
                              exception_id=exception_id, now=utcnow())
