"""Security headers, body size limits, rate limits, and no internals in error answers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from integrity_desk.api.app import create_app
from integrity_desk.api.hardening import CONTENT_SECURITY_POLICY
from integrity_desk.cases import repository
from integrity_desk.db import Database
from integrity_desk.settings import Settings
from tests import factories
from tests.conftest import Person


def _client(db: Database, **settings: Any) -> TestClient:
    app = create_app(db, Settings(secret_key="test-secret", **settings))
    return TestClient(app, raise_server_exceptions=False)


def test_every_answer_carries_the_security_headers(client: TestClient,
                                                   specialist: Person) -> None:
    for r in (client.get("/healthz"), client.get("/api/v1/cases", headers=specialist.headers),
              client.get("/api/v1/cases"), client.get("/nowhere")):
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    script_src = next(d for d in CONTENT_SECURITY_POLICY.split("; ")
                      if d.startswith("script-src"))
    assert script_src == "script-src 'self'"  # no inline script, nothing from elsewhere
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    api = client.get("/api/v1/cases", headers=specialist.headers)
    assert api.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in api.headers  # plain HTTP here


def test_hsts_only_over_https(db: Database, specialist: Person) -> None:
    with _client(db) as c:
        c.base_url = c.base_url.copy_with(scheme="https")
        r = c.get("/api/v1/me", headers=specialist.headers)
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_a_body_over_the_limit_is_refused_and_nothing_is_stored(
        db: Database, specialist: Person) -> None:
    with _client(db, max_body_bytes=2_000) as c:
        big = factories.flag("r-big", reason="x" * 5_000)
        r = c.post("/api/v1/cases", json=big, headers=specialist.headers)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "too_large"
        assert r.json()["error"]["field"] == "body"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert c.get("/api/v1/cases", headers=specialist.headers).json()["items"] == []
        # The batch route has a larger limit of its own.
        batch = {"items": [factories.flag(f"r{i}") for i in range(20)]}
        r = c.post("/api/v1/cases/batch", json=batch, headers=specialist.headers)
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 20


def test_a_chunked_body_is_counted_as_it_streams(db: Database, specialist: Person) -> None:
    def chunks() -> Any:  # no Content-Length: the limit must hold while reading
        yield b'{"kind": "flag", "reason": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    with _client(db, max_body_bytes=2_000) as c:
        r = c.post("/api/v1/cases", content=chunks(), headers={
            **specialist.headers, "content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def _limited(db: Database, storage: str, make_person: Callable[..., Person]) -> None:
    a, b = make_person("specialist"), make_person("specialist")
    with _client(db, rate_limit_per_token="3/minute", rate_limit_per_address="1000/minute",
                 rate_limit_storage=storage) as c:
        assert [c.get("/api/v1/me", headers=a.headers).status_code for _ in range(3)] == [
            200] * 3
        r = c.get("/api/v1/me", headers=a.headers)
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["error"]["code"] == "rate_limited"
        assert r.headers["x-frame-options"] == "DENY"
        # Another token is counted on its own.
        assert c.get("/api/v1/me", headers=b.headers).status_code == 200


def test_each_token_is_limited_on_its_own(db: Database,
                                          make_person: Callable[..., Person]) -> None:
    _limited(db, "memory://", make_person)


def test_limits_can_be_shared_through_redis(db: Database,
                                            make_person: Callable[..., Person]) -> None:
    _limited(db, "redis://127.0.0.1:6379", make_person)


def test_each_address_is_limited_even_without_a_token(db: Database) -> None:
    # A fresh address per test run: counters of an earlier run must not decide this one.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    app = create_app(db, Settings(secret_key="t", rate_limit_per_address="2/minute"))
    with TestClient(app, client=(address, 5000), raise_server_exceptions=False) as c:
        assert [c.get("/api/v1/cases").status_code for _ in range(2)] == [401, 401]
        assert c.get("/api/v1/cases").status_code == 429
        assert c.get("/healthz").status_code == 200  # health checks are never limited


def test_no_stack_trace_or_sql_reaches_a_client(client: TestClient, specialist: Person,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise OperationalError("SELECT secret_column FROM cases", {}, Exception("boom"))

    monkeypatch.setattr(repository, "list_cases", broken)
    r = client.get("/api/v1/cases", headers=specialist.headers)
    assert r.status_code == 500
    assert r.json() == {"error": {"code": "internal", "message": "internal error"}}
    assert "SELECT" not in r.text and "Traceback" not in r.text
