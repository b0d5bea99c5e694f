"""What a staffing plan reads from the desk: each queue's arrivals per hour, its handling time,
its service target, its team's calendar, and when each person of the team is on shift.

A fixed number of statements whatever the number of queues and people: one for the arrivals
of every queue (grouped by hour in SQL, over ix_cases_created), one for the mix of kinds and
priorities, the KPI table for handling times, one each for queues, contracts, policies,
calendars, people and their exceptions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.kpis import service as kpis
from integrity_desk.kpis.domain import Dimension, Grain, Measure, Period
from integrity_desk.people.models import (
    WORKING_ROLES,
    ShiftException,
    Team,
    User,
    Vendor,
    VendorContract,
)
from integrity_desk.people.shifts import ExceptionSpan, shift_spans
from integrity_desk.routing.models import Queue
from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.sla.service import ALWAYS_OPEN, to_calendar

DEFAULT_AHT_MINUTES = 30.0  # a queue with no handled case and no contract figure
DEFAULT_LEVEL = 0.9  # the share of work to start within target, where no contract says
AHT_WEEKS = 4  # the handling time is the last four weeks' average
HISTORY_WEEKS = 8  # the arrivals a forecast learns from


@dataclass
class QueueFacts:
    """One queue as the plan needs it."""

    id: int
    slug: str
    name: str
    team_id: int | None
    team: str
    vendor_id: int | None
    vendor: str  # "internal" for the desk's own teams
    calendar: BusinessCalendar
    aht_minutes: float
    aht_source: str
    target_minutes: float  # the wait the service level counts against (first response)
    target_source: str
    level: float  # the share of work to start within the target
    level_source: str
    arrivals: list[float] = field(default_factory=list)  # per hour, oldest first


def hour_sql(session: Session, column: Any) -> Any:
    """The UTC hour of a timestamp column, as SQL on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone(literal_column("'UTC'"), column))
    # SQLite keeps UTC as text, 'YYYY-MM-DD HH:MM:SS.ffffff' (db.UTCDateTime).
    return func.substr(column, literal_column("1"), literal_column("13"))


