"""Users, passwords and API tokens. Passwords are argon2-hashed; tokens are shown once.

A person is never deleted: deactivation ends their sessions and stops their tokens, while their
name stays on every case, assignment and event that carries it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, defaultload

from integrity_desk.audit.service import Actor, record
from integrity_desk.auth.repository import end_user_sessions
from integrity_desk.configuration.service import VERSION_COLUMN, note_version
from integrity_desk.db import utcnow
from integrity_desk.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from integrity_desk.people import passwords
from integrity_desk.people.models import ApiToken, Role, Team, User

TOKEN_PREFIX = "idk_"
# Every request reads its token and, to check its cached configuration, the configuration's
# version: one statement carries both.
# A request seldom needs its user's team (GET /me loads it when it does): no join for it.
_TOKEN_BY_HASH = select(ApiToken, VERSION_COLUMN).where(
    ApiToken.token_hash == bindparam("token_hash")).options(
    defaultload(ApiToken.user).lazyload(User.team))
SCOPES = ("read", "write", "admin")


def hash_password(password: str, *, email: str | None = None) -> str:
    """The password policy (people/passwords.py), then argon2id."""
    return passwords.hash_password(password, email=email)


def check_password(user: User, password: str) -> bool:
    return passwords.verify_password(user.password_hash, password)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(user.id, f"{user.name} <{user.email}>")


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user with e-mail {email}", field="email")
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user #{user_id}", field="user_id")
    return user


def get_team_by_name(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise NotFound(f"no team named {name!r}", field="team")
    return team


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    team: Team | None = None,
    languages: list[str] | None = None,
    skills: list[str] | None = None,
    max_tier: int | None = None,
    actor: Actor,
) -> User:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput("not an e-mail address", field="email")
    if role not in {r.value for r in Role}:
        raise InvalidInput(
            f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}", field="role"
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} exists", field="email")
    default_tier = {Role.AGENT: 1, Role.SPECIALIST: 2}.get(Role(role), 3)
    user = User(
        email=email, name=name, role=role, team_id=team.id if team else None,
        password_hash=hash_password(password, email=email) if password else None,
        languages=languages or [], skills=skills or [], max_tier=max_tier or default_tier,
    )
    session.add(user)
    session.flush()
    record(session, kind="user.created", category="audit", actor=actor, chain_key="people",
           payload={"user_id": user.id, "email": email, "role": role,
                    "team": team.name if team else None})
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def create_token(
    session: Session,
    *,
    user: User,
    name: str = "cli",
    scopes: list[str] | None = None,
    expires_in_days: int | None = 90,
    actor: Actor,
) -> IssuedToken:
    """Issue a token with exactly the scopes asked for; None means the usual read and write.

    An empty list is refused rather than widened: a caller who asked for no rights must never
    get read and write by accident (issue 16), and a token without scopes could do nothing.
    """
    scopes = ["read", "write"] if scopes is None else list(dict.fromkeys(scopes))
    if not scopes:
        raise InvalidInput(f"name at least one scope of {list(SCOPES)}", field="scopes")
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise InvalidInput(f"unknown scope(s) {sorted(unknown)}; known: {SCOPES}", field="scopes")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_token(secret), prefix=secret[:10],
        scopes=scopes,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    record(session, kind="token.created", category="audit", actor=actor, chain_key="people",
           payload={"token_id": token.id, "user_id": user.id, "scopes": scopes, "name": name})
    return IssuedToken(token, secret)


def authenticate_token(session: Session, secret: str, *, now: datetime | None = None) -> ApiToken:
    now = now or utcnow()
    found = session.execute(_TOKEN_BY_HASH, {"token_hash": hash_token(secret)}).first()
    if found is None:
        raise Unauthenticated("the token is not valid")
    token, version = found
    note_version(session, version)
    if token.revoked_at is not None:
        raise Unauthenticated("the token is not valid")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("the token has expired")
    if not token.user.active:
        raise Unauthenticated("the account is deactivated")
    return token


def token_use_due(token: ApiToken, now: datetime) -> bool:
    """Last use is recorded at most once a minute, so a hot token doesn't turn reads into
    writes."""
    return token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1)


def note_token_use(session: Session, *, token: ApiToken, now: datetime | None = None) -> None:
    """Record that the token was used now (the request's unit of work keeps it even when the
    request is refused: see ``unit_of_work.keep_if_refused``)."""
    session.execute(update(ApiToken).where(ApiToken.id == token.id)
                    .values(last_used_at=now or utcnow()))


def reset_password(session: Session, *, user: User, password: str, actor: Actor,
                   now: datetime | None = None) -> int:
    """Set a new password chosen by an administrator and end all of the person's sessions,
    so whoever knew the old one is signed out everywhere. Returns how many sessions ended."""
    now = now or utcnow()
    user.password_hash = hash_password(password, email=user.email)
    ended = end_user_sessions(session, user.id, reason="password_reset", now=now)
    record(session, kind="user.password_reset", category="audit", actor=actor,
           chain_key="people", at=now, payload={"user_id": user.id, "sessions_ended": ended})
    return ended


def _active_admins_besides(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user_id)) or 0


def deactivate_user(session: Session, *, user: User, actor: Actor,
                    now: datetime | None = None) -> int:
    """Stop a person from signing in or using tokens, and end their sessions; nothing they did
    or were assigned is touched. Returns how many sessions ended."""
    now = now or utcnow()
    if actor.id == user.id:
        raise Conflict("you cannot deactivate your own account", field="user_id")
    if user.role == Role.ADMIN and _active_admins_besides(session, user.id) == 0:
        raise Conflict("the last active admin cannot be deactivated", field="user_id")
    changed = session.execute(update(User).where(User.id == user.id, User.active.is_(True))
                              .values(active=False)).rowcount
    if not changed:
        raise Conflict(f"{user.email} is deactivated already", field="active", current=False)
    ended = end_user_sessions(session, user.id, reason="deactivated", now=now)
    record(session, kind="user.deactivated", category="audit", actor=actor,
           chain_key="people", at=now, payload={"user_id": user.id, "sessions_ended": ended})
    return ended


def reactivate_user(session: Session, *, user: User, actor: Actor,
                    now: datetime | None = None) -> None:
    """Let a deactivated person sign in again (tokens that have not expired work again too)."""
    changed = session.execute(update(User).where(User.id == user.id, User.active.is_(False))
                              .values(active=True)).rowcount
    if not changed:
        raise Conflict(f"{user.email} is active already", field="active", current=True)
    record(session, kind="user.reactivated", category="audit", actor=actor,
           chain_key="people", at=now or utcnow(), payload={"user_id": user.id})


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """active, expired or revoked."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A person's tokens, newest first (only hashes are stored: no secret can be shown)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.id.desc())))


def revoke_token(session: Session, *, token_id: int, owner_id: int | None, actor: Actor,
                 now: datetime | None = None) -> ApiToken:
    """Revoke a token; `owner_id` limits it to that person's tokens (None: any, for admins).

    Someone else's token answers 404 like a missing one. Revoking a revoked token changes
    nothing and is no error."""
    now = now or utcnow()
    query = select(ApiToken).where(ApiToken.id == token_id)
    if owner_id is not None:
        query = query.where(ApiToken.user_id == owner_id)
    token = session.scalar(query)
    if token is None:
        raise NotFound(f"no token #{token_id}", field="token_id")
    changed = session.execute(update(ApiToken).where(ApiToken.id == token.id,
                                                     ApiToken.revoked_at.is_(None))
                              .values(revoked_at=now)).rowcount
    if changed:
        record(session, kind="token.revoked", category="audit", actor=actor,
               chain_key="people", at=now,
               payload={"token_id": token.id, "user_id": token.user_id})
    return token
