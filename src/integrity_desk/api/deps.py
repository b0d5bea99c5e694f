"""Request-scoped plumbing: the unit of work, the authenticated user, role and scope checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.errors import Forbidden, Unauthenticated
from integrity_desk.people.models import Role, User
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


def get_principal(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    token = authenticate_token(session, secret.strip())
    if note_token_use(session, token):
        session.commit()
    needed = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
    scopes = frozenset(token.scopes)
    if needed not in scopes and "admin" not in scopes:
        raise Forbidden(f"this token lacks the {needed!r} scope")
    return Principal(token.user, scopes)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(
    *roles: Role, admin_scope: bool = False
) -> Callable[[Principal], Coroutine[None, None, Principal]]:
    allowed = frozenset(roles)

    async def check(principal: PrincipalDep) -> Principal:  # no I/O: no thread hop
        if principal.user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"this needs one of the roles: {names}")
        if admin_scope and "admin" not in principal.scopes:
            raise Forbidden("this needs a token with the 'admin' scope")
        return principal

    return check


WORKERS = (Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.AGENT, Role.LEGAL)
MANAGERS = (Role.ADMIN, Role.MANAGER)
Worker = Annotated[Principal, Depends(require_roles(*WORKERS))]
Manager = Annotated[Principal, Depends(require_roles(*MANAGERS))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN, admin_scope=True))]
Reader = PrincipalDep
