"""Start, pause, resume and sweep SLA clocks of cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.db import utcnow
from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import (
    MAX_TARGET_MINUTES,
    ClockReading,
    SlaDue,
    SlaState,
    SlaTarget,
    clock_state,
    resume_clock,
    start_clock,
)
from integrity_desk.sla.models import SlaCalendar, SlaPolicy

ALWAYS_OPEN = BusinessCalendar()


@lru_cache(maxsize=256)
def _calendar(
    timezone: str, hours: str | None, country: str | None, subdivision: str | None,
    extra: tuple[str, ...],
) -> BusinessCalendar:
    return BusinessCalendar.from_config(
        timezone=timezone, hours=json.loads(hours) if hours else None,
        holiday_country=country, holiday_subdivision=subdivision, extra_holidays=extra,
    )


def to_calendar(row: SlaCalendar | None) -> BusinessCalendar:
    """Build (and cache, keyed by its configuration) the working calendar of a row."""
    if row is None:
        return ALWAYS_OPEN
    return _calendar(
        row.timezone, json.dumps(row.hours, sort_keys=True) if row.hours else None,
        row.holiday_country, row.holiday_subdivision, tuple(row.extra_holidays or ()),
    )


@dataclass(frozen=True)
class PolicyInfo:
    id: int
    kind: str
    priority: int
    first_response_minutes: int
    resolution_minutes: int
    at_risk_fraction: float
    calendar_id: int | None


class SlaBook:
    """Policies and built calendars, detached from any session (cached per process)."""

    def __init__(self, session: Session) -> None:
        self.policies = {
            (p.kind, p.priority): PolicyInfo(p.id, p.kind, p.priority, p.first_response_minutes,
                                             p.resolution_minutes, p.at_risk_fraction,
                                             p.calendar_id)
            for p in session.scalars(select(SlaPolicy))
        }
        self.calendars = {c.id: to_calendar(c) for c in session.scalars(select(SlaCalendar))}

    def policy(self, kind: str, priority: int) -> PolicyInfo | None:
        return self.policies.get((kind, priority))

    def calendar_for(
        self, policy: PolicyInfo | None, team_calendar_id: int | None
    ) -> BusinessCalendar:
        calendar_id = (policy.calendar_id if policy else None) or team_calendar_id
        return self.calendars.get(calendar_id, ALWAYS_OPEN) if calendar_id else ALWAYS_OPEN


def target_of(policy: PolicyInfo) -> SlaTarget:
    """The policy's targets, held within MAX_TARGET_MINUTES: the API refuses more, and a row
    set beyond it by plain SQL must not stall (or fail) every intake of its kind."""
    return SlaTarget(
        first_response_minutes=min(max(policy.first_response_minutes, 0), MAX_TARGET_MINUTES),
        resolution_minutes=min(max(policy.resolution_minutes, 0), MAX_TARGET_MINUTES),
        at_risk_fraction=min(max(policy.at_risk_fraction, 0.0), 1.0),
    )


class Clocked(Protocol):
    """What the clock reads and writes: a Case, or a case row about to be inserted."""

    kind: str
    priority: int
    triaged_at: datetime | None
    legal_deadline: datetime | None
    sla_paused_minutes: float
    sla_policy_id: int | None
    first_response_due_at: datetime | None
    first_response_at_risk_at: datetime | None
    resolution_due_at: datetime | None
    resolution_at_risk_at: datetime | None


def apply_clock(case: Clocked, book: SlaBook, team_calendar_id: int | None) -> None:
    """(Re)compute the case's due and at-risk instants from its policy, start and pauses."""
    policy = book.policy(case.kind, case.priority)
    case.sla_policy_id = policy.id if policy else None
    if policy is None or case.triaged_at is None:
        return
    calendar = book.calendar_for(policy, team_calendar_id)
    due: SlaDue = start_clock(
        calendar, target_of(policy), case.triaged_at, hard_deadline=case.legal_deadline,
        paused_minutes=case.sla_paused_minutes or 0.0,
    )
    _set_due(case, due)


def _set_due(case: Clocked, due: SlaDue) -> None:
    case.first_response_due_at = due.first_response_due_at
    case.first_response_at_risk_at = due.first_response_at_risk_at
    case.resolution_due_at = due.resolution_due_at
    case.resolution_at_risk_at = due.resolution_at_risk_at


def pause(case: Case, at: datetime) -> None:
    if case.sla_paused_at is None:
        case.sla_paused_at = at


def resume(case: Case, book: SlaBook, team_calendar_id: int | None, at: datetime) -> None:
    """Move the not-yet-reached instants by the paused working time, and count it."""
    paused_at = case.sla_paused_at
    if paused_at is None:
        return
    case.sla_paused_at = None
    policy = book.policy(case.kind, case.priority)
    if policy is None or case.resolution_due_at is None:
        return
    calendar = book.calendar_for(policy, team_calendar_id)
    case.sla_paused_minutes = (case.sla_paused_minutes or 0.0) + max(
        0.0, calendar.working_minutes(paused_at, at)
    )
    assert case.first_response_due_at and case.resolution_at_risk_at
    assert case.first_response_at_risk_at
    due = resume_clock(
        calendar,
        SlaDue(case.first_response_due_at, case.resolution_due_at, case.resolution_at_risk_at,
               case.first_response_at_risk_at),
        paused_at, max(at, paused_at), hard_deadline=case.legal_deadline,
    )
    _set_due(case, due)


def finished_at(case: Case) -> datetime | None:
    """When the case's resolution clock stopped for good: decided, else closed or merged
    (a merge sets closed_at); a finished case without either instant stops at its last
    change."""
    if case.decided_at is not None:
        return case.decided_at
    if case.closed_at is not None:
        return case.closed_at
    if case.status in ("closed", "merged"):
        return case.updated_at
    return None


def resolution_clock(case: Case, now: datetime | None = None) -> ClockReading:
    """The resolution clock every surface shows (see sla.clock.clock_state)."""
    return clock_state(
        due_at=case.resolution_due_at, at_risk_at=case.resolution_at_risk_at,
        now=now or utcnow(), paused_at=case.sla_paused_at, done_at=finished_at(case),
    )


def first_response_clock(case: Case, now: datetime | None = None) -> ClockReading:
    """First response is done when the desk first answered; a case finished without an
    answer stops this clock at its finish too, so it never ticks on a closed case."""
    return clock_state(
        due_at=case.first_response_due_at, at_risk_at=case.first_response_at_risk_at,
        now=now or utcnow(), paused_at=case.sla_paused_at,
        done_at=case.first_responded_at or finished_at(case),
    )


def resolution_state(case: Case, now: datetime | None = None) -> SlaState | None:
    return resolution_clock(case, now).state


def first_response_state(case: Case, now: datetime | None = None) -> SlaState | None:
    return first_response_clock(case, now).state
