"""The flagging funnel over HTTP (docs/dashboard.md): the same cohort as the dashboard's
table, every step with its count and its conversion from the step before."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from integrity_desk.api.deps import KpiReader, SessionDep
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.kpis import service
from integrity_desk.kpis.domain import Grain, parse_period, period_of
from integrity_desk.kpis.funnel import Funnel, FunnelBy, FunnelRow, funnel
from integrity_desk.kpis.schemas import FigureOut

router = APIRouter(tags=["kpis"])


class FunnelStepOut(BaseModel):
    step: str
    count: int
    conversion: FigureOut | None  # share of the step before; none for the first step


class FunnelRowOut(BaseModel):
    key: str
    label: str
    steps: list[FunnelStepOut]
    partly_overturned: int


class FunnelOut(BaseModel):
    period: str
    starts_on: date
    ends_before: date  # half-open: the period's last day is the one before
    by: str
    rows: list[FunnelRowOut]
    total: FunnelRowOut


def row_out(row: FunnelRow) -> FunnelRowOut:
    return FunnelRowOut(key=row.key, label=row.label, partly_overturned=row.partly_overturned,
                        steps=[FunnelStepOut(
                            step=s.step.value, count=s.count,
                            conversion=None if s.conversion is None else FigureOut(
                                value=s.conversion.value, numerator=s.conversion.numerator,
                                denominator=s.conversion.denominator,
                                no_data=s.conversion.no_data))
                            for s in row.steps])


def funnel_out(result: Funnel) -> FunnelOut:
    return FunnelOut(period=result.period.label, starts_on=result.period.start,
                     ends_before=result.period.end, by=result.by.value,
                     rows=[row_out(r) for r in result.rows], total=row_out(result.total))


@router.get("/kpis/funnel", response_model=FunnelOut)
def kpi_funnel(request: Request, session: SessionDep, principal: KpiReader,
               period: str | None = Query(None, description="2026-W49, 2026-12 or 2026-12-07; "
                                                            "default: this ISO week"),
               by: str = Query("source", description="source or category")) -> FunnelOut:
    """The flags and notices received in the period, followed to today."""
    try:
        chosen_by = FunnelBy(by)
    except ValueError:
        raise InvalidInput("by is source or category", field="by") from None
    now = utcnow()
    chosen = parse_period(period) if period else period_of(Grain.WEEK, now.date())
    service.fresh(session, now=now, max_age=timedelta(
        seconds=request.app.state.settings.kpi_stale_seconds))
    return funnel_out(funnel(session, period=chosen, by=chosen_by, now=now))
