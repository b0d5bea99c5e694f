"""The KPIs as pure rules: periods, dimensions, the additive counts of a day, and the figures
made of them (../shared/reference/kpis.md). No session, no I/O.

Every period is half-open, ``[start, end)``, in UTC days: a day, an ISO week (Monday to
Monday) or a calendar month. Every ratio keeps its numerator and denominator, and a ratio over
nothing is "no data", never 0 % or 100 %.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from integrity_desk.errors import InvalidInput


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class Period:
    """``[start, end)`` in UTC days."""

    start: date
    end: date
    grain: Grain

    @property
    def label(self) -> str:
        if self.grain == Grain.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.grain == Grain.MONTH:
            return f"{self.start:%Y-%m}"
        return self.start.isoformat()

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=UTC)

    def previous(self) -> Period:
        return period_of(self.grain, self.start - timedelta(days=1))


def period_of(grain: Grain | str, day: date) -> Period:
    """The period of ``grain`` that holds ``day``."""
    grain = Grain(grain)
    if grain == Grain.DAY:
        return Period(day, day + timedelta(days=1), grain)
    if grain == Grain.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=7), grain)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following, grain)


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str, *, field_name: str = "period") -> Period:
    """``2026-W49`` (ISO week), ``2026-12`` (month) or ``2026-12-07`` (day)."""
    value = (text or "").strip()
    try:
        if m := _WEEK.match(value):
            return period_of(Grain.WEEK, date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := _MONTH.match(value):
            return period_of(Grain.MONTH, date(int(m[1]), int(m[2]), 1))
        return period_of(Grain.DAY, date.fromisoformat(value))
    except ValueError:
        raise InvalidInput(f"{value!r} is not a period: write an ISO week (2026-W49), a month "
                           "(2026-12) or a day (2026-12-07)", field=field_name) from None


def periods_back(grain: Grain | str, count: int, until: date) -> list[Period]:
    """The ``count`` periods of ``grain`` ending with the one holding ``until``, oldest
    first (a 12-week trend)."""
    out = [period_of(grain, until)]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


class Dimension(StrEnum):
    """What a figure is broken down by; ``desk`` is the whole desk (one row, key ``all``)."""

    DESK = "desk"
    QUEUE = "queue"
    KIND = "kind"
    PRIORITY = "priority"
    TEAM = "team"
    VENDOR = "vendor"
    PERSON = "person"
    GUIDELINE = "guideline"
    # A vendor's work in one queue (``<vendor id or internal>:<queue id>``): the volume a
    # contract commits per queue.
    VENDOR_QUEUE = "vendor_queue"
    # The flagging funnel's rows (kpis.funnel): the requester type of a flag or notice, and
    # the category of its case. Only the funnel's counts (and inflow) are kept by these.
    SOURCE = "source"
    CATEGORY = "category"


DESK_KEY = "all"
INTERNAL = "internal"  # the vendor key of work done by the desk's own (non-vendor) teams
PERSONAL = frozenset({Dimension.PERSON})
# Kept without a backlog: an open case has no guideline yet (nor a funnel row).
NO_BACKLOG = frozenset({Dimension.GUIDELINE, Dimension.SOURCE, Dimension.CATEGORY})
FUNNEL_ONLY = frozenset({Dimension.SOURCE, Dimension.CATEGORY})


@dataclass
class Counts:
    """A period's additive counts for one dimension value (kpi_days' columns)."""

    inflow: int = 0
    outflow: int = 0
    reopened: int = 0
    resolved: int = 0
    resolution_timed: int = 0
    resolution_met: int = 0
    first_response_timed: int = 0
    first_response_met: int = 0
    handling_seconds: float = 0.0
    handled: int = 0
    busy_seconds: float = 0.0
    available_seconds: float = 0.0
    appeals_decided: int = 0
    overturned: int = 0
    partly_overturned: int = 0
    # The flagging funnel of the flags and notices received on the day (a cohort, followed to
    # the rollup's run: kpis.funnel).
    funnel_received: int = 0
    funnel_opened: int = 0
    funnel_decided: int = 0
    funnel_restricted: int = 0
    funnel_appealed: int = 0
    funnel_overturned: int = 0
    funnel_partly_overturned: int = 0
    # Decisions QA judged in the period (by the day of review), and those judged correct as
    # the verdict now stands (a dispute settled "changed" moves it).
    qa_reviewed: int = 0
    qa_correct: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


COUNT_FIELDS = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class Backlog:
    """Open cases at an instant and their age in hours (p50, p90, max): on the wall clock,
    and on the SLA clock (None when unknown)."""

    open: int | None = 0  # None: not recorded then
    age_p50: float | None = None
    age_p90: float | None = None
    age_max: float | None = None
    sla_age_p50: float | None = None
    sla_age_p90: float | None = None
    sla_age_max: float | None = None
    # Why there is no backlog when ``open`` is None.
    missing: str = "the backlog was not recorded then"


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least ``share`` of the values at
    or below it): always one of the values, so a hand-worked test can name it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def backlog_of(ages_hours: Sequence[float], sla_ages_hours: Sequence[float] | None) -> Backlog:
    sla = list(sla_ages_hours) if sla_ages_hours is not None else None
    return Backlog(
        open=len(ages_hours), age_p50=percentile(ages_hours, 0.5),
        age_p90=percentile(ages_hours, 0.9), age_max=max(ages_hours, default=None),
        sla_age_p50=percentile(sla, 0.5) if sla else None,
        sla_age_p90=percentile(sla, 0.9) if sla else None,
        sla_age_max=max(sla) if sla else None)


class Measure(StrEnum):
    FIRST_RESPONSE_ATTAINMENT = "first_response_attainment"
    RESOLUTION_ATTAINMENT = "resolution_attainment"
    BACKLOG = "backlog"
    BACKLOG_AGE_P50 = "backlog_age_p50_hours"
    BACKLOG_AGE_P90 = "backlog_age_p90_hours"
    BACKLOG_AGE_MAX = "backlog_age_max_hours"
    SLA_AGE_P50 = "backlog_sla_age_p50_hours"
    SLA_AGE_P90 = "backlog_sla_age_p90_hours"
    SLA_AGE_MAX = "backlog_sla_age_max_hours"
    INFLOW = "inflow"
    OUTFLOW = "outflow"
    NET_FLOW = "net_flow"
    AHT = "aht_minutes"
    OCCUPANCY = "occupancy"
    REOPEN_RATE = "reopen_rate"
    OVERTURN_RATE = "overturn_rate"
    QA_ACCURACY = "qa_accuracy"


@dataclass(frozen=True)
class Figure:
    """One figure: its value (None is "no data", with the reason), and the counts it is made
    of when it is a ratio."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    no_data: str | None = None

    @property
    def shown(self) -> str:
        return "no data" if self.value is None else f"{self.value:g}"


