"""A person's working profile: what they work (languages, case kinds, tier, named skills), how
much at once (capacity), when (weekly shifts in their own time zone, with exceptions), and
whether they are there now (availability, every change recorded). Routing reads all of it
through ``readiness_of``; the person page and the Team page show it (docs/workforce.md).

Services flush; the caller commits once. Each change is on the people chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.domain import CaseKind, CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity_desk.people import domain, shifts
from integrity_desk.people.models import (
    Availability,
    AvailabilityChange,
    ShiftException,
    ShiftExceptionKind,
    Team,
    User,
)
from integrity_desk.people.names import named

EDITABLE = ("languages", "kinds", "skills", "max_tier", "capacity", "time_zone",
            "shift_pattern", "team")
# Cases in a person's hands count against their capacity; one waiting on the requester or on
# counsel needs no hands until the answer comes, and counting it would starve the person.
IN_HAND = (CaseStatus.ASSIGNED.value, CaseStatus.IN_PROGRESS.value)
MAX_CAPACITY = 500
# An exception longer than this is a data-entry slip (a year typed wrong), not a leave.
LONGEST_EXCEPTION = timedelta(days=366)


@dataclass(frozen=True)
class Readiness:
    """Whether a person can take work now, with each reason they cannot, in words routing puts
    on the case timeline ("away since 10:02", "at capacity: 5 of 5 cases in hand")."""

    user_id: int
    availability: str
    shift: shifts.ShiftState
    in_hand: int
    capacity: int | None

    @property
    def free(self) -> int | None:
        """Cases the person can still take; None: no limit set."""
        return None if self.capacity is None else max(self.capacity - self.in_hand, 0)

    @property
    def reasons(self) -> list[str]:
        return shifts.not_ready(self.availability, self.shift, self.in_hand, self.capacity)

    @property
    def ready(self) -> bool:
        return not self.reasons


def snapshot(user: User) -> dict[str, Any]:
    return {"languages": list(user.languages), "kinds": list(user.kinds),
            "skills": list(user.skills), "max_tier": user.max_tier, "capacity": user.capacity,
            "time_zone": user.time_zone, "shift_pattern": dict(user.shift_pattern),
            "team": user.team.name if user.team else None}


def _labels(values: Sequence[str], field: str) -> list[str]:
    cleaned = sorted({str(v).strip() for v in values if str(v).strip()})
    for value in cleaned:
        if len(value) > 64:
            raise InvalidInput(f"{value[:20]!r}…: at most 64 characters", field=field)
    return cleaned


def _check(name: str, value: Any, session: Session) -> Any:
    """One field's rule; returns the value to store. Each refusal names the field."""
    if name == "languages":
        return domain.check_languages(list(value or []))
    if name == "kinds":
        kinds = _labels(value or [], name)
        unknown = sorted(set(kinds) - {k.value for k in CaseKind})
        if unknown:
            raise InvalidInput(f"unknown case kind(s) {unknown}; kinds are "
                               f"{', '.join(k.value for k in CaseKind)}", field=name)
        return kinds
    if name == "skills":
        return _labels(value or [], name)
    if name == "max_tier":
        if value not in (1, 2, 3):
            raise InvalidInput("tier is 1, 2 or 3", field=name)
        return value
    if name == "capacity":
        if value is not None and not 1 <= int(value) <= MAX_CAPACITY:
            raise InvalidInput(f"capacity is 1 to {MAX_CAPACITY} cases, or none for no limit",
                               field=name)
        return value
    if name == "time_zone":
        return domain.check_time_zone(value)
    if name == "shift_pattern":
        return domain.check_coverage(value or {}, field=name)
    if name == "team":
        if value is None:
            return None
        return named(session, Team, value, field="team")
    raise InvalidInput(f"cannot change {name}", field=name)


