"""Each KPI's counts computed from the desk's own records, per UTC day: the one definition the
rollup stores and a from-scratch figure recomputes (docs/kpis.md says which record each reads).

* inflow — cases by ``created_at`` (ix_cases_created);
* outflow and reopens — closures in ``case_outcomes`` (ix_case_outcomes_at);
* SLA attainment — resolutions in ``case_outcomes`` not since revised;
* AHT and occupancy — work intervals overlapping the days (started in them, ended in them, or
  open), cut at each UTC midnight and at ``now``; the shifts, exceptions and availability
  changes of the people who work;
* overturns — appeal outcomes decided in the days, attributed to the contested decision's
  decider, their team and vendor then (their work interval on the case), and its guideline;
* QA accuracy — QA items judged in the days (``qa_items.reviewed_at``), as their verdict now
  stands, under the facts the item keeps of its decision (decider, team and vendor then).

Everything is grouped in SQL where the grouping is by columns; what needs a calendar (cutting
intervals at midnights, shifts in a person's time zone) is done here in Python over the rows of
the days asked, never over history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from integrity_desk.cases.models import Case
from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.kpis import funnel_counts
from integrity_desk.kpis.domain import Dimension, Fanned, keys_of
from integrity_desk.kpis.models import CaseOutcome
from integrity_desk.people.models import (
    WORKING_ROLES,
    AvailabilityChange,
    ShiftException,
    Team,
    User,
)
from integrity_desk.people.shifts import (
    ExceptionSpan,
    Span,
    intersect,
    minus,
    seconds,
    shift_spans,
)
from integrity_desk.quality.models import QaItem
from integrity_desk.routing.models import Queue, WorkInterval

_DAY = timedelta(days=1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day_sql(session: Session, column: Any) -> Any:
    """The UTC day of a timestamp column, as SQL on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(literal_column("'UTC'"), column))
    # SQLite keeps UTC as text, 'YYYY-MM-DD HH:MM:SS.ffffff' (db.UTCDateTime).
    return func.substr(column, literal_column("1"), literal_column("10"))


def as_day(value: Any) -> date:
    """A day as either backend's UTC-day expression returns it (a date, or ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _ones(clause: Any) -> Any:
    return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)


@dataclass
class Days:
    """The counts of each day of ``[first, end)``, by dimension value."""

    by_day: dict[date, Fanned]

    def of(self, day: date) -> Fanned:
        return self.by_day.setdefault(day, Fanned())


def counts(session: Session, first: date, end: date, now: datetime) -> Days:
    """Every additive count of the days ``[first, end)`` (a day not yet over counts up to
    ``now``)."""
    days = Days({})
    start, stop = midnight(first), midnight(end)
    _inflow(session, days, start, stop)
    _outcomes(session, days, start, stop)
    _appeals(session, days, start, stop)
    _qa(session, days, start, stop)
    funnel_counts.count(session, lambda d: days.of(as_day(d)), start, stop, now,
                        lambda column: utc_day_sql(session, column))
    busy = _work(session, days, start, min(stop, now))
    _availability(session, days, start, min(stop, now), busy)
    return days


def _inflow(session: Session, days: Days, start: datetime, stop: datetime) -> None:
    day = utc_day_sql(session, Case.created_at)
    rows = session.execute(
        select(day, Case.queue_id, Case.kind, Case.priority, Queue.team_id, Team.vendor_id,
               func.count())
        .select_from(Case).outerjoin(Queue, Queue.id == Case.queue_id)
        .outerjoin(Team, Team.id == Queue.team_id)
        .where(Case.created_at >= start, Case.created_at < stop)
        .group_by(day, Case.queue_id, Case.kind, Case.priority, Queue.team_id, Team.vendor_id))
    for d, queue, kind, priority, team, vendor, n in rows:
        days.of(as_day(d)).add(keys_of(queue_id=queue, kind=kind, priority=priority,
                                     team_id=team, vendor_id=vendor), inflow=n)


def _outcomes(session: Session, days: Days, start: datetime, stop: datetime) -> None:
    o = CaseOutcome
    day = utc_day_sql(session, o.at)
    live = or_(o.event == "closed", o.revised_at.is_(None))
    rows = session.execute(
        select(day, o.event, o.queue_id, o.kind, o.priority, o.team_id, o.vendor_id,
               o.person_id, func.count(),
               _ones(and_(o.reopened_at.is_not(None),
                          o.reopened_at <= o.reopen_window_ends_at)),
               _ones(o.resolution_met.is_not(None)), _ones(o.resolution_met.is_(True)),
               _ones(o.first_response_met.is_not(None)), _ones(o.first_response_met.is_(True)))
        .where(o.at >= start, o.at < stop, live)
        .group_by(day, o.event, o.queue_id, o.kind, o.priority, o.team_id, o.vendor_id,
                  o.person_id))
    for (d, event, queue, kind, priority, team, vendor, person, n, reopened, r_timed, r_met,
         f_timed, f_met) in rows:
        keys = keys_of(queue_id=queue, kind=kind, priority=priority, team_id=team,
                       vendor_id=vendor, person_id=person)
        if event == "closed":
            days.of(as_day(d)).add(keys, outflow=n, reopened=reopened)
        else:
            days.of(as_day(d)).add(keys, resolved=n, resolution_timed=r_timed,
                                 resolution_met=r_met, first_response_timed=f_timed,
                                 first_response_met=f_met)


def decider_then(contested: Any) -> tuple[Any, Any]:
    """The team and vendor (scalar subqueries) of a contested decision's decider when they
    decided: their interval on the case that the decision ended (or, failing that, their
    latest one before it) — the one attribution of an overturn, never today's team."""
    w = WorkInterval
    then = (select(w.team_id, w.vendor_id)
            .where(w.case_id == contested.case_id, w.user_id == contested.decided_by_id,
                   w.started_at <= contested.decided_at)
            .order_by(w.started_at.desc(), w.id.desc()).limit(1))
    return (then.with_only_columns(w.team_id).scalar_subquery(),
            then.with_only_columns(w.vendor_id).scalar_subquery())


