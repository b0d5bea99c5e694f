"""A vendor's scorecard over HTTP (docs/workforce.md, "Vendor scorecard"): the numbers of the
console's page, for managers and admins (``workforce.manage``: a contract is commercial)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Query, Request

from integrity_desk.api.deps import SessionDep, WorkforceManager
from integrity_desk.api.paging import RowId
from integrity_desk.db import utcnow
from integrity_desk.kpis import scorecard, service
from integrity_desk.kpis.scorecard_schemas import ScorecardOut, scorecard_out

router = APIRouter(tags=["workforce"])


@router.get("/vendors/{vendor_id}/scorecard", response_model=ScorecardOut)
def vendor_scorecard(request: Request, vendor_id: RowId, session: SessionDep,
                     principal: WorkforceManager,
                     week: str | None = Query(None, description="an ISO week, 2026-W49; "
                                                                "default: this week")
                     ) -> ScorecardOut:
    """Each KPI of the contract in force against its target (green, amber or red by the rule
    returned with it), a 12-week trend, volume per queue against the weekly commitment, and
    the reasons of overturns and QA errors."""
    now = utcnow()
    period = scorecard.parse_week(week, now)
    service.fresh(session, now=now,
                  max_age=timedelta(seconds=request.app.state.settings.kpi_stale_seconds))
    return scorecard_out(scorecard.build(session, viewer=principal.user, vendor_id=vendor_id,
                                         period=period, now=now))