def ratio(numerator: float, denominator: float, *, nothing: str) -> Figure:
    if not denominator:
        return Figure(None, numerator, denominator, no_data=nothing)
    return Figure(numerator / denominator, numerator, denominator)


def _number(value: float | None, nothing: str) -> Figure:
    return Figure(value) if value is not None else Figure(None, no_data=nothing)


QA_NONE = "no decision was QA-reviewed"


def figures(counts: Counts, backlog: Backlog) -> dict[Measure, Figure]:
    """Every figure of kpis.md from a period's counts and its closing backlog."""
    c, b = counts, backlog
    none_open = b.missing if b.open is None else "no open case"
    none_clocked = b.missing if b.open is None else "no open case on an SLA clock"
    aht = ratio(c.handling_seconds / 60, c.handled, nothing="no case was handled")
    return {
        Measure.FIRST_RESPONSE_ATTAINMENT: ratio(
            c.first_response_met, c.first_response_timed,
            nothing="no case with a first-response target was resolved"),
        Measure.RESOLUTION_ATTAINMENT: ratio(
            c.resolution_met, c.resolution_timed,
            nothing="no case with a resolution target was resolved"),
        Measure.BACKLOG: _number(b.open, b.missing),
        Measure.BACKLOG_AGE_P50: _number(b.age_p50, none_open),
        Measure.BACKLOG_AGE_P90: _number(b.age_p90, none_open),
        Measure.BACKLOG_AGE_MAX: _number(b.age_max, none_open),
        Measure.SLA_AGE_P50: _number(b.sla_age_p50, none_clocked),
        Measure.SLA_AGE_P90: _number(b.sla_age_p90, none_clocked),
        Measure.SLA_AGE_MAX: _number(b.sla_age_max, none_clocked),
        Measure.INFLOW: Figure(c.inflow),
        Measure.OUTFLOW: Figure(c.outflow),
        Measure.NET_FLOW: Figure(c.inflow - c.outflow),
        Measure.AHT: aht,
        Measure.OCCUPANCY: ratio(c.busy_seconds, c.busy_seconds + c.available_seconds,
                                 nothing="nobody was on shift or working"),
        Measure.REOPEN_RATE: ratio(c.reopened, c.outflow, nothing="no case was closed"),
        Measure.OVERTURN_RATE: ratio(c.overturned, c.appeals_decided,
                                     nothing="no appeal was decided"),
        Measure.QA_ACCURACY: ratio(c.qa_correct, c.qa_reviewed, nothing=QA_NONE),
    }


@dataclass
class Fanned:
    """Counts of one day keyed by (dimension, key)."""

    rows: dict[tuple[Dimension, str], Counts] = field(default_factory=dict)

    def add(self, keys: Iterable[tuple[Dimension, str]], **values: float) -> None:
        for k in keys:
            counts = self.rows.setdefault(k, Counts())
            for name, value in values.items():
                setattr(counts, name, getattr(counts, name) + value)


def keys_of(*, queue_id: int | None = None, kind: str | None = None,
            priority: int | None = None, team_id: int | None = None,
            vendor_id: int | None = None, person_id: int | None = None,
            guideline: str | None = None, internal: bool = True
            ) -> list[tuple[Dimension, str]]:
    """The dimension values one fact counts under. Work without a vendor is the desk's own
    (``internal``) only when someone did it (``internal``): a new case in a queue without a
    team belongs to no vendor."""
    out = [(Dimension.DESK, DESK_KEY)]
    if queue_id is not None:
        out.append((Dimension.QUEUE, str(queue_id)))
    if kind is not None:
        out.append((Dimension.KIND, kind))
    if priority is not None:
        out.append((Dimension.PRIORITY, str(priority)))
    if team_id is not None:
        out.append((Dimension.TEAM, str(team_id)))
    vendor = (str(vendor_id) if vendor_id is not None
              else INTERNAL if internal and team_id is not None else None)
    if vendor is not None:
        out.append((Dimension.VENDOR, vendor))
        if queue_id is not None:
            out.append((Dimension.VENDOR_QUEUE, f"{vendor}:{queue_id}"))
    if person_id is not None:
        out.append((Dimension.PERSON, str(person_id)))
    if guideline is not None:
        out.append((Dimension.GUIDELINE, guideline))
    return out


def sum_counts(rows: Iterable[Mapping[str, float]]) -> Counts:
    total = Counts()
    for row in rows:
        total.add(Counts(**{k: row[k] for k in COUNT_FIELDS}))
    return total