def _appeals(session: Session, days: Days, start: datetime, stop: datetime) -> None:
    appeal, contested = aliased(Decision), aliased(Decision)
    team, vendor = decider_then(contested)
    rows = session.execute(
        select(appeal.decided_at, appeal.outcome, contested.decided_by_id, team, vendor,
               Guideline.code, Case.queue_id, Case.kind, Case.priority)
        .select_from(appeal)
        .join(contested, contested.id == appeal.appeal_of_id)
        .join(Case, Case.id == contested.case_id)
        .outerjoin(Guideline, Guideline.id == contested.guideline_id)
        .where(appeal.kind == "appeal_outcome", appeal.decided_at >= start,
               appeal.decided_at < stop))
    for decided_at, outcome, person, team_id, vendor_id, code, queue, kind, priority in rows:
        keys = keys_of(queue_id=queue, kind=kind, priority=priority, team_id=team_id,
                       vendor_id=vendor_id, person_id=person, guideline=code)
        days.of(decided_at.astimezone(UTC).date()).add(
            keys, appeals_decided=1, overturned=int(outcome == "overturned"),
            partly_overturned=int(outcome == "partly_overturned"))


def _qa(session: Session, days: Days, start: datetime, stop: datetime) -> None:
    q = QaItem
    day = utc_day_sql(session, q.reviewed_at)
    rows = session.execute(
        select(day, q.queue_id, q.kind, q.priority, q.team_id, q.vendor_id, q.person_id,
               q.guideline, func.count(), _ones(q.correct.is_(True)))
        .where(q.reviewed_at >= start, q.reviewed_at < stop, q.correct.is_not(None))
        .group_by(day, q.queue_id, q.kind, q.priority, q.team_id, q.vendor_id, q.person_id,
                  q.guideline))
    for d, queue, kind, priority, team, vendor, person, guideline, n, correct in rows:
        days.of(as_day(d)).add(keys_of(queue_id=queue, kind=kind, priority=priority,
                                       team_id=team, vendor_id=vendor, person_id=person,
                                       guideline=guideline), qa_reviewed=n, qa_correct=correct)


def qa_changed_days(session: Session, since: datetime, before: date) -> set[date]:
    """Days of review of the QA items whose verdict changed since ``since`` (a dispute
    settled) and that were reviewed before ``before``."""
    day = utc_day_sql(session, QaItem.reviewed_at)
    rows = session.execute(select(day).where(
        QaItem.changed_at >= since, QaItem.reviewed_at < midnight(before)).distinct())
    return {as_day(d) for (d,) in rows}


def _split(start: datetime, end: datetime) -> Iterable[tuple[date, datetime, datetime]]:
    """A span cut at UTC midnights."""
    while start < end:
        day = start.astimezone(UTC).date()
        cut = min(end, midnight(day + _DAY))
        yield day, start, cut
        start = cut


@dataclass(frozen=True)
class _Person:
    team_id: int | None
    vendor_id: int | None


