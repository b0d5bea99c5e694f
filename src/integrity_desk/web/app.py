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
from integrity_desk.web.case_page import router as case_router
from integrity_desk.web.caselist import router as caselist_router
from integrity_desk.web.decision_pages import router as decision_router
from integrity_desk.web.dsa_pages import router as dsa_router
from integrity_desk.web.errors import LoginRequired, PageError
from integrity_desk.web.harm_pages import router as harm_pages_router
from integrity_desk.web.legal_pages import router as legal_router
from integrity_desk.web.mail_pages import router as mail_pages_router
from integrity_desk.web.outbox_pages import router as outbox_pages_router
from integrity_desk.web.overview import router as overview_router
from integrity_desk.web.pages import router as pages_router
from integrity_desk.web.public_forms import router as public_forms_router
from integrity_desk.web.queue_pages import router as queue_pages_router
from integrity_desk.web.render import HERE, is_htmx, render
from integrity_desk.web.request_pages import router as request_pages_router
from integrity_desk.web.search import router as search_router
from integrity_desk.web.signin import router as signin_router
from integrity_desk.web.webhook_pages import router as webhook_pages_router
from integrity_desk.web.work import router as work_router


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
    app.include_router(signin_router)
    app.include_router(pages_router)
    app.include_router(decision_router)
    app.include_router(legal_router)
    app.include_router(dsa_router)
    app.include_router(overview_router)
    app.include_router(case_router)
    app.include_router(harm_pages_router)
    app.include_router(mail_pages_router)
    app.include_router(work_router)
    app.include_router(caselist_router)
    app.include_router(search_router)
    app.include_router(public_forms_router)
    app.include_router(request_pages_router)
    app.include_router(webhook_pages_router)
    app.include_router(outbox_pages_router)
    app.include_router(queue_pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    app.add_exception_handler(PageError, _page_error)  # type: ignore[arg-type]