def update_person(session: Session, *, actor: Actor, user: User,
                  changes: Mapping[str, Any]) -> User:
    """Change what a person works, how much and when; audited with before and after."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"cannot change {unknown}", field=unknown[0])
    checked = {name: _check(name, value, session) for name, value in changes.items()}
    before = snapshot(user)
    for name, value in checked.items():
        if name == "team":
            user.team_id, user.team = (value.id, value) if value else (None, None)
        else:
            setattr(user, name, value)
    after = snapshot(user)
    if after != before:
        session.flush()
        record(session, kind="person.changed", category="audit", actor=actor,
               chain_key="people", payload={"user_id": user.id, "before": before,
                                            "after": after})
    return user


def may_change_availability(changer: User, person: User, *, manages: bool) -> None:
    """The person themselves, or a manager (``manages``: the changer holds workforce.manage)."""
    if changer.id != person.id and not manages:
        raise Forbidden("only the person or their manager changes their availability")


def set_availability(session: Session, *, actor: Actor, person: User, status: str,
                     now: datetime, reason: str | None = None) -> AvailabilityChange | None:
    """Record a change of availability; the same status again changes nothing (None)."""
    if status not in {a.value for a in Availability}:
        raise InvalidInput(f"availability is one of {', '.join(a.value for a in Availability)}",
                           field="availability")
    if person.availability == status:
        return None
    change = AvailabilityChange(user_id=person.id, status=status,
                                previous=person.availability, changed_at=now,
                                changed_by_id=actor.id, reason=reason)
    person.availability, person.availability_since = status, now
    session.add(change)
    session.flush()
    record(session, kind="person.availability", category="audit", actor=actor,
           chain_key="people", at=now,
           payload={"user_id": person.id, "before": change.previous, "after": status,
                    "reason": reason})
    return change


def availability_history(session: Session, user_id: int, *, limit: int = 50
                         ) -> list[AvailabilityChange]:
    return list(session.scalars(
        select(AvailabilityChange).where(AvailabilityChange.user_id == user_id)
        .order_by(AvailabilityChange.changed_at.desc(), AvailabilityChange.id.desc())
        .limit(limit)))


def add_exception(session: Session, *, actor: Actor, person: User, kind: str,
                  starts_at: datetime, ends_at: datetime, note: str | None = None
                  ) -> ShiftException:
    """Leave, sickness, training or an extra shift over [starts_at, ends_at)."""
    if kind not in {k.value for k in ShiftExceptionKind}:
        raise InvalidInput(f"kind is one of {', '.join(k.value for k in ShiftExceptionKind)}",
                           field="kind")
    if ends_at <= starts_at:
        raise InvalidInput("an exception ends after it starts", field="ends_at")
    if ends_at - starts_at > LONGEST_EXCEPTION:
        raise InvalidInput("an exception lasts at most a year; enter a longer absence as "
                           "several", field="ends_at")
    exception = ShiftException(user_id=person.id, kind=kind, starts_at=starts_at,
                               ends_at=ends_at, note=note, created_by_id=actor.id)
    session.add(exception)
    session.flush()
    record(session, kind="person.exception_added", category="audit", actor=actor,
           chain_key="people",
           payload={"user_id": person.id, "exception_id": exception.id, "kind": kind,
                    "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                    "note": note})
    return exception


def cancel_exception(session: Session, *, actor: Actor, person: User, exception_id: int,
                     now: datetime) -> None:
    """Remove an exception that has not ended yet; a past one is history and stays."""
    exception = session.scalar(select(ShiftException).where(
        ShiftException.id == exception_id, ShiftException.user_id == person.id))
    if exception is None:
        raise NotFound(f"no exception #{exception_id} for {person.email}", field="exception_id")
    if exception.ends_at <= now:
        raise Conflict("this exception is over: past exceptions stay as they were",
                       field="exception_id")
    session.delete(exception)
    session.flush()
    record(session, kind="person.exception_cancelled", category="audit", actor=actor,
           chain_key="people", at=now,
           payload={"user_id": person.id, "exception_id": exception_id,
                    "kind": exception.kind, "starts_at": exception.starts_at.isoformat(),
                    "ends_at": exception.ends_at.isoformat()})


def exceptions_of(session: Session, user_ids: Sequence[int], *, ending_after: datetime,
                  starting_before: datetime | None = None) -> dict[int, list[ShiftException]]:
    """Each person's exceptions that end after ``ending_after`` (and start before
    ``starting_before`` when given), by start."""
    found: dict[int, list[ShiftException]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return found
    query = select(ShiftException).where(ShiftException.user_id.in_(user_ids),
                                         ShiftException.ends_at > ending_after)
    if starting_before is not None:
        query = query.where(ShiftException.starts_at < starting_before)
    for exception in session.scalars(query.order_by(ShiftException.starts_at,
                                                    ShiftException.id)):
        found[exception.user_id].append(exception)
    return found


def in_hand(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    """Cases each person holds in a working status (one grouped read over
    ix_cases_assignee_status)."""
    counts = {uid: 0 for uid in user_ids}
    if user_ids:
        counts.update(session.execute(  # type: ignore[arg-type]
            select(Case.assignee_id, func.count()).where(
                Case.assignee_id.in_(user_ids), Case.status.in_(IN_HAND))
            .group_by(Case.assignee_id)).all())
    return counts


def readiness_of(session: Session, people: Sequence[User], now: datetime, *,
                 lock: bool = False) -> dict[int, Readiness]:
    """Each person's readiness to take work now, in two reads whatever their number.
    ``lock``: first lock the people's rows until the transaction ends, so that a claim that
    counts their cases in hand and then takes one cannot race another claim of the same person
    past their capacity (PostgreSQL; SQLite has one writer at a time anyway). The lock is a
    statement of its own: a count in the locking statement would read the snapshot taken
    before the wait, and 32 concurrent claimers then pass capacity (tests/routing/
    test_pull_gates.py caught exactly that)."""
    ids = [p.id for p in people]
    if lock and ids:
        session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id)
                        .with_for_update())
    held = in_hand(session, ids)
    current = exceptions_of(session, ids, ending_after=now, starting_before=now)
    return {p.id: Readiness(p.id, p.availability,
                            shifts.shift_state(p.shift_pattern, p.time_zone, [
                                shifts.ExceptionSpan(e.kind, e.starts_at, e.ends_at)
                                for e in current[p.id]], now),
                            held[p.id], p.capacity) for p in people}


def readiness(session: Session, person: User, now: datetime, *, lock: bool = False
              ) -> Readiness:
    return readiness_of(session, [person], now, lock=lock)[person.id]
