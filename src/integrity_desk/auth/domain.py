"""The rules of signing in, as pure functions: back-off, session expiry, CSRF tokens, redirects.

Nothing here touches the database or the request, so each rule is tested on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

SESSION_COOKIE = "idesk_session"
LOGIN_COOKIE = "idesk_login"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_secret() -> str:
    """A 256-bit random secret for a cookie."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def backoff_seconds(failures: int, *, lock_after: int, base: float, cap: float) -> float | None:
    """How long a key is locked after its n-th failure: none before `lock_after` failures,
    then `base` seconds, doubling with every further failure, never more than `cap`."""
    if failures < lock_after:
        return None
    exponent = failures - lock_after
    if exponent >= 64:  # 2**64 seconds is past any cap; avoid float overflow
        return cap
    return min(base * 2**exponent, cap)


def retry_after(locked_until: datetime, now: datetime) -> int:
    """Whole seconds to wait, rounded up and at least one (a Retry-After header's value)."""
    return max(1, math.ceil((locked_until - now).total_seconds()))


def session_end_reason(*, last_seen_at: datetime, expires_at: datetime, now: datetime,
                       idle: timedelta) -> str | None:
    """Why a session that has not been ended must end now: 'expired' past its absolute end,
    'idle' after `idle` without a request, or None while it is alive."""
    if now >= expires_at:
        return "expired"
    if now - last_seen_at >= idle:
        return "idle"
    return None


def touch_interval(idle: timedelta) -> timedelta:
    """How often to write a session's last activity: a tenth of the idle timeout, at most a
    minute, so a busy page does not turn every read into a write, yet idle expiry stays close."""
    return min(timedelta(minutes=1), idle / 10)


def csrf_token(session_secret: str) -> str:
    """The synchronizer token of a session: an HMAC of its secret, so it is bound to the
    session, changes when the session is rotated, needs no storage, and does not reveal the
    secret (the cookie stays HttpOnly and out of the page)."""
    return hmac.new(session_secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def login_form_token(server_key: str, nonce: str) -> str:
    """The login form's token: an HMAC of the pre-sign-in cookie's nonce with the server's key
    (a signed double-submit), so another site cannot sign a browser into an account of its own."""
    return hmac.new(server_key.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def safe_next(target: str | None, default: str = "/") -> str:
    """A post-sign-in redirect that stays on this site: a local path, never '//host' or a URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
