"""Signing in and out of the console.

The login form is protected against login CSRF with a signed double-submit: GET /login sets a
short-lived nonce cookie and the form carries an HMAC of it. Sign-in answers 401 for a wrong
e-mail or password and 429 with Retry-After while the account or address is locked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from integrity_desk.api.deps import SessionDep
from integrity_desk.auth import domain
from integrity_desk.auth.service import check_session, sign_in, sign_out
from integrity_desk.web import http
from integrity_desk.web.auth.views import ENDED_MESSAGES
from integrity_desk.web.errors import CsrfRefused, PageError
from integrity_desk.web.render import render

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, *, nonce: str, next_url: str, email: str = "",
                message: str | None = None, error: str | None = None, status_code: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    token = domain.login_form_token(request.app.state.settings.secret_key, nonce)
    response = render(request, "login.html", {
        "login_token": token, "next": next_url, "email": email, "message": message,
        "error": error, "title": "Sign in"}, status_code=status_code, headers=headers)
    http.set_login_cookie(response, request, nonce)
    return response


@router.get("/login")
def login_form(request: Request, session: SessionDep, next: str = "/",
               ended: str | None = None) -> Response:
    next_url = domain.safe_next(next)
    secret = request.cookies.get(domain.SESSION_COOKIE)
    if secret:
        check = check_session(session, secret, settings=request.app.state.settings)
        if check.current is not None:
            return RedirectResponse(next_url, status_code=303)
    nonce = request.cookies.get(domain.LOGIN_COOKIE) or domain.new_secret()
    response = _login_page(request, nonce=nonce, next_url=next_url,
                           message=ENDED_MESSAGES.get(ended or ""))
    if secret:
        http.clear_session_cookie(response, request)
    return response


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    nonce = request.cookies.get(domain.LOGIN_COOKIE)
    key = request.app.state.settings.secret_key
    if not nonce or not domain.tokens_match(domain.login_form_token(key, nonce), csrf_token):
        raise PageError(403, "Sign-in form expired",
                        "This sign-in form is too old or did not come from the desk. "
                        "Open the sign-in page again and retry.")
    next_url = domain.safe_next(next)
    if not email.strip() or not password:
        return _login_page(request, nonce=nonce, next_url=next_url, email=email,
                           error="Enter your e-mail address and your password.",
                           status_code=422)
    result = sign_in(session, email=email, password=password, ip=http.client_ip(request),
                     user_agent=request.headers.get("user-agent"),
                     settings=request.app.state.settings,
                     replaces=request.cookies.get(domain.SESSION_COOKIE))
    if result.ok and result.secret:
        response: Response = RedirectResponse(next_url, status_code=303)
        http.set_session_cookie(response, request, result.secret)
        http.clear_login_cookie(response, request)
        return response
    if result.retry_after is not None:
        return _login_page(request, nonce=nonce, next_url=next_url, email=email,
                           error=result.message, status_code=429,
                           headers={"Retry-After": str(result.retry_after)})
    return _login_page(request, nonce=nonce, next_url=next_url, email=email,
                       error=result.message, status_code=401)


@router.post("/logout")
def logout(request: Request, session: SessionDep,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    """End this browser's session. A live session must send its CSRF token, so no other site
    can sign someone out; without one there is nothing to end."""
    secret = request.cookies.get(domain.SESSION_COOKIE)
    check = (check_session(session, secret, settings=request.app.state.settings)
             if secret else None)
    if check is not None and check.current is not None and secret:
        given = request.headers.get(domain.CSRF_HEADER, csrf_token)
        if not domain.tokens_match(domain.csrf_token(secret), given):
            raise CsrfRefused()
        sign_out(session, check.current)
    response = RedirectResponse("/login?ended=logout", status_code=303)
    http.clear_session_cookie(response, request)
    return response
