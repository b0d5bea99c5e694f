"""What the console reads from a request and sets on a response: client address, HTTPS,
and the two cookies (the session, and the login form's nonce)."""

from __future__ import annotations

from fastapi import Request, Response

from integrity_desk.auth.domain import LOGIN_COOKIE, SESSION_COOKIE
from integrity_desk.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (as told by our own proxy, if trusted)."""
    if request.url.scheme == "https":
        return True
    if _settings(request).trust_proxy:
        proto = request.headers.get("x-forwarded-proto", "")
        return proto.split(",")[0].strip().lower() == "https"
    return False


def client_ip(request: Request) -> str | None:
    """The client's address; behind a trusted proxy, the one that proxy appended last."""
    if _settings(request).trust_proxy:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1][:45]
    return request.client.host if request.client else None


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts), Secure over
    HTTPS; no Max-Age, so it ends with the browser, while the server enforces both expiries."""
    response.set_cookie(SESSION_COOKIE, secret, path="/", httponly=True, samesite="lax",
                        secure=is_https(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=is_https(request))


def set_login_cookie(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(LOGIN_COOKIE, nonce, path="/login", max_age=3600, httponly=True,
                        samesite="strict", secure=is_https(request))


def clear_login_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(LOGIN_COOKIE, path="/login", httponly=True, samesite="strict",
                           secure=is_https(request))
