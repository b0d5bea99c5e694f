"""A vendor's scorecard for one ISO week: each KPI of the contract against its target (red,
amber or green by kpis/rag.py's stated rule), a 12-week trend, the volume handled per queue
against the weekly commitment, and the reasons behind overturns and QA errors.

Every figure is the KPI engine's (kpis.service, dimensions ``vendor`` and ``vendor_queue``),
so the scorecard, the KPI pages and /api/v1/kpis never disagree; only the overturn reasons
are read here (attributed by the rollup's own rule, ``sources.decider_then``), because the
rollup counts overturns per vendor and per guideline but not per vendor *and* guideline.
Reads only: nothing is written, nothing flushed.

The contract compared with is the one in force on the week's last day (Sunday): a contract
that changes mid-week is the one the week closes under, and the one the vendor is paid on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.errors import InvalidInput
from integrity_desk.kpis import service, sources
from integrity_desk.kpis.domain import (
    Backlog,
    Counts,
    Dimension,
    Figure,
    Grain,
    Measure,
    Period,
    figures,
    parse_period,
    period_of,
    periods_back,
)
from integrity_desk.kpis.rag import RULE, Rag, status
from integrity_desk.people import vendors
from integrity_desk.people.domain import TARGETS
from integrity_desk.people.models import User, Vendor, VendorContract
from integrity_desk.quality import review
from integrity_desk.quality.review import ErrorCount
from integrity_desk.routing.models import Queue

TREND_WEEKS = 12
# The contract's target columns are named as the figures they bound (people/domain.py).
MEASURES: dict[str, Measure] = {name: Measure(name) for name in TARGETS}
TABLES = ("targets", "trend", "volume", "overturns", "errors")


@dataclass(frozen=True)
class TargetLine:
    """One KPI of the contract: the week's figure, the target and the colour."""

    name: str
    figure: Figure
    target: float | None
    status: Rag


@dataclass(frozen=True)
class TrendWeek:
    period: Period
    figures: dict[str, Figure]


@dataclass(frozen=True)
class VolumeLine:
    """A queue the vendor committed to (or worked in without a commitment)."""

    queue_id: int
    slug: str
    name: str
    committed: int | None  # cases a week; None: no commitment for this queue
    handled: int  # work ended by a decision, the vendor's people
    resolved: int

    @property
    def share(self) -> float | None:
        """Handled ÷ committed; None when nothing (or zero) was committed."""
        return self.handled / self.committed if self.committed else None


@dataclass(frozen=True)
class ReasonLine:
    code: str
    title: str
    overturned: int
    partly_overturned: int

    @property
    def total(self) -> int:
        return self.overturned + self.partly_overturned


@dataclass(frozen=True)
class Scorecard:
    vendor: Vendor
    period: Period
    contract: VendorContract | None
    rule: str
    targets: list[TargetLine]
    trend: list[TrendWeek]
    volume: list[VolumeLine]
    overturns: list[ReasonLine]
    errors: list[ErrorCount]  # QA's error categories in the vendor's decisions, most first
    errors_no_data: str | None  # why there are none to show (never an empty success)


def parse_week(text: str | None, now: datetime) -> Period:
    """``2026-W49``; none: the week holding ``now``. A month or a day is refused: a contract's
    commitments are weekly."""
    if not text:
        return period_of(Grain.WEEK, now.date())
    period = parse_period(text, field_name="week")
    if period.grain != Grain.WEEK:
        raise InvalidInput(f"{text!r} is not an ISO week: write it as 2026-W49", field="week")
    return period


