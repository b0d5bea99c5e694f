"""The daily rollup (worker job ``kpis.rollup``): ``kpi_days`` kept equal to what the sources
say, recomputing only the days that can have changed.

A run recomputes the days from the last run's day to today, and any older day whose facts
changed since the last run (a closure reopened, a resolution revised, a QA verdict changed by
a settled dispute: ``changed_at``). Nothing
else reaches back: cases, closures, resolutions, appeal outcomes and availability changes are
written at the moment they happen, and a work interval that ends today leaves the days it
spanned as they were counted (they were whole days of holding it). The backlog of a day is
taken at its end (at ``now`` for today); on the SLA clock only when the rollup sees it live,
so a recomputed past day keeps the SLA ages it had. ``rebuild`` recomputes everything.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.db import upsert_insert
from integrity_desk.kpis import funnel_counts, sources
from integrity_desk.kpis.backlog import backlog_at
from integrity_desk.kpis.domain import COUNT_FIELDS, Backlog, Counts, Dimension
from integrity_desk.kpis.models import CaseOutcome, KpiDay
from integrity_desk.metrics.models import MetricsRefresh

JOB = "kpis.rollup"
STATE = "kpis"
HISTORY_DAYS = 400  # how far back a first run (or a rebuild) reaches
# How far back a first run (or a rebuild) reconstructs each day's backlog: every such day reads
# the open cases and the closures since, so a year of them would take minutes; older days'
# backlogs stay "not recorded".
BACKLOG_HISTORY_DAYS = 35
LIVE = timedelta(hours=1)  # a backlog seen within this of its instant has SLA-clock ages
_DAY = timedelta(days=1)
_BACKLOG_COLUMNS = ("backlog", "age_p50_hours", "age_p90_hours", "age_max_hours",
                    "sla_age_p50_hours", "sla_age_p90_hours", "sla_age_max_hours")


def _lock(session: Session) -> MetricsRefresh:
    session.execute(upsert_insert(session)(MetricsRefresh).values(
        name=STATE, computed_at=None, took_ms=0, breaches_today=0,
    ).on_conflict_do_nothing(index_elements=["name"]))
    row = session.scalar(select(MetricsRefresh).where(MetricsRefresh.name == STATE)
                         .with_for_update().execution_options(populate_existing=True))
    assert row is not None
    return row


def last_run(session: Session) -> datetime | None:
    return session.scalar(select(MetricsRefresh.computed_at)
                          .where(MetricsRefresh.name == STATE))


def _first_day(session: Session, today: date) -> date:
    earliest = session.scalar(select(func.min(Case.created_at)))
    floor = today - timedelta(days=HISTORY_DAYS)
    return max(floor, earliest.astimezone(UTC).date()) if earliest is not None else today


def _dirty_days(session: Session, since: datetime, before: date) -> set[date]:
    """Days before ``before`` whose counts moved since ``since``: a closure reopened or a
    resolution revised (its own day), and a funnel cohort that moved on (its day of receipt:
    a case decided, contested or its appeal decided since)."""
    day = sources.utc_day_sql(session, CaseOutcome.at)
    rows = session.execute(select(day).where(
        CaseOutcome.changed_at >= since, CaseOutcome.at < sources.midnight(before)).distinct())
    days = {sources.as_day(d) for (d,) in rows}
    days |= sources.qa_changed_days(session, since, before)
    days |= {sources.as_day(d) for d in funnel_counts.dirty_cohorts(
        session, since, lambda column: sources.utc_day_sql(session, column))}
    return {d for d in days if d < before}


def run(session: Session, *, now: datetime, rebuild: bool = False,
        max_age: timedelta | None = None) -> str:
    """Bring ``kpi_days`` up to ``now``; one transaction (the caller commits). With
    ``max_age``, only if the rollup found after taking the lock is older than that: two pages
    finding it stale at once wait for each other, and the second has nothing left to do."""
    started = time.perf_counter()
    state = _lock(session)
    if (max_age is not None and not rebuild and state.computed_at is not None
            and now - state.computed_at <= max_age):
        return "up to date already"
    today = now.astimezone(UTC).date()
    watermark = None if rebuild else state.computed_at
    if watermark is None:
        first = _first_day(session, today)
        days = {first + timedelta(days=n) for n in range((today - first).days + 1)}
        recent = max(first, today - timedelta(days=BACKLOG_HISTORY_DAYS))
    else:
        recent = watermark.astimezone(UTC).date()
        days = {recent + timedelta(days=n) for n in range((today - recent).days + 1)}
        days |= _dirty_days(session, watermark, recent)
    for first, end in _runs(sorted(days)):
        _recompute(session, first, end, now, backlog_from=recent)
    state.computed_at = now
    state.took_ms = round(1000 * (time.perf_counter() - started))
    session.flush()
    return f"{len(days)} day(s) rolled up in {state.took_ms} ms"


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as half-open runs."""
    out: list[tuple[date, date]] = []
    for day in days:
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + _DAY)
        else:
            out.append((day, day + _DAY))
    return out


