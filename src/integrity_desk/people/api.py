"""Who am I, users (admins: add, reset passwords, deactivate) and API tokens."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from integrity_desk.api.deps import Myself, SessionDep, UserManager
from integrity_desk.api.paging import RowId
from integrity_desk.errors import Forbidden
from integrity_desk.people import service
from integrity_desk.people.models import ApiToken, User
from integrity_desk.people.schemas import (
    AccountChange,
    PasswordIn,
    TokenIn,
    TokenInfo,
    TokenOut,
    UserIn,
    UserOut,
)

router = APIRouter(tags=["people"])


def _user_out(user: User) -> UserOut:
    # Built field by field: validating the ORM object would meet `team` as a Team, not a name.
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role,
                   team=user.team.name if user.team else None, languages=user.languages,
                   max_tier=user.max_tier, active=user.active)


@router.get("/me", response_model=UserOut)
def me(principal: Myself) -> UserOut:
    return _user_out(principal.user)


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, principal: UserManager) -> list[UserOut]:
    return [_user_out(u) for u in session.scalars(select(User).order_by(User.email))]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, session: SessionDep, principal: UserManager) -> UserOut:
    team = service.get_team_by_name(session, body.team) if body.team else None
    user = service.create_user(
        session, email=body.email, name=body.name, role=body.role, password=body.password,
        team=team, languages=body.languages, skills=body.skills, max_tier=body.max_tier,
        actor=principal.actor)
    return _user_out(user)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, session: SessionDep, principal: Myself) -> TokenOut:
    """A token for yourself, with at most the scopes of the token you call with."""
    if not set(body.scopes) <= principal.scopes:
        raise Forbidden("a token cannot grant more scopes than the one that creates it")
    issued = service.create_token(session, user=principal.user, name=body.name,
                                  scopes=body.scopes, expires_in_days=body.expires_in_days,
                                  actor=principal.actor)
    t = issued.token
    return TokenOut(id=t.id, name=t.name, scopes=t.scopes, expires_at=t.expires_at,
                    token=issued.secret)


def token_info(token: ApiToken) -> TokenInfo:
    state = service.token_state(token)
    return TokenInfo(id=token.id, name=token.name, prefix=token.prefix, scopes=token.scopes,
                     created_at=token.created_at, expires_at=token.expires_at,
                     last_used_at=token.last_used_at, revoked_at=token.revoked_at, state=state)


@router.get("/tokens", response_model=list[TokenInfo])
def list_my_tokens(session: SessionDep, principal: Myself) -> list[TokenInfo]:
    """Your own tokens, newest first."""
    return [token_info(t) for t in service.list_tokens(session, principal.user.id)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenInfo)
def revoke_my_token(token_id: RowId, session: SessionDep, principal: Myself) -> TokenInfo:
    """Revoke one of your own tokens (another person's answers 404)."""
    token = service.revoke_token(session, token_id=token_id, owner_id=principal.user.id,
                                 actor=principal.actor)
    return token_info(token)


@router.get("/users/{user_id}/tokens", response_model=list[TokenInfo])
def list_user_tokens(user_id: RowId, session: SessionDep, principal: UserManager
                     ) -> list[TokenInfo]:
    user = service.get_user(session, user_id)
    return [token_info(t) for t in service.list_tokens(session, user.id)]


@router.post("/users/{user_id}/tokens/{token_id}/revoke", response_model=TokenInfo)
def revoke_user_token(user_id: RowId, token_id: RowId, session: SessionDep,
                      principal: UserManager) -> TokenInfo:
    user = service.get_user(session, user_id)
    token = service.revoke_token(session, token_id=token_id, owner_id=user.id,
                                 actor=principal.actor)
    return token_info(token)


@router.post("/users/{user_id}/password", response_model=AccountChange)
def reset_password(user_id: RowId, body: PasswordIn, session: SessionDep,
                   principal: UserManager) -> AccountChange:
    """Set a new password for someone; all of their browser sessions end."""
    user = service.get_user(session, user_id)
    ended = service.reset_password(session, user=user, password=body.password,
                                   actor=principal.actor)
    return AccountChange(user=_user_out(user), sessions_ended=ended)


@router.post("/users/{user_id}/deactivate", response_model=AccountChange)
def deactivate_user(user_id: RowId, session: SessionDep, principal: UserManager
                    ) -> AccountChange:
    """No more sign-ins or token use; sessions end; history and assignments stay."""
    user = service.get_user(session, user_id)
    ended = service.deactivate_user(session, user=user, actor=principal.actor)
    return AccountChange(user=_user_out(user), sessions_ended=ended)


@router.post("/users/{user_id}/reactivate", response_model=AccountChange)
def reactivate_user(user_id: RowId, session: SessionDep, principal: UserManager
                    ) -> AccountChange:
    user = service.get_user(session, user_id)
    service.reactivate_user(session, user=user, actor=principal.actor)
    return AccountChange(user=_user_out(user), sessions_ended=0)
