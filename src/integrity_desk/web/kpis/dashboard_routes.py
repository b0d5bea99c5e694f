"""The manager's dashboard (``/dashboard``, issue 21): every vendor and the in-house teams side
by side, the flagging funnel, a 12-week trend and the period's flow, each chart with its table.

Managers and admins read it with a table by person; stakeholders (the viewer role) read the
same page without it and without any person's name: the figures are the desk's, only the
breakdown by person is personal data (kpis.service.check_dimension).
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.db import utcnow
from integrity_desk.kpis import service
from integrity_desk.kpis.domain import (
    DESK_KEY,
    Dimension,
    Grain,
    Period,
    parse_period,
    period_of,
    periods_back,
)
from integrity_desk.kpis.funnel import FunnelBy, funnel
from integrity_desk.people.models import Role
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.kpis import dashboard_views as v
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
DashboardPage = Annotated[Viewer, Depends(page(Action.KPI_READ))]
TREND_WEEKS = 12


def _picker(period: Period, today: date) -> dict[str, str | None]:
    """The periods one click away: the one before and after (none past today), and the same
    time as a week or a month."""
    following = period_of(period.grain, period.end)
    week = period_of(Grain.WEEK, min(period.end - timedelta(days=1), today))
    return {"previous": period.previous().label,
            "next": following.label if following.start <= today else None,
            "week": week.label, "month": period_of(Grain.MONTH, period.start).label}


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, viewer: DashboardPage,
              period: str | None = Query(None)) -> Response:
    now = utcnow()
    today = now.astimezone(UTC).date()
    chosen = parse_period(period) if period else period_of(Grain.WEEK, today)
    max_age = timedelta(seconds=request.app.state.settings.kpi_stale_seconds)
    as_of = service.fresh(session, now=now, max_age=max_age)
    user = viewer.user

    def table(dimension: Dimension) -> list[service.KpiRow]:
        return service.table(session, viewer=user, period=chosen, dimension=dimension,
                             now=now, as_of=as_of).rows

    desk = service.table(session, viewer=user, period=chosen, dimension=Dimension.DESK,
                         now=now, keys=[DESK_KEY]).row(DESK_KEY)
    trend_periods = periods_back(Grain.WEEK, TREND_WEEKS,
                                 min(chosen.end - timedelta(days=1), today))
    trend = v.trend_points(trend_periods, service.trend(
        session, viewer=user, periods=trend_periods, dimension=Dimension.DESK, key=DESK_KEY,
        now=now))
    flow = v.flow_days(session, chosen, today)
    managers = Role(user.role) in service.MANAGERS
    return render(request, "dashboard.html", {
        "viewer": viewer, "title": "Dashboard", "period": chosen, "as_of": as_of,
        "last_day": chosen.end - timedelta(days=1),
        "picker": _picker(chosen, today), "current": v.is_current(chosen, today),
        "columns": [label for _, label in v.COLUMNS],
        "desk": v.desk_row(desk, chosen, today) if desk else None,
        "vendors": v.vendor_rows(table(Dimension.VENDOR)),
        "people": v.person_rows(table(Dimension.PERSON)) if managers else None,
        "person_columns": [label for _, label in v.PERSON_COLUMNS],
        "funnels": [(by, v.funnel_lines(funnel(session, period=chosen, by=by, now=now)))
                    for by in FunnelBy],
        "funnel_headings": v.funnel_headings(),
        "trend": trend, "flow": flow, "charts_json": v.charts_json(trend, flow)})
