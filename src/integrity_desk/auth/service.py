"""Signing in and out, and checking a browser session on each request.

Every outcome is returned, never raised, so the caller can commit what the attempt wrote
(failure counters, locks, audit events) before it answers: a refused sign-in still leaves its
trace. The caller owns the transaction, as everywhere in the desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, Actor, record
from integrity_desk.auth import domain
from integrity_desk.auth.models import BrowserSession, LoginThrottle
from integrity_desk.auth.repository import end_session
from integrity_desk.db import upsert_insert, utcnow
from integrity_desk.people.models import Role, User
from integrity_desk.people.passwords import needs_rehash, rehash_password, verify_password
from integrity_desk.people.service import actor_of
from integrity_desk.settings import Settings

ANONYMOUS = Actor(None, "anonymous")
INVALID = "the e-mail or the password is not right"


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt came to. `secret` goes into the cookie; `retry_after` (seconds)
    is set when the account or the client address is locked."""

    user: User | None = None
    secret: str | None = None
    retry_after: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.secret is not None


def _keys(email: str, ip: str | None) -> list[tuple[str, str]]:
    return [("account", email.strip().lower()[:254]), ("ip", (ip or "unknown")[:254])]


def _locked_until(session: Session, keys: list[tuple[str, str]], now: datetime
                  ) -> datetime | None:
    t = LoginThrottle
    return session.scalar(
        select(func.max(t.locked_until)).where(
            or_(*[(t.scope == scope) & (t.key == key) for scope, key in keys]),
            t.locked_until > now)
    )


def _count_failure(session: Session, scope: str, key: str, *, now: datetime,
                   settings: Settings) -> tuple[int, datetime | None]:
    """Add one failure to a key in one atomic upsert (a count older than the window starts
    over); lock the key if it has reached its threshold. Returns (failures, locked_until)."""
    t = LoginThrottle.__table__
    window_start = now - timedelta(seconds=settings.login_failure_window_seconds)
    stmt = upsert_insert(session)(t).values(
        scope=scope, key=key, failures=1, last_failure_at=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.scope, t.c.key],
        set_={"failures": case((t.c.last_failure_at < window_start, 1),
                               else_=t.c.failures + 1),
              "last_failure_at": now},
    ).returning(t.c.failures)
    failures = session.execute(stmt).scalar_one()
    lock_after = settings.login_lock_after if scope == "account" else settings.login_ip_lock_after
    seconds = domain.backoff_seconds(failures, lock_after=lock_after,
                                     base=settings.login_backoff_seconds,
                                     cap=settings.login_backoff_cap_seconds)
    if seconds is None:
        return failures, None
    until = now + timedelta(seconds=seconds)
    session.execute(update(t).where(t.c.scope == scope, t.c.key == key)
                    .values(locked_until=until))
    return failures, until


def _prune(session: Session, *, now: datetime, settings: Settings) -> None:
    """Forget keys with no recent failure and no lock (unknown e-mails would pile up)."""
    t = LoginThrottle
    session.execute(delete(t).where(
        t.last_failure_at < now - timedelta(seconds=settings.login_failure_window_seconds),
        or_(t.locked_until.is_(None), t.locked_until <= now)))


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    settings: Settings,
    replaces: str | None = None,
    now: datetime | None = None,
) -> SignInResult:
    """Check an e-mail and password, throttled per account and per client address.

    While a key is locked the password is not even checked, so the right password is refused
    too. A new session is created on success (and the browser's previous one, if any, ended:
    a session is never carried across a sign-in)."""
    now = now or utcnow()
    keys = _keys(email, ip)
    locked = _locked_until(session, keys, now)
    if locked is not None:
        wait = domain.retry_after(locked, now)
        return SignInResult(retry_after=wait,
                            message=f"Too many failed sign-ins. Try again in {wait} s.")
    user = session.scalar(select(User).where(User.email == keys[0][1]))
    # argon2 runs whether or not the account exists or has a password: equal time for all.
    right = verify_password(user.password_hash if user else None, password)
    if right and user is not None and user.active:
        return _succeed(session, user, password=password, ip=ip, user_agent=user_agent,
                        settings=settings, replaces=replaces, now=now)
    reason = ("unknown_account" if user is None else "no_password" if not user.password_hash
              else "deactivated" if right else "wrong_password")
    return _fail(session, keys, user=user, reason=reason, ip=ip, settings=settings, now=now)


