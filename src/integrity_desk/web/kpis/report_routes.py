"""The console's Reports page: the kept weekly reports (kpis.reports), each as its printable
page and its CSV bundle, for whoever reads the KPIs (``kpi.read``: managers and stakeholders;
the reports hold no personal data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from integrity_desk.access.domain import Action
from integrity_desk.api.deps import SessionDep
from integrity_desk.errors import DeskError
from integrity_desk.kpis import reports
from integrity_desk.web.deps import Viewer, page
from integrity_desk.web.errors import PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page(Action.KPI_READ))]


@router.get("/reports")
def reports_page(request: Request, session: SessionDep, viewer: Reader) -> Response:
    return render(request, "reports.html", {"viewer": viewer,
                                            "reports": reports.listed(session)})


def _kept(session: SessionDep, week: str) -> reports.WeeklyReport:
    try:
        return reports.kept(session, week)
    except DeskError as exc:
        raise PageError(404, "No such report", exc.message) from None


@router.get("/reports/{week}.html")
def report_page(week: str, session: SessionDep, viewer: Reader) -> Response:
    """The page exactly as generated (print it from the browser)."""
    return HTMLResponse(_kept(session, week).html, headers={"Cache-Control": "no-store"})


@router.get("/reports/{week}.zip")
def report_bundle(week: str, session: SessionDep, viewer: Reader) -> Response:
    kept = _kept(session, week)
    return Response(kept.bundle, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="weekly-{kept.week}.zip"',
        "Cache-Control": "no-store"})