def _recompute(session: Session, first: date, end: date, now: datetime,
               backlog_from: date) -> None:
    counted = sources.counts(session, first, end, now)
    kept = _kept_backlogs(session, first, end)
    rows: list[dict[str, object]] = []
    for offset in range((end - first).days):
        day = first + timedelta(days=offset)
        fanned = counted.by_day.get(day)
        per_key: dict[tuple[Dimension, str], dict[str, object]] = {}
        if fanned is not None:
            for key, counts in fanned.rows.items():
                per_key[key] = _count_values(counts)
        if day >= backlog_from:
            instant = min(sources.midnight(day + _DAY), now)
            for key, b in backlog_at(session, instant, live=now - instant <= LIVE).items():
                values = per_key.setdefault(key, _count_values(Counts()))
                values.update(_backlog_values(b))
                if b.sla_age_p50 is None and (day, *key) in kept:
                    values.update(_sla_only(kept[(day, *key)]))
        else:
            for (kday, dim, key), old in kept.items():
                if kday == day:
                    per_key.setdefault((Dimension(dim), key),
                                       _count_values(Counts())).update(old)
        recorded = day >= backlog_from or any(k[0] == day for k in kept)
        for (dim, key), values in per_key.items():
            rows.append({"day": day, "dimension": dim.value, "key": key,
                         **_backlog_defaults(recorded), **values})
    session.execute(delete(KpiDay).where(KpiDay.day >= first, KpiDay.day < end))
    if rows:
        session.execute(insert(KpiDay), rows)


def _count_values(counts: Counts) -> dict[str, object]:
    return {name: getattr(counts, name) for name in COUNT_FIELDS}


def _backlog_defaults(recorded: bool) -> dict[str, object]:
    return {"backlog": 0 if recorded else None, **{c: None for c in _BACKLOG_COLUMNS[1:]}}


def _backlog_values(b: Backlog) -> dict[str, object]:
    return {"backlog": b.open, "age_p50_hours": b.age_p50, "age_p90_hours": b.age_p90,
            "age_max_hours": b.age_max, "sla_age_p50_hours": b.sla_age_p50,
            "sla_age_p90_hours": b.sla_age_p90, "sla_age_max_hours": b.sla_age_max}


def _sla_only(old: dict[str, object]) -> dict[str, object]:
    return {k: old[k] for k in ("sla_age_p50_hours", "sla_age_p90_hours", "sla_age_max_hours")}


def _kept_backlogs(session: Session, first: date, end: date
                   ) -> dict[tuple[date, str, str], dict[str, object]]:
    """The backlog columns already stored for these days (kept where not recomputed)."""
    cols = [getattr(KpiDay, c) for c in _BACKLOG_COLUMNS]
    rows = session.execute(select(KpiDay.day, KpiDay.dimension, KpiDay.key, *cols)
                           .where(KpiDay.day >= first, KpiDay.day < end))
    return {(r[0], r[1], r[2]): dict(zip(_BACKLOG_COLUMNS, r[3:], strict=True)) for r in rows
            if r[3] is not None}