def _work(session: Session, days: Days, start: datetime, until: datetime
          ) -> dict[int, list[Span]]:
    """Handling time (each interval cut at midnights) and cases handled (work ended by a
    decision); returns each person's intervals within the days, for occupancy."""
    if until <= start:
        return {}
    w = WorkInterval
    overlapping = or_(and_(w.started_at >= start, w.started_at < until),
                      and_(w.started_at < start, w.ended_at > start),
                      and_(w.started_at < start, w.ended_at.is_(None)))
    rows = session.execute(
        select(w.user_id, w.team_id, w.vendor_id, w.started_at, w.ended_at, w.end_reason,
               Case.queue_id, Case.kind, Case.priority)
        .join(Case, Case.id == w.case_id).where(overlapping))
    held: dict[int, list[Span]] = defaultdict(list)
    for user, team, vendor, began, ended, reason, queue, kind, priority in rows:
        keys = keys_of(queue_id=queue, kind=kind, priority=priority, team_id=team,
                       vendor_id=vendor, person_id=user)
        lo = max(began, start)
        hi = until if ended is None or ended > until else ended
        for day, s, e in _split(lo, hi):
            days.of(day).add(keys, handling_seconds=(e - s).total_seconds())
        if lo < hi:
            held[user].append((lo, hi))
        if reason == "decided" and ended is not None and start <= ended < until:
            days.of(ended.astimezone(UTC).date()).add(keys, handled=1)
    return held


def _availability_spans(changes: list[tuple[datetime, str, str | None]], current: str,
                        start: datetime, until: datetime) -> list[Span]:
    """When the person's availability was "available" within ``[start, until)``, from their
    changes in order (the state before the first change is that change's ``previous``; with
    no change at all, the state they are in now)."""
    state = changes[0][2] if changes else current
    spans: list[Span] = []
    at = start
    for changed_at, status, _ in changes:
        if changed_at > at and state == "available":
            spans.append((at, min(changed_at, until)))
        at = max(at, changed_at)
        state = status
    if at < until and state == "available":
        spans.append((at, until))
    return spans


def _availability(session: Session, days: Days, start: datetime, until: datetime,
                  held: dict[int, list[Span]]) -> None:
    """Busy time (holding at least one case, on shift) and available idle time on shift, per
    person per day: occupancy = busy ÷ (busy + available idle). People who neither worked nor could
    have (no shift, never available) count nothing."""
    if until <= start:
        return
    people = session.execute(
        select(User.id, User.team_id, Team.vendor_id, User.shift_pattern, User.time_zone,
               User.availability)
        .outerjoin(Team, Team.id == User.team_id)
        .where(or_(User.active.is_(True), User.id.in_(list(held) or [0])),
               User.role.in_(sorted(WORKING_ROLES)))).all()
    ids = [p[0] for p in people]
    if not ids:
        return
    before: dict[int, tuple[datetime, str, str | None]] = {}
    changes: dict[int, list[tuple[datetime, str, str | None]]] = defaultdict(list)
    a = AvailabilityChange
    # The last change before the period gives the state it starts in.
    last_before = (select(a.user_id, func.max(a.changed_at).label("at"))
                   .where(a.changed_at < start, a.user_id.in_(ids)).group_by(a.user_id)
                   .subquery())
    for user, _at, status in session.execute(
            select(a.user_id, a.changed_at, a.status)
            .join(last_before, and_(last_before.c.user_id == a.user_id,
                                    last_before.c.at == a.changed_at))):
        before[user] = (start, status, status)
    for user, changed_at, status, previous in session.execute(
            select(a.user_id, a.changed_at, a.status, a.previous)
            .where(a.user_id.in_(ids), a.changed_at >= start, a.changed_at < until)
            .order_by(a.changed_at, a.id)):
        changes[user].append((changed_at, status, previous))
    exceptions: dict[int, list[ExceptionSpan]] = defaultdict(list)
    for e in session.scalars(select(ShiftException).where(
            ShiftException.user_id.in_(ids), ShiftException.starts_at < until,
            ShiftException.ends_at > start)):
        exceptions[e.user_id].append(ExceptionSpan(e.kind, e.starts_at, e.ends_at))
    for user, team, vendor, pattern, zone, current in people:
        history = changes.get(user, [])
        if user in before:
            history = [before[user], *history]
        ready = _availability_spans(history, current, start, until)
        shift = shift_spans(pattern or {}, zone or "UTC", exceptions.get(user, []),
                            start, until)
        # Holding a case overnight is not working it: busy time counts on shift only.
        busy = intersect(held.get(user, []), shift)
        idle = minus(intersect(shift, ready), busy)
        if not busy and not idle:
            continue
        keys = keys_of(team_id=team, vendor_id=vendor, person_id=user)
        for day, s, e in _split(start, until):
            window = [(s, e)]
            b, i = seconds(intersect(busy, window)), seconds(intersect(idle, window))
            if b or i:
                days.of(day).add(keys, busy_seconds=b, available_seconds=i)


__all__ = ["Days", "Dimension", "as_day", "counts", "decider_then", "midnight",
           "qa_changed_days", "utc_day_sql"]
