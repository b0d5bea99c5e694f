"""Request-scoped plumbing: the unit of work, the authenticated user, and the permission check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from integrity_desk.access.domain import ADMIN_SCOPED, Action, allows, roles_for
from integrity_desk.audit.service import Actor
from integrity_desk.auth import domain as auth_domain
from integrity_desk.auth.service import check_session, scopes_of
from integrity_desk.errors import Forbidden, Unauthenticated
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of, authenticate_token, note_token_use


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; endpoints commit once, anything uncommitted is rolled back.

    Async only so FastAPI does not spend a thread hop on it: creating a session does no I/O
    (the connection is checked out on first use, in the endpoint's thread), and closing one
    that was used returns its connection to the pool without waiting on the server.
    """
    session = request.app.state.db.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Principal:
    user: User
    scopes: frozenset[str]

    @property
    def actor(self) -> Actor:
        return actor_of(self.user)


def _session_principal(request: Request, session: Session, secret: str) -> Principal:
    """A signed-in browser (pages, htmx): read and write, admin for admins. A write must carry
    the page's CSRF token in X-CSRF-Token, since the browser sends the cookie on its own."""
    check = check_session(session, secret, settings=request.app.state.settings)
    if check.wrote:
        session.commit()
    if check.current is None:
        raise Unauthenticated("the browser session has ended; sign in again")
    if request.method in auth_domain.UNSAFE_METHODS and not auth_domain.tokens_match(
            auth_domain.csrf_token(secret), request.headers.get(auth_domain.CSRF_HEADER)):
        raise Forbidden("a change made from a signed-in page needs the page's CSRF token "
                        f"in the {auth_domain.CSRF_HEADER} header",
                        field=auth_domain.CSRF_HEADER)
    return Principal(check.current.user, scopes_of(check.current.user))


def get_principal(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(auth_domain.SESSION_COOKIE)
    if not header and cookie:
        return _session_principal(request, session, cookie)
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("send Authorization: Bearer <token>, or sign in")
    token = authenticate_token(session, secret.strip())
    if note_token_use(session, token):
        session.commit()
    needed = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
    scopes = frozenset(token.scopes)
    if needed not in scopes and "admin" not in scopes:
        raise Forbidden(f"this token lacks the {needed!r} scope")
    return Principal(token.user, scopes)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allow(action: Action) -> Callable[[Principal], Coroutine[None, None, Principal]]:
    """A dependency that lets in the roles the permission matrix gives this action."""
    roles = ", ".join(roles_for(action))

    async def check(principal: PrincipalDep) -> Principal:  # no I/O: no thread hop
        if not allows(principal.user.role, action):
            raise Forbidden(f"{action.value} needs one of the roles: {roles}")
        if action in ADMIN_SCOPED and "admin" not in principal.scopes:
            raise Forbidden("this needs a token with the 'admin' scope")
        return principal

    check.__name__ = f"allow_{action.name.lower()}"
    check.action = action  # type: ignore[attr-defined]  (read by the route matrix test)
    return check


CaseReader = Annotated[Principal, Depends(allow(Action.CASE_READ))]
CaseCreator = Annotated[Principal, Depends(allow(Action.CASE_CREATE))]
CaseWorker = Annotated[Principal, Depends(allow(Action.CASE_WORK))]
DecisionApprover = Annotated[Principal, Depends(allow(Action.DECISION_APPROVE))]
GuidelineManager = Annotated[Principal, Depends(allow(Action.GUIDELINE_MANAGE))]
FlaggerManager = Annotated[Principal, Depends(allow(Action.FLAGGER_MANAGE))]
MessageReviewer = Annotated[Principal, Depends(allow(Action.MESSAGE_REVIEW))]
MessageReplayer = Annotated[Principal, Depends(allow(Action.MESSAGE_REPLAY))]
MisuseManager = Annotated[Principal, Depends(allow(Action.MISUSE_MANAGE))]
PiiRevealer = Annotated[Principal, Depends(allow(Action.PII_REVEAL))]
LegalHolder = Annotated[Principal, Depends(allow(Action.LEGAL_HOLD))]
QueueReader = Annotated[Principal, Depends(allow(Action.QUEUE_READ))]
QueueManager = Annotated[Principal, Depends(allow(Action.QUEUE_MANAGE))]
ConfigReader = Annotated[Principal, Depends(allow(Action.CONFIG_READ))]
ConfigManager = Annotated[Principal, Depends(allow(Action.CONFIG_MANAGE))]
Myself = Annotated[Principal, Depends(allow(Action.SELF))]
UserManager = Annotated[Principal, Depends(allow(Action.USER_MANAGE))]
WebhookManager = Annotated[Principal, Depends(allow(Action.WEBHOOK_MANAGE))]
