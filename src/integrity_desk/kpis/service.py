"""Reading the KPIs: a period's figures per dimension value, from the daily rollup.

A period is the sum of its days' counts and the backlog of its last day so far; a page or an
API call reads at most one row per day per dimension value (ix_kpi_days_dimension), whatever
the number of cases behind it. The rollup is brought up to date first when it is older than
``max_age`` (the worker normally keeps it fresh), so a figure is never older than that.

Who sees what: the figures are the desk's, not any case's, so ``kpi.read`` sees every queue's
and team's; only the breakdown by person is personal data, for managers (``Dimension.PERSON``
is refused to everyone else, who see no names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from integrity_desk.decisions.models import Guideline
from integrity_desk.errors import Forbidden
from integrity_desk.kpis import rollup
from integrity_desk.kpis.domain import (
    COUNT_FIELDS,
    DESK_KEY,
    INTERNAL,
    NO_BACKLOG,
    PERSONAL,
    Backlog,
    Counts,
    Dimension,
    Figure,
    Measure,
    Period,
    figures,
)
from integrity_desk.kpis.models import KpiDay
from integrity_desk.people.models import Role, Team, User, Vendor
from integrity_desk.routing.models import Queue

MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})


@dataclass
class KpiRow:
    """One dimension value's figures over a period."""

    key: str
    label: str
    counts: Counts
    backlog: Backlog
    figures: dict[Measure, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiTable:
    period: Period
    dimension: Dimension
    as_of: datetime | None
    rows: list[KpiRow]

    def row(self, key: str) -> KpiRow | None:
        return next((r for r in self.rows if r.key == key), None)


def check_dimension(viewer: User, dimension: Dimension) -> None:
    if dimension in PERSONAL and Role(viewer.role) not in MANAGERS:
        raise Forbidden("figures by person are for managers (personal data)")


def fresh(session: Session, *, now: datetime, max_age: timedelta) -> datetime:
    """The rollup's time, after bringing it up to date when older than ``max_age``."""
    seen = rollup.last_run(session)
    if seen is None or now - seen > max_age:
        rollup.run(session, now=now, max_age=max_age)
        return rollup.last_run(session) or now
    return seen


def _last_day(period: Period, today: date) -> date | None:
    last = min(period.end - timedelta(days=1), today)
    return last if last >= period.start else None


def table(session: Session, *, viewer: User | None, period: Period, dimension: Dimension,
          now: datetime, as_of: datetime | None = None, keys: list[str] | None = None
          ) -> KpiTable:
    """Every value of ``dimension`` with any count in ``period`` or any backlog at its end.
    ``viewer`` None: the desk itself (the weekly report, which shows no person)."""
    if viewer is not None:
        check_dimension(viewer, dimension)
    today = now.astimezone(UTC).date()
    sums = [func.coalesce(func.sum(getattr(KpiDay, name)), 0) for name in COUNT_FIELDS]
    where = [KpiDay.dimension == dimension.value, KpiDay.day >= period.start,
             KpiDay.day < period.end]
    if keys is not None:
        where.append(KpiDay.key.in_(keys))
    counted = {row[0]: Counts(**dict(zip(COUNT_FIELDS, row[1:], strict=True)))
               for row in session.execute(select(KpiDay.key, *sums).where(*where)
                                          .group_by(KpiDay.key))}
    backlogs: dict[str, Backlog] = {}
    last = _last_day(period, today)
    if last is not None:
        for r in session.scalars(select(KpiDay).where(*where[:1], KpiDay.day == last,
                                                      *where[3:])):
            backlogs[r.key] = Backlog(r.backlog, r.age_p50_hours, r.age_p90_hours,
                                      r.age_max_hours, r.sla_age_p50_hours,
                                      r.sla_age_p90_hours, r.sla_age_max_hours)
    all_keys = sorted(set(counted) | {k for k, b in backlogs.items() if b.open})
    labels = _labels(session, dimension, all_keys)
    # A value without a backlog row had no open case, if that day's backlog was recorded.
    none_open = Backlog(0 if any(b.open is not None for b in backlogs.values()) else None)
    if dimension in NO_BACKLOG:
        none_open = Backlog(None, missing=f"the backlog is not kept by {dimension.value}")
    rows = []
    for key in all_keys:
        counts, backlog = counted.get(key, Counts()), backlogs.get(key, none_open)
        rows.append(KpiRow(key, labels.get(key, key), counts, backlog,
                           figures(counts, backlog)))
    rows.sort(key=lambda r: r.label.lower())
    return KpiTable(period, dimension, as_of, rows)


def _ids(keys: list[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def _labels(session: Session, dimension: Dimension, keys: list[str]) -> dict[str, str]:
    """What each key is called where people read it (queue and team names, P0–P4, …)."""
    if dimension == Dimension.DESK:
        return {DESK_KEY: "Whole desk"}
    if dimension == Dimension.PRIORITY:
        return {k: f"P{k}" for k in keys}
    if dimension in (Dimension.KIND, Dimension.GUIDELINE):
        if dimension == Dimension.GUIDELINE and keys:
            titles = dict(session.execute(select(Guideline.code, Guideline.title)
                                          .where(Guideline.code.in_(keys),
                                                 Guideline.is_current.is_(True))).all())
            return {k: f"{k} — {titles[k]}" if k in titles else k for k in keys}
        return {k: k.replace("_", " ") for k in keys}
    if dimension == Dimension.VENDOR_QUEUE:
        vendors = _labels(session, Dimension.VENDOR, [k.split(":")[0] for k in keys])
        queues = _labels(session, Dimension.QUEUE, [k.split(":")[1] for k in keys])
        return {k: f"{vendors.get(k.split(':')[0], '?')} · {queues.get(k.split(':')[1], '?')}"
                for k in keys}
    model = {Dimension.QUEUE: Queue, Dimension.TEAM: Team, Dimension.VENDOR: Vendor,
             Dimension.PERSON: User}[dimension]
    names = {str(i): n for i, n in session.execute(
        select(model.id, model.name).where(model.id.in_(_ids(keys))))}
    if dimension == Dimension.VENDOR:
        names[INTERNAL] = "In-house teams"
    return names


def trend(session: Session, *, viewer: User | None, periods: list[Period],
          dimension: Dimension, key: str, now: datetime) -> list[KpiRow]:
    """One dimension value's figures over consecutive periods (a 12-week trend), oldest
    first, in two statements (the days' counts, the closing backlogs); a period without any
    count is a row of zeros and "no data"."""
    if viewer is not None:
        check_dimension(viewer, dimension)
    if not periods:
        return []
    today = now.astimezone(UTC).date()
    where = [KpiDay.dimension == dimension.value, KpiDay.key == key,
             KpiDay.day >= periods[0].start, KpiDay.day < periods[-1].end]
    per_day = {row[0]: Counts(**dict(zip(COUNT_FIELDS, row[1:], strict=True)))
               for row in session.execute(select(KpiDay.day, *[
                   getattr(KpiDay, name) for name in COUNT_FIELDS]).where(*where))}
    lasts = {p: _last_day(p, today) for p in periods}
    closing: dict[date, Backlog] = {}
    recorded: set[date] = set()  # days whose backlog was recorded (the desk's row says)
    for r in session.scalars(select(KpiDay).where(
            KpiDay.day.in_([d for d in lasts.values() if d is not None]),
            or_(and_(*where[:2]), and_(KpiDay.dimension == Dimension.DESK.value,
                                       KpiDay.key == DESK_KEY)))):
        if r.dimension == Dimension.DESK.value and r.backlog is not None:
            recorded.add(r.day)
        if r.dimension == dimension.value and r.key == key:
            closing[r.day] = Backlog(r.backlog, r.age_p50_hours, r.age_p90_hours,
                                     r.age_max_hours, r.sla_age_p50_hours, r.sla_age_p90_hours,
                                     r.sla_age_max_hours)
    label = _labels(session, dimension, [key]).get(key, key)
    out = []
    for period in periods:
        counts = Counts()
        for day in period.days:
            if day in per_day:
                counts.add(per_day[day])
        last = lasts[period]
        backlog = (Backlog(None) if last is None
                   else closing.get(last, Backlog(0 if last in recorded else None)))
        if dimension in NO_BACKLOG:
            backlog = Backlog(None, missing=f"the backlog is not kept by {dimension.value}")
        out.append(KpiRow(key, label, counts, backlog, figures(counts, backlog)))
    return out
