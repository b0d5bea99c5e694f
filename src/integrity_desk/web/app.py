"""The web console mounted on the application: its routes, static assets and error pages.

The security headers every answer carries are the application's (``api.hardening``): its
Content-Security-Policy allows scripts and styles from the desk itself only (no inline
script, no eval, nothing from another host), so the templates hold no inline script or event
handler; htmx and the desk's own JS are static files.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from integrity_desk.web import http
from integrity_desk.web.auth.routes import router as auth_router
from integrity_desk.web.cases.list_routes import router as cases_list_router
from integrity_desk.web.cases.routes import router as cases_router
from integrity_desk.web.decisions.routes import router as decisions_router
from integrity_desk.web.dsa.routes import router as dsa_router
from integrity_desk.web.errors import LoginRequired, PageError
from integrity_desk.web.evidence.routes import router as evidence_router
from integrity_desk.web.intake.request_routes import router as intake_request_router
from integrity_desk.web.intake.routes import router as intake_router
from integrity_desk.web.investigations.routes import router as investigations_router
from integrity_desk.web.kpis.dashboard_routes import router as dashboard_router
from integrity_desk.web.kpis.report_routes import router as reports_router
from integrity_desk.web.kpis.scorecard_routes import router as scorecard_router
from integrity_desk.web.mail.routes import router as mail_router
from integrity_desk.web.messages.routes import router as messages_router
from integrity_desk.web.metrics.routes import router as metrics_router
from integrity_desk.web.people.growth_routes import router as growth_router
from integrity_desk.web.people.person_routes import router as person_router
from integrity_desk.web.people.routes import router as people_router
from integrity_desk.web.people.vendor_routes import router as vendor_router
from integrity_desk.web.policy_questions.routes import router as policy_questions_router
from integrity_desk.web.precedents.routes import router as precedents_router
from integrity_desk.web.privacy.routes import router as privacy_router
from integrity_desk.web.quality.calibration_routes import router as calibration_router
from integrity_desk.web.quality.routes import router as quality_router
from integrity_desk.web.render import HERE, is_htmx, render
from integrity_desk.web.routing.routes import router as routing_router
from integrity_desk.web.routing.work_routes import router as routing_work_router
from integrity_desk.web.search.routes import router as search_router
from integrity_desk.web.sops.routes import router as sops_router
from integrity_desk.web.staffing.routes import router as staffing_router
from integrity_desk.web.webhooks.routes import router as webhooks_router
from integrity_desk.web.wellbeing.routes import router as wellbeing_router


def _login_required(request: Request, exc: LoginRequired) -> Response:
    query: dict[str, str] = {}
    if request.method == "GET":
        query["next"] = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if exc.reason and exc.reason != "unknown":
        query["ended"] = exc.reason
    target = "/login" + (f"?{urlencode(query)}" if query else "")
    response: Response
    if is_htmx(request):  # htmx follows HX-Redirect with a full page load
        response = PlainTextResponse("Sign in again.", status_code=401,
                                     headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    http.clear_session_cookie(response, request)
    return response


def _page_error(request: Request, exc: PageError) -> Response:
    if is_htmx(request):  # desk.js shows the text in the page's alert region
        return PlainTextResponse(exc.message, status_code=exc.status_code,
                                 headers={"Cache-Control": "no-store"})
    return render(request, "error.html", {"title": exc.title, "message": exc.message},
                  status_code=exc.status_code)


def mount_web(app: FastAPI) -> None:
    """Add the console to the app: pages, static files, error pages."""
    app.include_router(auth_router)
    app.include_router(people_router)
    app.include_router(vendor_router)
    app.include_router(scorecard_router)
    app.include_router(person_router)
    app.include_router(growth_router)
    app.include_router(quality_router)
    app.include_router(policy_questions_router)
    app.include_router(precedents_router)
    app.include_router(staffing_router)
    app.include_router(decisions_router)
    app.include_router(privacy_router)
    app.include_router(dsa_router)
    app.include_router(metrics_router)
    app.include_router(dashboard_router)
    app.include_router(investigations_router)
    app.include_router(cases_router)
    app.include_router(evidence_router)
    app.include_router(wellbeing_router)
    app.include_router(mail_router)
    app.include_router(routing_work_router)
    app.include_router(cases_list_router)
    app.include_router(search_router)
    app.include_router(intake_router)
    app.include_router(intake_request_router)
    app.include_router(webhooks_router)
    app.include_router(messages_router)
    app.include_router(routing_router)
    app.include_router(reports_router)
    app.include_router(sops_router)
    app.include_router(calibration_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    app.add_exception_handler(PageError, _page_error)  # type: ignore[arg-type]
