"""The staffing plan over HTTP (docs/staffing.md): JSON, or every hour as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from integrity_desk.api.deps import KpiReader, SessionDep
from integrity_desk.db import utcnow
from integrity_desk.staffing import export
from integrity_desk.staffing.plan import DEFAULT_SHRINKAGE, MAX_WEEKS, WhatIf
from integrity_desk.staffing.plan import plan as make_plan
from integrity_desk.staffing.schemas import PlanOut, plan_out

router = APIRouter(tags=["staffing"])

Weeks = Annotated[int, Query(ge=1, le=MAX_WEEKS, description="weeks ahead")]
Volume = Annotated[float, Query(ge=-90, le=500, description="what-if: volume change, in %")]
Aht = Annotated[float, Query(ge=-90, le=500, description="what-if: handling time change, %")]
Shrinkage = Annotated[float, Query(ge=0, lt=0.9, description="share of paid time not "
                                                             "handling work")]


def _what_if(volume: float, aht: float) -> WhatIf:
    return WhatIf(1 + volume / 100, 1 + aht / 100)


@router.get("/staffing/plan", response_model=PlanOut,
            summary="People needed (Erlang C on the forecast) against people on shift, per "
                    "vendor, queue and hour")
def staffing_plan(session: SessionDep, principal: KpiReader, weeks: Weeks = 2,
                  volume: Volume = 0, aht: Aht = 0,
                  shrinkage: Shrinkage = DEFAULT_SHRINKAGE,
                  hours: Annotated[bool, Query(description="include every hour")] = True
                  ) -> PlanOut:
    made = make_plan(session, now=utcnow(), weeks=weeks, what_if=_what_if(volume, aht),
                     shrinkage=shrinkage)
    return plan_out(made, hours=hours)


@router.get("/staffing/plan.csv", summary="The staffing plan, every queue's every hour, as CSV",
            response_class=Response)
def staffing_plan_csv(session: SessionDep, principal: KpiReader, weeks: Weeks = 2,
                      volume: Volume = 0, aht: Aht = 0,
                      shrinkage: Shrinkage = DEFAULT_SHRINKAGE) -> Response:
    made = make_plan(session, now=utcnow(), weeks=weeks, what_if=_what_if(volume, aht),
                     shrinkage=shrinkage)
    return Response(export.to_csv(made), media_type=export.MEDIA_TYPE,
                    headers=export.download_headers(made))