def _succeed(session: Session, user: User, *, password: str, ip: str | None,
             user_agent: str | None, settings: Settings, replaces: str | None,
             now: datetime) -> SignInResult:
    session.execute(delete(LoginThrottle).where(LoginThrottle.scope == "account",
                                                LoginThrottle.key == user.email))
    if replaces:
        old = session.scalar(select(BrowserSession.id).where(
            BrowserSession.secret_hash == domain.hash_secret(replaces)))
        if old is not None:
            end_session(session, old, reason="replaced", now=now)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = rehash_password(password)
    secret = domain.new_secret()
    row = BrowserSession(
        user_id=user.id, secret_hash=domain.hash_secret(secret), created_at=now,
        last_seen_at=now, expires_at=now + timedelta(seconds=settings.session_absolute_seconds),
        ip=ip, user_agent=(user_agent or "")[:200] or None)
    session.add(row)
    session.flush()
    record(session, kind="login.succeeded", category="audit", actor=actor_of(user),
           chain_key="people", at=now,
           payload={"user_id": user.id, "session_id": row.id, "ip": ip})
    return SignInResult(user=user, secret=secret, message="signed in")


def _fail(session: Session, keys: list[tuple[str, str]], *, user: User | None, reason: str,
          ip: str | None, settings: Settings, now: datetime) -> SignInResult:
    _prune(session, now=now, settings=settings)
    counted = {scope: _count_failure(session, scope, key, now=now, settings=settings)
               for scope, key in keys}
    record(session, kind="login.failed", category="audit", actor=ANONYMOUS,
           chain_key="people", at=now,
           payload={"email": keys[0][1], "user_id": user.id if user else None, "ip": ip,
                    "reason": reason, "failures": counted["account"][0]})
    locks = [(scope, key, *counted[scope]) for scope, key in keys if counted[scope][1]]
    for scope, key, failures, until in locks:
        record(session, kind="login.locked", category="audit", actor=SYSTEM,
               chain_key="people", at=now,
               payload={"scope": scope, "key": key, "failures": failures,
                        "locked_until": until.isoformat() if until else None,
                        "seconds": (until - now).total_seconds() if until else None})
    message = ("This account is deactivated; ask an administrator."
               if reason == "deactivated" else f"Not signed in: {INVALID}.")
    if locks:
        wait = domain.retry_after(max(until for *_, until in locks if until), now)
        return SignInResult(retry_after=wait,
                            message=f"Too many failed sign-ins. Try again in {wait} s.")
    return SignInResult(user=None, message=message)


@dataclass(frozen=True)
class SessionCheck:
    """A session looked up from its cookie: alive (`current`), or `ended` with the reason.
    `wrote` says the check changed a row, which the caller commits even for a read."""

    current: BrowserSession | None = None
    ended: str | None = None
    wrote: bool = False


def check_session(session: Session, secret: str, *, settings: Settings,
                  now: datetime | None = None) -> SessionCheck:
    """The session this cookie belongs to, ending it here if it has run out."""
    now = now or utcnow()
    row = session.scalar(select(BrowserSession).where(
        BrowserSession.secret_hash == domain.hash_secret(secret)))
    if row is None:
        return SessionCheck(ended="unknown")
    if row.ended_at is not None:
        return SessionCheck(ended=row.end_reason or "ended")
    idle = timedelta(seconds=settings.session_idle_seconds)
    reason = domain.session_end_reason(last_seen_at=row.last_seen_at, expires_at=row.expires_at,
                                       now=now, idle=idle)
    if reason is None and not row.user.active:
        reason = "deactivated"
    if reason is not None:
        end_session(session, row.id, reason=reason, now=now)
        return SessionCheck(ended=reason, wrote=True)
    if now - row.last_seen_at >= domain.touch_interval(idle):
        session.execute(update(BrowserSession).where(BrowserSession.id == row.id)
                        .values(last_seen_at=now))
        return SessionCheck(current=row, wrote=True)
    return SessionCheck(current=row)


def sign_out(session: Session, current: BrowserSession, *, now: datetime | None = None) -> None:
    """End this session (the browser's cookie is cleared by the caller)."""
    now = now or utcnow()
    if end_session(session, current.id, reason="logout", now=now):
        record(session, kind="logout", category="audit", actor=actor_of(current.user),
               chain_key="people", at=now,
               payload={"user_id": current.user_id, "session_id": current.id})


def scopes_of(user: User) -> frozenset[str]:
    """A browser session may read and write; an admin's may also administer."""
    return frozenset({"read", "write", "admin"} if user.role == Role.ADMIN else {"read", "write"})
