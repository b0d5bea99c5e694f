"""Who am I, users (admins) and API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import select

from integrity_desk.api.deps import Myself, SessionDep, UserManager
from integrity_desk.errors import Forbidden
from integrity_desk.people import service
from integrity_desk.people.models import User

router = APIRouter(tags=["people"])


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: str
    team: str | None = None
    languages: list[str]
    max_tier: int
    active: bool


def _user_out(user: User) -> UserOut:
    out = UserOut.model_validate(user)
    out.team = user.team.name if user.team else None
    return out


@router.get("/me", response_model=UserOut)
def me(principal: Myself) -> UserOut:
    return _user_out(principal.user)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    name: str = Field(min_length=1, max_length=120)
    role: str
    password: str | None = None
    team: str | None = None
    languages: list[str] = []
    skills: list[str] = []
    max_tier: int | None = Field(default=None, ge=1, le=3)


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
    session.commit()
    return _user_out(user)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    scopes: list[str] = ["read", "write"]
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    expires_at: datetime | None
    token: str = Field(description="shown once; only its hash is stored")


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, session: SessionDep, principal: Myself) -> TokenOut:
    """A token for yourself, with at most the scopes of the token you call with."""
    if not set(body.scopes) <= principal.scopes:
        raise Forbidden("a token cannot grant more scopes than the one that creates it")
    issued = service.create_token(session, user=principal.user, name=body.name,
                                  scopes=body.scopes, expires_in_days=body.expires_in_days,
                                  actor=principal.actor)
    session.commit()
    t = issued.token
    return TokenOut(id=t.id, name=t.name, scopes=t.scopes, expires_at=t.expires_at,
                    token=issued.secret)
