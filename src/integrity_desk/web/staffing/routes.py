"""The staffing plan in the console (docs/staffing.md): per vendor and queue, people needed
against people on shift for the weeks ahead, a what-if, one queue's hours as a chart with its
table twin, and every hour as CSV. The numbers are the service's (staffing/plan.py), the ones
/api/v1/staffing/plan answers; the page reads only."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.staffing import export
from integrity_desk.staffing.plan import Hour, Plan, WhatIf, accuracy_words, plan
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.KPI_READ))]
Weeks = Annotated[int, Query(ge=1, le=6)]
Percent = Annotated[float, Query(ge=-90, le=500)]
Shrinkage = Annotated[float, Query(ge=0, le=89)]  # per cent, on the form


@dataclass(frozen=True)
class DayRow:
    """One day of the charted queue: the table twin of the chart."""

    day: date
    arrivals: float
    peak_need: float
    least_scheduled: float
    hours_short: int
    worst_gap: float


def _plan(session: Session, weeks: int, volume: float, aht: float, shrinkage: float) -> Plan:
    try:
        return plan(session, now=utcnow(), weeks=weeks,
                    what_if=WhatIf(1 + volume / 100, 1 + aht / 100), shrinkage=shrinkage / 100)
    except InvalidInput as exc:
        raise PageError(422, "Check the plan's settings", exc.message) from None


def _days(hours: list[Hour]) -> list[DayRow]:
    by_day: dict[date, list[Hour]] = defaultdict(list)
    for h in hours:
        by_day[h.at.date()].append(h)
    return [DayRow(day, sum(h.arrivals for h in hs), max(h.required_on_shift for h in hs),
                   min(h.scheduled for h in hs), sum(1 for h in hs if h.gap < -0.05),
                   min(h.gap for h in hs)) for day, hs in sorted(by_day.items())]


@router.get("/staffing")
def staffing_page(request: Request, session: SessionDep, viewer: Reader, weeks: Weeks = 2,
                  volume: Percent = 0, aht: Percent = 0, shrinkage: Shrinkage = 30,
                  queue: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    made = _plan(session, weeks, volume, aht, shrinkage)
    if not made.queues:
        raise PageError(404, "No queue to plan", "There is no active queue.")
    by_slug = {q.queue.slug: q for q in made.queues}
    if queue is not None and queue not in by_slug:
        raise PageError(404, "No such queue", f"There is no active queue {queue!r}.")
    shown = by_slug[queue] if queue else min(made.queues, key=lambda q: (q.worst_gap,
                                                                         -q.short_hours))
    chart = {"hours": [h.at.isoformat() for h in shown.hours],
             "need": [h.required_on_shift for h in shown.hours],
             "scheduled": [h.scheduled for h in shown.hours],
             "arrivals": [round(h.arrivals, 2) for h in shown.hours]}
    query = f"weeks={weeks}&volume={volume:g}&aht={aht:g}&shrinkage={shrinkage:g}"
    return render(request, "staffing/plan.html", {
        "viewer": viewer, "title": "Staffing plan", "plan": made,
        "vendors": sorted(made.by_vendor().items()), "shown": shown,
        "days": _days(shown.hours), "accuracy_words": accuracy_words,
        "form": {"weeks": weeks, "volume": volume, "aht": aht, "shrinkage": shrinkage},
        "query": query, "chart_json": json.dumps(chart).replace("</", "<\\/")})


@router.get("/staffing.csv")
def staffing_csv(session: SessionDep, viewer: Reader, weeks: Weeks = 2, volume: Percent = 0,
                 aht: Percent = 0, shrinkage: Shrinkage = 30) -> Response:
    made = _plan(session, weeks, volume, aht, shrinkage)
    return Response(export.to_csv(made), media_type=export.MEDIA_TYPE,
                    headers=export.download_headers(made))
