"""SLA policies and calendars over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from integrity_desk.api.deps import ConfigManager, ConfigReader, SessionDep
from integrity_desk.audit.service import record
from integrity_desk.errors import InvalidInput
from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.sla.schemas import CalendarIO, PolicyIO

router = APIRouter(tags=["sla"])


@router.get("/sla/policies", response_model=list[PolicyIO])
def list_policies(session: SessionDep, principal: ConfigReader) -> list[PolicyIO]:
    names = {c.id: c.name for c in session.scalars(select(SlaCalendar))}
    return [
        PolicyIO(kind=p.kind, priority=p.priority,
                 first_response_minutes=p.first_response_minutes,
                 resolution_minutes=p.resolution_minutes, at_risk_fraction=p.at_risk_fraction,
                 calendar=names.get(p.calendar_id) if p.calendar_id else None)
        for p in session.scalars(select(SlaPolicy).order_by(SlaPolicy.kind, SlaPolicy.priority))
    ]


@router.put("/sla/policies", response_model=PolicyIO)
def put_policy(body: PolicyIO, session: SessionDep, principal: ConfigManager) -> PolicyIO:
    """Create or replace the policy of one kind and priority; open cases keep their clocks."""
    calendar_id = None
    if body.calendar:
        calendar_id = session.scalar(select(SlaCalendar.id).where(
            SlaCalendar.name == body.calendar))
        if calendar_id is None:
            raise InvalidInput(f"no calendar {body.calendar!r}", field="calendar")
    if body.first_response_minutes > body.resolution_minutes:
        raise InvalidInput("first response cannot be due after resolution",
                           field="first_response_minutes")
    policy = session.scalar(select(SlaPolicy).where(
        SlaPolicy.kind == body.kind, SlaPolicy.priority == body.priority))
    before: dict[str, Any] | None = None
    if policy is None:
        policy = SlaPolicy(kind=body.kind, priority=body.priority)
        session.add(policy)
    else:
        before = {"first_response_minutes": policy.first_response_minutes,
                  "resolution_minutes": policy.resolution_minutes,
                  "at_risk_fraction": policy.at_risk_fraction,
                  "calendar_id": policy.calendar_id}
    policy.first_response_minutes = body.first_response_minutes
    policy.resolution_minutes = body.resolution_minutes
    policy.at_risk_fraction = body.at_risk_fraction
    policy.calendar_id = calendar_id
    session.flush()
    record(session, kind="sla.policy_changed", category="audit", actor=principal.actor,
           chain_key="config", payload={"before": before, "after": body.model_dump(mode="json")})
    return body


@router.get("/sla/calendars", response_model=list[CalendarIO])
def list_calendars(session: SessionDep, principal: ConfigReader) -> list[CalendarIO]:
    return [CalendarIO.model_validate(c)
            for c in session.scalars(select(SlaCalendar).order_by(SlaCalendar.name))]


@router.put("/sla/calendars", response_model=CalendarIO)
def put_calendar(body: CalendarIO, session: SessionDep, principal: ConfigManager) -> CalendarIO:
    try:
        BusinessCalendar.from_config(
            timezone=body.timezone, hours=body.hours, holiday_country=body.holiday_country,
            holiday_subdivision=body.holiday_subdivision, extra_holidays=body.extra_holidays)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="calendar") from exc
    row = session.scalar(select(SlaCalendar).where(SlaCalendar.name == body.name))
    if row is None:
        row = SlaCalendar(name=body.name)
        session.add(row)
    for name, value in body.model_dump(exclude={"name"}).items():
        setattr(row, name, value)
    session.flush()
    record(session, kind="sla.calendar_changed", category="audit", actor=principal.actor,
           chain_key="config", payload=body.model_dump())
    return body
