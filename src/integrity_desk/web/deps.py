"""Who is looking at a page, and whether they may: the console's counterpart of api/deps.

Every page names the action it performs (the permission matrix decides), and every
state-changing request is checked for the session's CSRF token here, in the one dependency
all pages use, so a new form cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from integrity_desk.access.domain import ADMIN_SCOPED, Action, allows, roles_for
from integrity_desk.api.deps import SessionDep
from integrity_desk.audit.service import Actor
from integrity_desk.auth import domain
from integrity_desk.auth.models import BrowserSession
from integrity_desk.auth.service import check_session, scopes_of
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.unit_of_work import commit_refusal
from integrity_desk.web.errors import CsrfRefused, LoginRequired, PageError


@dataclass(frozen=True)
class Viewer:
    """A signed-in person on a page, with their session and its CSRF token."""

    user: User
    browser_session: BrowserSession
    csrf_token: str

    @property
    def actor(self) -> Actor:
        return actor_of(self.user)


def signed_in(request: Request, session: SessionDep) -> Viewer:
    """The live session of this browser, or LoginRequired (which the console turns into a
    redirect to the sign-in page, saying why the last session ended)."""
    secret = request.cookies.get(domain.SESSION_COOKIE)
    if not secret:
        raise LoginRequired()
    check = check_session(session, secret, settings=request.app.state.settings)
    if check.current is None:
        if check.wrote:  # the session ended here, because it ran out: that stands
            commit_refusal(session)
        raise LoginRequired(check.ended)
    return Viewer(check.current.user, check.current, domain.csrf_token(secret))


async def submitted_csrf_token(request: Request) -> str | None:
    """The header wins over a form field, so an htmx request is judged by what its page sent."""
    header = request.headers.get(domain.CSRF_HEADER)
    if header is not None:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(domain.CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def page(action: Action) -> Callable[..., Coroutine[None, None, Viewer]]:
    """A dependency that lets in the roles the matrix gives this action, and refuses a
    state-changing request without the session's CSRF token."""
    roles = ", ".join(roles_for(action))

    async def check(request: Request, viewer: Annotated[Viewer, Depends(signed_in)]) -> Viewer:
        if not allows(viewer.user.role, action) or (
                action in ADMIN_SCOPED and "admin" not in scopes_of(viewer.user)):
            raise PageError(403, "Not allowed",
                            f"This page ({action.value}) is for the roles: {roles}.")
        if request.method in domain.UNSAFE_METHODS and not domain.tokens_match(
                viewer.csrf_token, await submitted_csrf_token(request)):
            raise CsrfRefused()
        return viewer

    check.__name__ = f"page_{action.name.lower()}"
    check.action = action  # type: ignore[attr-defined]  (read by the route matrix test)
    return check


MyPage = Annotated[Viewer, Depends(page(Action.SELF))]
