"""What the people API reads and answers: its request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    team: str | None = None
    languages: list[str]
    max_tier: int
    active: bool


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


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    # At least one: an empty list answers 422 naming `scopes` instead of a default (issue 16).
    scopes: list[Literal["read", "write", "admin"]] = Field(
        default=["read", "write"], min_length=1, max_length=3,
        description="what the token may do; at least one of read, write, admin")
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    expires_at: datetime | None
    token: str = Field(description="shown once; only its hash is stored")


class TokenInfo(BaseModel):
    """A token as listed: never its secret (only a hash is kept), the first characters to
    recognise it by."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str = Field(description="active, expired or revoked")


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(description="the new password; the policy in docs/access.md applies")


class AccountChange(BaseModel):
    user: UserOut
    sessions_ended: int
