"""Request-scoped plumbing: the unit of work, the authenticated user, and the permission check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from integrity_desk.access.domain import ADMIN_SCOPED, Action, allows, roles_for
from integrity_desk.audit.service import Actor
from integrity_desk.auth import domain as auth_domain
from integrity_desk.auth.service import check_session, scopes_of
from integrity_desk.db import utcnow
from integrity_desk.errors import Forbidden, Unauthenticated
from integrity_desk.people.models import User
from integrity_desk.people.service import (
    actor_of,
    authenticate_token,
    note_token_use,
    token_use_due,
)
from integrity_desk.unit_of_work import commit_refusal, keep_if_refused, request_unit


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work (``integrity_desk.unit_of_work``): endpoints never commit;
    this commits once, after the endpoint's answer is built, and rolls back on any error.

    Function-scoped, so the COMMIT comes before the response is sent and a failed one answers
    as an error. Async so that creating the session costs no thread hop (no I/O happens until
    the endpoint's first query, in the endpoint's thread).
    """
    async with request_unit(request.app.state.db.session_factory(), request.method) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


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
    if check.current is None:
        if check.wrote:
            commit_refusal(session)
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
    if token_use_due(token, utcnow()):
        keep_if_refused(session, partial(note_token_use, token=token))
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
KpiReader = Annotated[Principal, Depends(allow(Action.KPI_READ))]
ConfigReader = Annotated[Principal, Depends(allow(Action.CONFIG_READ))]
ConfigManager = Annotated[Principal, Depends(allow(Action.CONFIG_MANAGE))]
Myself = Annotated[Principal, Depends(allow(Action.SELF))]
UserManager = Annotated[Principal, Depends(allow(Action.USER_MANAGE))]
WebhookManager = Annotated[Principal, Depends(allow(Action.WEBHOOK_MANAGE))]
WorkforceManager = Annotated[Principal, Depends(allow(Action.WORKFORCE_MANAGE))]
QaReviewer = Annotated[Principal, Depends(allow(Action.QA_REVIEW))]
QaManager = Annotated[Principal, Depends(allow(Action.QA_MANAGE))]
