"""A vendor's scorecard in the console (docs/workforce.md, "Vendor scorecard"), for managers
and admins (``workforce.manage``: a contract is commercial): the page for a week, and each of
its tables as a CSV file. The numbers are the service's (kpis/scorecard.py), the ones
/api/v1/vendors/{id}/scorecard answers."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.kpis import scorecard, service
from integrity_desk.kpis.domain import Grain, period_of
from integrity_desk.spreadsheet import csv_text
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.kpis import scorecard_views as views
from integrity_desk.web.people.vendor_views import TARGET_LABELS
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Lead = Annotated[Viewer, Depends(page(Action.WORKFORCE_MANAGE))]


def _card(request: Request, session: Session, viewer: Viewer, vendor_id: int,
          week: str | None) -> scorecard.Scorecard:
    now = utcnow()
    try:
        period = scorecard.parse_week(week, now)
        service.fresh(session, now=now, max_age=timedelta(
            seconds=request.app.state.settings.kpi_stale_seconds))
        return scorecard.build(session, viewer=viewer.user, vendor_id=vendor_id,
                               period=period, now=now)
    except NotFound:
        raise PageError(404, "No such vendor", f"There is no vendor #{vendor_id}.") from None
    except InvalidInput as exc:
        raise PageError(422, "Not a week", f"{exc.message}.") from None


@router.get("/vendors/{vendor_id}/scorecard")
def scorecard_page(request: Request, session: SessionDep, viewer: Lead, vendor_id: RowId,
                   week: str | None = Query(None)) -> Response:
    card = _card(request, session, viewer, vendor_id, week)
    this_week = period_of(Grain.WEEK, utcnow().date())
    following = period_of(Grain.WEEK, card.period.end)
    return render(request, "workforce/scorecard.html", {
        "viewer": viewer, "title": f"Scorecard {card.vendor.name} {card.period.label}",
        "card": card, "targets": views.target_rows(card),
        "kpi_labels": [TARGET_LABELS[n][0] for n in views.NAMES],
        "trend": views.trend_rows(card),
        "chart_json": json.dumps(views.trend_chart(card)).replace("</", "<\\/"),
        "previous": card.period.previous().label,
        "following": following.label if following.start <= this_week.start else None,
        "tables": scorecard.TABLES})


@router.get("/vendors/{vendor_id}/scorecard.csv")
def scorecard_csv(request: Request, session: SessionDep, viewer: Lead, vendor_id: RowId,
                  week: str | None = Query(None), table: str = Query("targets")) -> Response:
    if table not in scorecard.TABLES:
        raise PageError(422, "No such table",
                        f"table is one of {', '.join(scorecard.TABLES)}.")
    card = _card(request, session, viewer, vendor_id, week)
    name = f"scorecard-vendor-{card.vendor.id}-{card.period.label}-{table}.csv"
    return Response(csv_text(views.csv_rows(card, table)), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
