"""The sign-in rules on their own: back-off, expiry, CSRF tokens, safe redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from integrity_desk.auth import domain

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_backoff_starts_at_the_threshold_doubles_and_is_capped() -> None:
    seq = [domain.backoff_seconds(n, lock_after=5, base=1, cap=60) for n in range(1, 14)]
    assert seq == [None, None, None, None, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert domain.backoff_seconds(10_000, lock_after=5, base=1, cap=900) == 900


@given(st.integers(min_value=0, max_value=10_000))
def test_backoff_never_shrinks(failures: int) -> None:
    now = domain.backoff_seconds(failures, lock_after=5, base=1, cap=900) or 0
    after = domain.backoff_seconds(failures + 1, lock_after=5, base=1, cap=900) or 0
    assert 0 <= now <= after <= 900


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    assert domain.retry_after(T0 + timedelta(seconds=1.2), T0) == 2
    assert domain.retry_after(T0 + timedelta(seconds=2), T0) == 2
    assert domain.retry_after(T0, T0) == 1


def test_session_ends_when_idle_or_past_its_absolute_end() -> None:
    idle = timedelta(minutes=30)
    end = T0 + timedelta(hours=12)
    alive = domain.session_end_reason(last_seen_at=T0, expires_at=end,
                                      now=T0 + timedelta(minutes=29), idle=idle)
    assert alive is None
    assert domain.session_end_reason(last_seen_at=T0, expires_at=end,
                                      now=T0 + idle, idle=idle) == "idle"
    # Activity never carries a session past its absolute end.
    assert domain.session_end_reason(last_seen_at=end - timedelta(seconds=1), expires_at=end,
                                      now=end, idle=idle) == "expired"


def test_touch_interval_keeps_idle_expiry_close() -> None:
    assert domain.touch_interval(timedelta(minutes=30)) == timedelta(minutes=1)
    assert domain.touch_interval(timedelta(seconds=20)) == timedelta(seconds=2)


def test_csrf_token_is_bound_to_the_session_and_hides_its_secret() -> None:
    a, b = domain.new_secret(), domain.new_secret()
    assert a != b and len(a) >= 43
    assert domain.csrf_token(a) == domain.csrf_token(a) != domain.csrf_token(b)
    assert a not in domain.csrf_token(a)
    assert domain.tokens_match(domain.csrf_token(a), domain.csrf_token(a))
    assert not domain.tokens_match(domain.csrf_token(a), domain.csrf_token(b))
    assert not domain.tokens_match(domain.csrf_token(a), None)
    assert not domain.tokens_match(domain.csrf_token(a), "")


def test_login_form_token_needs_the_server_key() -> None:
    nonce = domain.new_secret()
    assert domain.login_form_token("k1", nonce) != domain.login_form_token("k2", nonce)
    assert domain.login_form_token("k1", nonce) != domain.login_form_token("k1", "other")


def test_session_secret_is_stored_as_its_hash() -> None:
    secret = domain.new_secret()
    assert domain.hash_secret(secret) != secret and len(domain.hash_secret(secret)) == 64


def test_safe_next_keeps_local_paths_only() -> None:
    assert domain.safe_next("/account?tab=tokens") == "/account?tab=tokens"
    for bad in ("https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:x",
                "", None, "account", "/\nx"):
        assert domain.safe_next(bad) == "/", bad


@given(st.text())
def test_safe_next_never_leaves_the_site(target: str) -> None:
    result = domain.safe_next(target)
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result