def _as_hour(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.strptime(str(value), "%Y-%m-%d %H").replace(tzinfo=UTC)


def arrivals(session: Session, start: datetime, end: datetime) -> dict[int, list[float]]:
    """Cases created per queue in each hour of ``[start, end)`` (both whole UTC hours)."""
    hours = int((end - start).total_seconds() // 3600)
    hour = hour_sql(session, Case.created_at)
    out: dict[int, list[float]] = defaultdict(lambda: [0.0] * hours)
    for queue_id, at, n in session.execute(
            select(Case.queue_id, hour, func.count())
            .where(Case.created_at >= start, Case.created_at < end,
                   Case.queue_id.is_not(None))
            .group_by(Case.queue_id, hour)):
        index = int((_as_hour(at) - start).total_seconds() // 3600)
        if 0 <= index < hours:
            out[queue_id][index] = float(n)
    return dict(out)


def queues(session: Session, *, now: datetime, history_start: datetime) -> list[QueueFacts]:
    """The active queues with their team, vendor, calendar, handling time and target."""
    rows = session.execute(select(Queue, Team, Vendor)
                           .outerjoin(Team, Team.id == Queue.team_id)
                           .outerjoin(Vendor, Vendor.id == Team.vendor_id)
                           .where(Queue.active).order_by(Queue.position, Queue.id)).all()
    calendars = {c.id: to_calendar(c) for c in session.scalars(select(SlaCalendar))}
    contracts = _contracts(session, now.date())
    aht = _aht(session, now)
    policies = {(p.kind, p.priority): p.first_response_minutes
                for p in session.scalars(select(SlaPolicy))}
    mix = _mix(session, history_start)
    out = []
    for queue, team, vendor in rows:
        contract = contracts.get(vendor.id) if vendor else None
        minutes, aht_source = aht.get(queue.id, (None, ""))
        if minutes is None and contract and contract.aht_minutes:
            minutes, aht_source = contract.aht_minutes, f"{vendor.name}'s contract"
        if minutes is None:
            minutes, aht_source = DEFAULT_AHT_MINUTES, "no handled case yet: the desk's default"
        target, target_source = _target(queue, mix.get(queue.id), policies)
        level, level_source = DEFAULT_LEVEL, "the desk's default"
        if contract and contract.first_response_attainment:
            level = contract.first_response_attainment
            level_source = f"{vendor.name}'s contract (first response)"
        out.append(QueueFacts(
            id=queue.id, slug=queue.slug, name=queue.name,
            team_id=team.id if team else None, team=team.name if team else "no team",
            vendor_id=vendor.id if vendor else None,
            vendor=vendor.name if vendor else "internal",
            calendar=calendars.get(team.calendar_id, ALWAYS_OPEN)
            if team and team.calendar_id else ALWAYS_OPEN,
            aht_minutes=float(minutes), aht_source=aht_source, target_minutes=float(target),
            target_source=target_source, level=level, level_source=level_source))
    return out


def _contracts(session: Session, today: date) -> dict[int, VendorContract]:
    """Each vendor's contract in force today."""
    found: dict[int, VendorContract] = {}
    for c in session.scalars(select(VendorContract).where(
            VendorContract.starts_on <= today).order_by(VendorContract.starts_on)):
        if c.ends_on is None or c.ends_on >= today:
            found[c.vendor_id] = c
    return found


def _aht(session: Session, now: datetime) -> dict[int, tuple[float | None, str]]:
    """Each queue's average handling time over the last weeks (the KPI's own figure)."""
    today = now.astimezone(UTC).date()
    period = Period(today - timedelta(weeks=AHT_WEEKS), today + timedelta(days=1), Grain.DAY)
    table = kpis.table(session, viewer=None, period=period, dimension=Dimension.QUEUE,
                       now=now)
    out: dict[int, tuple[float | None, str]] = {}
    for row in table.rows:
        figure = row.figures.get(Measure.AHT)
        value = getattr(figure, "value", None)
        if value and row.key.isdigit():
            out[int(row.key)] = (float(value), f"the queue's KPI, last {AHT_WEEKS} weeks")
    return out


def _mix(session: Session, since: datetime) -> dict[int, Counter[tuple[str, int]]]:
    mix: dict[int, Counter[tuple[str, int]]] = defaultdict(Counter)
    for queue_id, kind, priority, n in session.execute(
            select(Case.queue_id, Case.kind, Case.priority, func.count())
            .where(Case.created_at >= since, Case.queue_id.is_not(None))
            .group_by(Case.queue_id, Case.kind, Case.priority)):
        mix[queue_id][(kind, priority)] += n
    return mix


def _target(queue: Queue, mix: Counter[tuple[str, int]] | None,
            policies: dict[tuple[str, int], int]) -> tuple[int, str]:
    """The first-response target of the queue's commonest kind and priority (of its kinds at
    normal priority when it has no history)."""
    if mix:
        (kind, priority), _ = mix.most_common(1)[0]
        if (kind, priority) in policies:
            return policies[(kind, priority)], f"{kind} at priority {priority}, its commonest work"
    for kind in queue.kinds or []:
        if (kind, 2) in policies:
            return policies[(kind, 2)], f"{kind} at priority 2 (no history)"
    return 240, "no SLA policy for its kinds: four hours"


def on_shift(session: Session, team_ids: list[int], start: datetime, hours: int
             ) -> tuple[dict[int, list[float]], dict[int, int]]:
    """People on shift per team in each hour (fractions for part hours), from the same rules
    routing uses (people.shifts: weekly pattern in the person's time zone, extra shifts, leave,
    sickness, training), and how many of each team have no pattern (counted as on shift
    throughout, as routing treats them)."""
    end = start + timedelta(hours=hours)
    people = list(session.scalars(select(User).where(
        User.team_id.in_(team_ids), User.active, User.role.in_(sorted(WORKING_ROLES)))))
    exceptions: dict[int, list[ExceptionSpan]] = defaultdict(list)
    if people:
        for e in session.scalars(select(ShiftException).where(
                ShiftException.user_id.in_([p.id for p in people]),
                ShiftException.ends_at > start, ShiftException.starts_at < end)):
            exceptions[e.user_id].append(ExceptionSpan(e.kind, e.starts_at, e.ends_at))
    totals: dict[int, list[float]] = {t: [0.0] * hours for t in team_ids}
    unscheduled: dict[int, int] = dict.fromkeys(team_ids, 0)
    for person in people:
        team = person.team_id or 0
        if not person.shift_pattern:
            unscheduled[team] += 1
        for s, e in shift_spans(person.shift_pattern or {}, person.time_zone or "UTC",
                                exceptions[person.id], start, end):
            _spread(totals[team], start, s, e)
    return totals, unscheduled


def _spread(hours: list[float], start: datetime, s: datetime, e: datetime) -> None:
    """Add the span [s, e) to the hours it covers, a fraction where it covers part of one."""
    first = (s - start).total_seconds() / 3600
    last = (e - start).total_seconds() / 3600
    h = int(first)
    while h < last and h < len(hours):
        hours[h] += min(last, h + 1) - max(first, h)
        h += 1