def build(session: Session, *, viewer: User, vendor_id: int, period: Period, now: datetime
          ) -> Scorecard:
    """The vendor's scorecard for ``period`` (an ISO week), figures as of the rollup."""
    vendor = vendors.get_vendor(session, vendor_id)
    key = str(vendor.id)
    contract = vendors.contract_in_force(session, vendor.id, period.end - timedelta(days=1))
    row = service.table(session, viewer=viewer, period=period, dimension=Dimension.VENDOR,
                        now=now, keys=[key]).row(key)
    week = row.figures if row is not None else figures(Counts(), Backlog())
    targets = []
    for name, measure in MEASURES.items():
        target = getattr(contract, name) if contract is not None else None
        figure = week[measure]
        targets.append(TargetLine(name, figure, target, status(measure, figure.value, target)))
    periods = periods_back(Grain.WEEK, TREND_WEEKS, period.start)
    trend = [TrendWeek(p, {name: r.figures[m] for name, m in MEASURES.items()})
             for p, r in zip(periods, service.trend(
                 session, viewer=viewer, periods=periods, dimension=Dimension.VENDOR, key=key,
                 now=now), strict=True)]
    return Scorecard(vendor=vendor, period=period, contract=contract, rule=RULE,
                     targets=targets, trend=trend,
                     volume=volume(session, viewer=viewer, vendor=vendor, contract=contract,
                                   period=period, now=now),
                     overturns=overturn_reasons(session, vendor_id=vendor.id, period=period),
                     **_errors(session, vendor_id=vendor.id, period=period))


def _errors(session: Session, *, vendor_id: int, period: Period) -> dict[str, Any]:
    judged, lines = review.error_reasons(session, vendor_id=vendor_id, start=period.starts_at,
                                         end=period.ends_at)
    return {"errors": lines, "errors_no_data": None if judged else
            "no decision of the vendor's was QA-reviewed in the week"}


def volume(session: Session, *, viewer: User, vendor: Vendor, contract: VendorContract | None,
           period: Period, now: datetime) -> list[VolumeLine]:
    """Cases handled and resolved per queue against the contract's weekly commitment: every
    committed queue, then any queue the vendor worked in without one."""
    committed = {c.queue_id: c.weekly_volume for c in contract.commitments} if contract else {}
    prefix = f"{vendor.id}:"
    done: dict[int, tuple[int, int]] = {}
    for r in service.table(session, viewer=viewer, period=period,
                           dimension=Dimension.VENDOR_QUEUE, now=now).rows:
        if r.key.startswith(prefix):
            done[int(r.key[len(prefix):])] = (r.counts.handled, r.counts.resolved)
    ids = set(committed) | {q for q, (handled, resolved) in done.items() if handled or resolved}
    queues = {q.id: q for q in session.scalars(select(Queue).where(Queue.id.in_(ids)))} \
        if ids else {}
    lines = [VolumeLine(q, queues[q].slug, queues[q].name, committed.get(q),
                        *done.get(q, (0, 0))) for q in ids if q in queues]
    lines.sort(key=lambda v: (v.committed is None, v.name.lower()))
    return lines


def overturn_reasons(session: Session, *, vendor_id: int, period: Period) -> list[ReasonLine]:
    """The guidelines of the vendor's decisions overturned (fully or partly) on appeal in the
    week, most first.

    Attributed as kpis/sources.py attributes the overturn rate, so the counts add up to the
    scorecard's overturns: to the vendor of the contested decider's work interval on the case
    (the one their decision ended, or failing that their latest before it), not to their team
    today.
    """
    appeal, contested = aliased(Decision), aliased(Decision)
    _, vendor_then = sources.decider_then(contested)
    rows = session.execute(
        select(Guideline.code, func.sum(case((appeal.outcome == "overturned", 1), else_=0)),
               func.sum(case((appeal.outcome == "partly_overturned", 1), else_=0)))
        .select_from(appeal)
        .join(contested, contested.id == appeal.appeal_of_id)
        .outerjoin(Guideline, Guideline.id == contested.guideline_id)
        .where(appeal.kind == "appeal_outcome", appeal.decided_at >= period.starts_at,
               appeal.decided_at < period.ends_at,
               appeal.outcome.in_(("overturned", "partly_overturned")),
               vendor_then == vendor_id)
        .group_by(Guideline.code)).all()
    # One reason per guideline whatever version was cited, under its current title.
    titles = dict(session.execute(select(Guideline.code, Guideline.title).where(
        Guideline.code.in_([r[0] for r in rows]), Guideline.is_current.is_(True))).all())
    lines = [ReasonLine(c or "", titles.get(c, c or "no guideline cited"),
                        int(full or 0), int(part or 0)) for c, full, part in rows]
    return sorted(lines, key=lambda r: (-r.total, -r.overturned, r.code))
