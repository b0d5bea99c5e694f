"""Weekly reports, generated and kept (``idesk report weekly``, the worker on Mondays, and the
console's Reports page): one row per ISO week; generating a week again replaces its row, so
the kept report is always the latest word on that week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.db import upsert_insert
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.kpis import report, rollup
from integrity_desk.kpis.domain import Grain, Period, parse_period, period_of
from integrity_desk.kpis.models import WeeklyReport

__all__ = ["WeeklyReport", "generate", "kept", "last_week", "listed", "run_job", "week_of"]

_ENV = Environment(loader=PackageLoader("integrity_desk.kpis", "templates"),
                   autoescape=select_autoescape(["html"]), undefined=StrictUndefined)
JOB = "kpis.weekly_report"
EVERY_SECONDS = 3600  # the job looks hourly whether last week's report is there yet


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "–"


def week_of(text: str) -> Period:
    period = parse_period(text, field_name="week")
    if period.grain != Grain.WEEK:
        raise InvalidInput(f"{text!r} is not an ISO week: write it as 2026-W49", field="week")
    return period


def generate(session: Session, period: Period, *, now: datetime, actor: Actor
             ) -> WeeklyReport:
    """Bring the rollup up to date, build the week's tables and keep the page and the CSV
    bundle (replacing an earlier generation of the same week)."""
    rollup.run(session, now=now)
    content = report.build(session, period, now=now, as_of=now)
    html = _ENV.get_template("weekly.html").render(
        content=content, last_day=period.end - timedelta(days=1), as_of=_when(now),
        generated_at=_when(now), generated_by=actor.label)
    values = dict(week=period.label, starts_on=period.start, generated_at=now,
                  generated_by=actor.label, figures_as_of=now, html=html,
                  bundle=report.bundle(content))
    statement = upsert_insert(session)(WeeklyReport).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["week"], set_={k: statement.excluded[k] for k in values if k != "week"}))
    record(session, kind="report.generated", category="audit", actor=actor,
           chain_key="reports", at=now, payload={"week": period.label})
    found = session.scalar(select(WeeklyReport).where(WeeklyReport.week == period.label)
                           .execution_options(populate_existing=True))
    assert found is not None
    return found


@dataclass(frozen=True)
class ReportLine:
    week: str
    starts_on: date
    generated_at: datetime
    generated_by: str
    size: int


def listed(session: Session, *, limit: int = 104) -> list[ReportLine]:
    """The kept reports, the latest week first (without their contents)."""
    rows = session.execute(
        select(WeeklyReport.week, WeeklyReport.starts_on, WeeklyReport.generated_at,
               WeeklyReport.generated_by, WeeklyReport.bundle)
        .order_by(WeeklyReport.starts_on.desc()).limit(limit))
    return [ReportLine(w, s, g, b, len(bundle)) for w, s, g, b, bundle in rows]


def kept(session: Session, week: str) -> WeeklyReport:
    found = session.scalar(select(WeeklyReport).where(WeeklyReport.week == week_of(week).label))
    if found is None:
        raise NotFound(f"no weekly report for {week}")
    return found


def last_week(now: datetime) -> Period:
    return period_of(Grain.WEEK, now.astimezone(UTC).date() - timedelta(days=7))


def run_job(session: Session, now: datetime, actor: Actor) -> str:
    """Monday's report: last week's, once the week is over (the job runs hourly and does
    nothing while the report is there)."""
    period = last_week(now)
    if session.scalar(select(WeeklyReport.id).where(WeeklyReport.week == period.label)):
        return f"{period.label} is there already"
    generate(session, period, now=now, actor=actor)
    return f"generated {period.label}"
