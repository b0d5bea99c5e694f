"""Signing in and out over HTTP: cookies, login CSRF, throttling, rotation, expiry, audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from integrity_desk.api.app import create_app
from integrity_desk.audit.models import AuditEvent
from integrity_desk.auth.domain import hash_secret
from integrity_desk.auth.models import BrowserSession, LoginThrottle
from integrity_desk.db import Database, utcnow
from integrity_desk.people import passwords
from integrity_desk.people.models import User
from integrity_desk.settings import Settings
from tests.conftest import PASSWORD, Browser, Person, form_token


def _events(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.chain_key == "people",
                                                  AuditEvent.kind == kind)
                         .order_by(AuditEvent.id))
        return [json.loads(e.payload) for e in rows]


def _with_password(db: Database, person: Person) -> Person:
    with db.session() as s:
        s.get(User, person.user.id).password_hash = passwords.hash_password(PASSWORD)
    return person


def _attempt(client: TestClient, email: str, password: str, **extra: str) -> Any:
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token, **extra}, follow_redirects=False)


@pytest.fixture
def person(db: Database, make_person: Callable[..., Person]) -> Person:
    return _with_password(db, make_person("specialist"))


def test_login_page_is_a_labelled_form_with_a_login_csrf_cookie(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert '<label for="email">' in r.text and '<label for="password">' in r.text
    assert 'autocomplete="current-password"' in r.text
    cookie = r.headers["set-cookie"]
    assert "idesk_login=" in cookie and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie and "Path=/login" in cookie


def test_sign_in_sets_a_hardened_session_cookie_and_stores_only_its_hash(
        client: TestClient, db: Database, person: Person) -> None:
    r = _attempt(client, person.user.email, PASSWORD, next="/account")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("idesk_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    secret = client.cookies["idesk_session"]
    with db.session() as s:
        row = s.scalar(select(BrowserSession))
        assert row.secret_hash == hash_secret(secret) and secret not in row.secret_hash
        assert row.user_id == person.user.id and row.ip == "testclient"
        assert row.expires_at - row.created_at == timedelta(hours=12)
    assert client.get("/").status_code == 200
    assert _events(db, "login.succeeded")[0]["user_id"] == person.user.id


def test_next_never_redirects_off_site(client: TestClient, person: Person) -> None:
    r = _attempt(client, person.user.email, PASSWORD, next="https://evil.example/")
    assert r.headers["location"] == "/"


def test_cookie_is_secure_over_https_and_behind_a_trusted_proxy_only(
        app: Any, db: Database, person: Person) -> None:
    with TestClient(app, base_url="https://desk.example") as https:
        r = _attempt(https, person.user.email, PASSWORD)
        assert "Secure" in r.headers["set-cookie"]
    forwarded = {"X-Forwarded-Proto": "https"}
    with TestClient(app, headers=forwarded) as untrusted:
        assert "Secure" not in _attempt(untrusted, person.user.email, PASSWORD).headers[
            "set-cookie"]
    trusting = create_app(db, Settings(secret_key="test-secret", trust_proxy=True))
    with TestClient(trusting, headers={**forwarded, "X-Forwarded-For": "203.0.113.7"}) as proxied:
        form = proxied.get("/login")
        assert "Secure" in form.headers["set-cookie"]
        # The test client speaks plain HTTP to the app, so it keeps the Secure cookie back.
        proxied.cookies.set("idesk_login", form.cookies["idesk_login"])
        r = proxied.post("/login", data={"email": person.user.email, "password": PASSWORD,
                                         "csrf_token": form_token(form.text)},
                         follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]
    with db.session() as s:
        assert "203.0.113.7" in set(s.scalars(select(BrowserSession.ip)))


def test_login_form_refuses_a_post_without_its_token_or_cookie(
        app: Any, client: TestClient, db: Database, person: Person) -> None:
    """Login CSRF: another site cannot sign this browser into an account of its choosing."""
    client.get("/login")
    forged = client.post("/login", data={"email": person.user.email, "password": PASSWORD,
                                         "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and "Sign-in form expired" in forged.text
    with TestClient(app) as fresh:  # no nonce cookie at all
        token = form_token(client.get("/login").text)
        r = fresh.post("/login", data={"email": person.user.email, "password": PASSWORD,
                                       "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403
    with db.session() as s:
        assert s.scalar(select(BrowserSession)) is None


def test_wrong_password_and_unknown_account_look_the_same_and_are_audited(
        client: TestClient, db: Database, person: Person) -> None:
    wrong = _attempt(client, person.user.email, "not-the-password-1")
    unknown = _attempt(client, "nobody@desk.example.com", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert "the e-mail or the password is not right" in wrong.text
    assert "the e-mail or the password is not right" in unknown.text
    failed = _events(db, "login.failed")
    assert [(e["reason"], e["user_id"]) for e in failed] == [
        ("wrong_password", person.user.id), ("unknown_account", None)]
    assert all(e["ip"] == "testclient" for e in failed)
    assert "password" not in json.dumps([{k: v for k, v in e.items() if k != "reason"}
                                         for e in failed])


def test_repeated_failures_lock_the_account_with_a_growing_back_off(
        client: TestClient, db: Database, person: Person) -> None:
    email = person.user.email
    for _ in range(4):
        assert _attempt(client, email, "not-the-password-1").status_code == 401
    fifth = _attempt(client, email, "not-the-password-1")
    assert fifth.status_code == 429 and fifth.headers["retry-after"] == "1"
    assert "Try again in 1 s" in fifth.text
    # While locked even the right password is refused, and not even checked.
    locked = _attempt(client, email, PASSWORD)
    assert locked.status_code == 429 and "idesk_session" not in client.cookies
    assert [e["seconds"] for e in _events(db, "login.locked")] == [1.0]
    # The lock runs out; the next failure locks for twice as long.
    with db.session() as s:
        s.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    sixth = _attempt(client, email, "not-the-password-1")
    assert sixth.status_code == 429 and sixth.headers["retry-after"] == "2"
    assert [e["seconds"] for e in _events(db, "login.locked")] == [1.0, 2.0]
    with db.session() as s:
        s.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert _attempt(client, email, PASSWORD).status_code == 303
    with db.session() as s:  # success forgets the account's failures
        assert s.scalar(select(LoginThrottle).where(LoginThrottle.scope == "account")) is None
    assert len(_events(db, "login.failed")) == 6


def test_an_unknown_account_is_locked_like_a_real_one(client: TestClient) -> None:
    codes = [_attempt(client, "ghost@desk.example.com", "not-the-password-1").status_code
             for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]


def test_one_address_trying_many_accounts_is_locked(db: Database, person: Person) -> None:
    app = create_app(db, Settings(secret_key="test-secret", login_ip_lock_after=3))
    with TestClient(app) as client:
        codes = [_attempt(client, f"guess{n}@desk.example.com", "not-the-password-1")
                 .status_code for n in range(3)]
        assert codes == [401, 401, 429]
        assert _attempt(client, person.user.email, PASSWORD).status_code == 429
    assert {e["scope"] for e in _events(db, "login.locked")} == {"ip"}


def test_old_failures_are_forgotten(client: TestClient, db: Database, person: Person) -> None:
    for _ in range(4):
        _attempt(client, person.user.email, "not-the-password-1")
    with db.session() as s:
        s.execute(update(LoginThrottle).values(last_failure_at=utcnow() - timedelta(hours=2)))
    assert _attempt(client, person.user.email, "not-the-password-1").status_code == 401
    with db.session() as s:
        counts = dict(s.execute(select(LoginThrottle.scope, LoginThrottle.failures)).all())
    assert counts == {"account": 1, "ip": 1}


def test_signing_in_always_starts_a_new_session(app: Any, client: TestClient, db: Database,
                                                person: Person) -> None:
    """A session cookie the browser already holds (planted by someone else, or left from an
    earlier sign-in) is never carried across a sign-in: it ends, and a new secret is issued."""
    _attempt(client, person.user.email, PASSWORD)
    planted = client.cookies["idesk_session"]
    with TestClient(app) as other:
        token = form_token(other.get("/login").text)
        other.cookies.set("idesk_session", planted)
        r = other.post("/login", data={"email": person.user.email, "password": PASSWORD,
                                       "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert r.cookies["idesk_session"] != planted
    with db.session() as s:
        old = s.scalar(select(BrowserSession).where(
            BrowserSession.secret_hash == hash_secret(planted)))
        assert old.ended_at is not None and old.end_reason == "replaced"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signed_in_login_page_sends_you_on(client: TestClient, person: Person) -> None:
    _attempt(client, person.user.email, PASSWORD)
    r = client.get("/login?next=/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account"


def _age(db: Database, **values: Any) -> None:
    with db.session() as s:
        s.execute(update(BrowserSession).values(**values))


def test_idle_session_ends(client: TestClient, db: Database, person: Person) -> None:
    _attempt(client, person.user.email, PASSWORD)
    _age(db, last_seen_at=utcnow() - timedelta(minutes=31))
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Faccount&ended=idle"
    assert "idesk_session=\"\"" in r.headers["set-cookie"] or "Max-Age=0" in r.headers[
        "set-cookie"]
    with db.session() as s:
        assert s.scalar(select(BrowserSession.end_reason)) == "idle"
    page = client.get(r.headers["location"])
    assert "without activity" in page.text


def test_activity_keeps_a_session_alive_but_not_past_its_absolute_end(
        client: TestClient, db: Database, person: Person) -> None:
    _attempt(client, person.user.email, PASSWORD)
    _age(db, last_seen_at=utcnow() - timedelta(minutes=20))
    assert client.get("/").status_code == 200
    with db.session() as s:  # the request counted as activity
        assert utcnow() - s.scalar(select(BrowserSession.last_seen_at)) < timedelta(minutes=1)
    _age(db, expires_at=utcnow() - timedelta(seconds=1))
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and "ended=expired" in r.headers["location"]


def test_logout_ends_the_session_after_checking_its_csrf_token(
        client: TestClient, db: Database, person: Person) -> None:
    _attempt(client, person.user.email, PASSWORD)
    secret = client.cookies["idesk_session"]
    refused = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and "Request refused" in refused.text
    assert client.get("/").status_code == 200  # still signed in
    csrf = form_token(client.get("/").text)
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?ended=logout"
    with db.session() as s:
        assert s.scalar(select(BrowserSession.end_reason)) == "logout"
    assert _events(db, "logout")[0]["user_id"] == person.user.id
    client.cookies.set("idesk_session", secret)  # the old cookie is worth nothing now
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_api_accepts_the_session_and_wants_csrf_for_changes(
        sign_in: Callable[..., Browser], make_person: Callable[..., Person]) -> None:
    browser = sign_in(make_person("specialist"))
    api = browser.client
    assert api.get("/api/v1/me").json()["role"] == "specialist"
    refused = api.post("/api/v1/tokens", json={"name": "from page"})
    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "X-CSRF-Token"
    wrong = api.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    made = api.post("/api/v1/tokens", json={"name": "from page"},
                    headers={"X-CSRF-Token": browser.csrf})
    assert made.status_code == 201, made.text
    # A session has no admin scope unless it is an admin's.
    assert api.get("/api/v1/users").status_code == 403
    admin = sign_in(make_person("admin"))
    assert admin.client.get("/api/v1/users").status_code == 200


def test_a_bearer_token_needs_no_csrf_token_even_with_a_cookie(
        sign_in: Callable[..., Browser], specialist: Person) -> None:
    browser = sign_in(specialist)
    r = browser.client.post("/api/v1/tokens", json={"name": "ci"}, headers=specialist.headers)
    assert r.status_code == 201


def test_pages_and_api_send_security_headers(client: TestClient) -> None:
    for path in ("/login", "/healthz", "/static/desk.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
