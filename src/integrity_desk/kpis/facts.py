"""Writing the KPI facts as cases move (called by the cases service, inside its transaction).

Each call is one statement and reads nothing: the person's team and vendor are read inside
the INSERT, as work intervals do. A resolution is the decision that stops the resolution
clock; a closure is the case leaving the backlog (closed, or merged into another case). A
merge is a closure but not a resolution: the case it joined carries the work on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.kpis.models import CaseOutcome
from integrity_desk.people.models import Team, User

REOPEN_WINDOW = timedelta(days=30)


def _by(session: Session, person_id: int | None) -> dict[str, Any]:
    if person_id is None:
        return {"person_id": None, "team_id": None, "vendor_id": None}
    team = select(User.team_id).where(User.id == person_id).scalar_subquery()
    vendor = (select(Team.vendor_id).join(User, User.team_id == Team.id)
              .where(User.id == person_id).scalar_subquery())
    return {"person_id": person_id, "team_id": team, "vendor_id": vendor}


def _met(done: datetime, due: datetime | None) -> bool | None:
    return None if due is None else done <= due


def resolved(session: Session, case: Case, *, person_id: int | None, now: datetime) -> None:
    """The case was decided at ``now`` by ``person_id`` (its holder, or whoever decided)."""
    session.execute(insert(CaseOutcome).values(
        case_id=case.id, event="resolved", at=now, queue_id=case.queue_id, kind=case.kind,
        priority=case.priority, changed_at=now,
        first_response_met=_met(case.first_responded_at or now, case.first_response_due_at),
        resolution_met=_met(now, case.resolution_due_at), **_by(session, person_id)))


def closed(session: Session, case: Case, *, person_id: int | None, now: datetime) -> None:
    session.execute(insert(CaseOutcome).values(
        case_id=case.id, event="closed", at=now, queue_id=case.queue_id, kind=case.kind,
        priority=case.priority, changed_at=now, reopen_window_ends_at=now + REOPEN_WINDOW,
        **_by(session, person_id)))


def reopened(session: Session, case_id: int, *, now: datetime) -> None:
    session.execute(
        update(CaseOutcome)
        .where(CaseOutcome.case_id == case_id, CaseOutcome.event == "closed",
               CaseOutcome.reopened_at.is_(None))
        .values(reopened_at=now, changed_at=now)
        .execution_options(synchronize_session=False))


def revised(session: Session, case_id: int, *, now: datetime) -> None:
    """A decided case went back to work: its resolution no longer counts (the next one will)."""
    session.execute(
        update(CaseOutcome)
        .where(CaseOutcome.case_id == case_id, CaseOutcome.event == "resolved",
               CaseOutcome.revised_at.is_(None))
        .values(revised_at=now, changed_at=now)
        .execution_options(synchronize_session=False))
