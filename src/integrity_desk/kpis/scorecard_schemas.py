"""A vendor scorecard over HTTP: the numbers of the console's page, with the rule that colours
them (a file of its own so the KPI schemas stay the KPI engine's)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from integrity_desk.kpis.domain import Figure
from integrity_desk.kpis.schemas import FigureOut
from integrity_desk.kpis.scorecard import Scorecard


class TargetOut(BaseModel):
    kpi: str  # the contract's target name, also the figure's name in /api/v1/kpis
    figure: FigureOut
    target: float | None  # None: the contract sets no target
    status: str  # green | amber | red | no data | no target


class TrendWeekOut(BaseModel):
    week: str
    starts_on: date
    figures: dict[str, FigureOut]


class VolumeOut(BaseModel):
    queue: str  # the queue's slug
    queue_name: str
    committed: int | None  # cases a week; None: no commitment for the queue
    handled: int
    resolved: int
    share: float | None  # handled ÷ committed


class OverturnReasonOut(BaseModel):
    guideline: str
    title: str
    overturned: int
    partly_overturned: int


class ErrorReasonOut(BaseModel):
    category: str  # the QA form's error category
    reason: str  # its label
    errors: int


class ErrorReasonsOut(BaseModel):
    reasons: list[ErrorReasonOut] | None  # None: no data (no decision was QA-reviewed)
    no_data: str | None  # why there are none


class ContractRefOut(BaseModel):
    id: int
    starts_on: date
    ends_on: date | None


class ScorecardOut(BaseModel):
    vendor_id: int
    vendor: str
    week: str
    starts_on: date
    ends_before: date  # half-open: the week's last day is the one before
    contract: ContractRefOut | None  # the contract in force on the week's last day
    rule: str
    targets: list[TargetOut]
    trend: list[TrendWeekOut]
    volume: list[VolumeOut]
    overturn_reasons: list[OverturnReasonOut]
    error_reasons: ErrorReasonsOut


def figure_out(f: Figure) -> FigureOut:
    return FigureOut(value=f.value, numerator=f.numerator, denominator=f.denominator,
                     no_data=f.no_data)


def scorecard_out(card: Scorecard) -> ScorecardOut:
    c = card.contract
    return ScorecardOut(
        vendor_id=card.vendor.id, vendor=card.vendor.name, week=card.period.label,
        starts_on=card.period.start, ends_before=card.period.end,
        contract=ContractRefOut(id=c.id, starts_on=c.starts_on, ends_on=c.ends_on) if c else None,
        rule=card.rule,
        targets=[TargetOut(kpi=t.name, figure=figure_out(t.figure), target=t.target,
                           status=t.status.value) for t in card.targets],
        trend=[TrendWeekOut(week=w.period.label, starts_on=w.period.start,
                            figures={n: figure_out(f) for n, f in w.figures.items()})
               for w in card.trend],
        volume=[VolumeOut(queue=v.slug, queue_name=v.name, committed=v.committed,
                          handled=v.handled, resolved=v.resolved, share=v.share)
                for v in card.volume],
        overturn_reasons=[OverturnReasonOut(guideline=r.code, title=r.title,
                                            overturned=r.overturned,
                                            partly_overturned=r.partly_overturned)
                          for r in card.overturns],
        error_reasons=ErrorReasonsOut(
            reasons=None if card.errors_no_data else [
                ErrorReasonOut(category=e.category, reason=e.label, errors=e.errors)
                for e in card.errors],
            no_data=card.errors_no_data))
