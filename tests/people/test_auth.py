"""Authentication baseline: every route but /healthz needs a valid token; roles limit writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import utcnow
from integrity_desk.errors import InvalidInput
from integrity_desk.people.models import ApiToken, Role, User
from integrity_desk.people.service import check_password, create_token, hash_password
from tests import factories as f

PUBLIC = {("GET", "/healthz")}


def _routes(app):
    for path, item in app.openapi()["paths"].items():
        for method in item:
            yield method.upper(), path


def _concrete(path: str) -> str:
    return path.replace("{key}", "FLG-1").replace("{slug}", "flags")


def test_every_route_but_healthz_needs_a_token(client, app):
    routes = list(_routes(app))
    assert len(routes) >= 20
    for method, path in routes:
        r = client.request(method, _concrete(path), json={})
        if (method, path) in PUBLIC:
            assert r.status_code == 200
            continue
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json()["error"]["code"] == "unauthenticated"
        assert r.headers["www-authenticate"] == "Bearer"


def test_the_openapi_document_needs_a_token_or_a_session(client, make_person, sign_in):
    """Issue 16: /openapi.json maps every route and limit, so it is not public. A token of
    any role or a signed-in browser reads it; Swagger UI and ReDoc are not served at all."""
    anonymous = client.get("/openapi.json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    for role in Role:
        r = client.get("/openapi.json", headers=make_person(role.value, scopes=["read"]).headers)
        assert r.status_code == 200, (role, r.text)
        assert "/api/v1/cases" in r.json()["paths"] and "/openapi.json" not in r.json()["paths"]
    viewer = make_person("viewer", scopes=["read"])
    browser = sign_in(make_person("specialist"))
    assert browser.client.get("/openapi.json").json()["info"]["title"] == "Integrity Desk"
    for path in ("/docs", "/redoc"):
        assert client.get(path, headers=viewer.headers).status_code == 404, path


def test_bad_and_malformed_tokens_are_401(client):
    for header in ("Bearer idk_nope", "Basic abc", "Bearer ", "idk_x"):
        r = client.get("/api/v1/cases", headers={"Authorization": header})
        assert r.status_code == 401, header


def test_expired_and_revoked_tokens_are_refused(client, db, specialist):
    assert client.get("/api/v1/me", headers=specialist.headers).status_code == 200
    with db.session() as s:
        s.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = client.get("/api/v1/me", headers=specialist.headers)
    assert r.status_code == 401
    assert "expired" in r.json()["error"]["message"]
    with db.session() as s:
        s.execute(update(ApiToken).values(expires_at=None, revoked_at=utcnow()))
    assert client.get("/api/v1/me", headers=specialist.headers).status_code == 401


def test_token_is_stored_hashed_and_last_use_recorded(client, db, specialist):
    client.get("/api/v1/me", headers=specialist.headers)
    with db.session() as s:
        token = s.scalar(select(ApiToken).where(ApiToken.user_id == specialist.user.id))
        assert token.token_hash != specialist.token
        assert specialist.token not in token.token_hash
        assert token.last_used_at is not None


def test_read_scope_cannot_write(client, make_person):
    reader = make_person("specialist", scopes=["read"])
    assert client.get("/api/v1/cases", headers=reader.headers).status_code == 200
    r = client.post("/api/v1/cases", json=f.flag(), headers=reader.headers)
    assert r.status_code == 403
    assert "write" in r.json()["error"]["message"]


@pytest.mark.parametrize("role", ["viewer", "policy"])
def test_read_only_roles_cannot_change_cases(client, make_person, specialist, role):
    key = client.post("/api/v1/cases", json=f.flag(), headers=specialist.headers).json()[
        "case"]["key"]
    person = make_person(role)
    assert client.get(f"/api/v1/cases/{key}", headers=person.headers).status_code == 200
    for path, body in ((f"/api/v1/cases/{key}/comments", {"body": "hi"}),
                       ("/api/v1/cases", f.flag(ref="r2")),
                       (f"/api/v1/cases/{key}/transition", {"action": "start"})):
        r = client.post(path, json=body, headers=person.headers)
        assert r.status_code == 403, path


def test_only_managers_change_configuration(client, specialist, manager):
    rules = client.get("/api/v1/triage/rules", headers=specialist.headers).json()
    assert client.put("/api/v1/triage/rules", json=rules,
                      headers=specialist.headers).status_code == 403
    assert client.put("/api/v1/triage/rules", json=rules,
                      headers=manager.headers).status_code == 200


def test_only_admins_manage_users(client, make_person, manager):
    admin = make_person("admin")
    body = {"email": "new@desk.example.com", "name": "New Person", "role": "agent"}
    assert client.post("/api/v1/users", json=body, headers=manager.headers).status_code == 403
    r = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "agent"
    again = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "email"
    bad = client.post("/api/v1/users", json={**body, "email": "x@desk.example.com",
                                             "role": "boss"}, headers=admin.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "role"


def test_tokens_created_over_api_work_and_cannot_escalate_scope(client, make_person):
    person = make_person("specialist", scopes=["read", "write"])
    r = client.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"]},
                    headers=person.headers)
    assert r.status_code == 201
    secret = r.json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()[
        "email"] == person.user.email
    r = client.post("/api/v1/tokens", json={"name": "x", "scopes": ["admin"]},
                    headers=person.headers)
    assert r.status_code == 403


def test_a_token_with_no_scopes_is_refused_never_widened(client, db, make_person):
    """Issue 16: an empty scope list once became read and write; now it is a 422 naming
    `scopes`, over the API and in the service the CLI shares, and no token is stored."""
    person = make_person("specialist", scopes=["read", "write"])
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(ApiToken))
    for scopes in ([], ["read", "nope"], ["read", "read", "read", "read"]):
        r = client.post("/api/v1/tokens", json={"name": "empty", "scopes": scopes},
                        headers=person.headers)
        assert r.status_code == 422, (scopes, r.text)
        assert r.json()["error"]["field"].startswith("scopes"), r.json()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == before
        user = s.get(User, person.user.id)
        with pytest.raises(InvalidInput) as refused:
            create_token(s, user=user, scopes=[], actor=SYSTEM)
        assert refused.value.field == "scopes"
        assert create_token(s, user=user, scopes=["read", "read"], actor=SYSTEM
                            ).token.scopes == ["read"]
        assert create_token(s, user=user, actor=SYSTEM).token.scopes == ["read", "write"]


def test_passwords_are_argon2_and_policy_enforced():
    digest = hash_password("correct horse battery")
    assert digest.startswith("$argon2id$")
    from integrity_desk.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        hash_password("short")
    assert exc.value.field == "password"

    class U:
        password_hash = digest

    assert check_password(U(), "correct horse battery")  # type: ignore[arg-type]
    assert not check_password(U(), "wrong horse battery")  # type: ignore[arg-type]


def test_bad_input_never_500s(client, specialist):
    for body in ([], "x", {"kind": "nope"}, {"kind": "flag"}, {"items": "x"}):
        r = client.post("/api/v1/cases", json=body, headers=specialist.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"]
    r = client.post("/api/v1/cases", content=b"{not json", headers={
        **specialist.headers, "content-type": "application/json"})
    assert r.status_code == 422
