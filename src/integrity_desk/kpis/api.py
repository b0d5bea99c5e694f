"""The KPIs over HTTP (docs/kpis.md): the same figures as the console's pages, read from the
same rollup."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Query, Request

from integrity_desk.api.deps import KpiReader, SessionDep
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.kpis import service
from integrity_desk.kpis.domain import (
    FUNNEL_ONLY,
    Dimension,
    Grain,
    parse_period,
    period_of,
    periods_back,
)
from integrity_desk.kpis.schemas import (
    KpiTableOut,
    TrendOut,
    TrendPointOut,
    counts_out,
    figures_out,
    table_out,
)

router = APIRouter(tags=["kpis"])
MAX_TREND = 104


def _dimension(value: str) -> Dimension:
    """A dimension the figures are kept by (source and category keep only the funnel: its
    own route, /kpis/funnel)."""
    shown = [d for d in Dimension if d not in FUNNEL_ONLY]
    if value not in shown:
        raise InvalidInput(f"by is one of {', '.join(d.value for d in shown)}", field="by")
    return Dimension(value)


def _max_age(request: Request) -> timedelta:
    return timedelta(seconds=request.app.state.settings.kpi_stale_seconds)


@router.get("/kpis", response_model=KpiTableOut)
def kpis(request: Request, session: SessionDep, principal: KpiReader,
         period: str | None = Query(None, description="2026-W49, 2026-12 or 2026-12-07; "
                                                      "default: this ISO week"),
         by: str = Query("desk", description="desk, queue, kind, priority, team, vendor, "
                                             "person (managers) or guideline")) -> KpiTableOut:
    """Every figure of a period, one row per value of ``by``."""
    dimension = _dimension(by)
    service.check_dimension(principal.user, dimension)
    now = utcnow()
    chosen = parse_period(period) if period else period_of(Grain.WEEK, now.date())
    as_of = service.fresh(session, now=now, max_age=_max_age(request))
    return table_out(service.table(session, viewer=principal.user, period=chosen,
                                   dimension=dimension, now=now, as_of=as_of))


@router.get("/kpis/trend", response_model=TrendOut)
def trend(request: Request, session: SessionDep, principal: KpiReader,
          by: str = Query("desk"), key: str = Query("all"),
          grain: str = Query("week", description="day, week or month"),
          count: int = Query(12, ge=1, le=MAX_TREND)) -> TrendOut:
    """One value's figures over the last ``count`` periods, oldest first."""
    dimension = _dimension(by)
    try:
        chosen = Grain(grain)
    except ValueError:
        raise InvalidInput("grain is day, week or month", field="grain") from None
    service.check_dimension(principal.user, dimension)
    now = utcnow()
    service.fresh(session, now=now, max_age=_max_age(request))
    periods = periods_back(chosen, count, now.date())
    rows = service.trend(session, viewer=principal.user, periods=periods, dimension=dimension,
                         key=key, now=now)
    return TrendOut(dimension=dimension.value, key=key, points=[
        TrendPointOut(period=p.label, starts_on=p.start, figures=figures_out(r),
                      counts=counts_out(r)) for p, r in zip(periods, rows, strict=True)])
