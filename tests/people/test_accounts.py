"""Admin account work: password reset, deactivation and reactivation, and API tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.auth.models import BrowserSession
from integrity_desk.db import Database
from tests import factories as f
from tests.conftest import PASSWORD, Browser, Person, form_token

API = "/api/v1"
NEW_PASSWORD = "amber-lantern-river-77"


def _events(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.session() as s:
        return [json.loads(p) for p in s.scalars(
            select(AuditEvent.payload).where(AuditEvent.chain_key == "people",
                                             AuditEvent.kind == kind).order_by(AuditEvent.id))]


def _login(client: TestClient, email: str, password: str) -> Any:
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def admin(make_person: Callable[..., Person]) -> Person:
    return make_person("admin")


def test_admin_resets_a_password_and_every_session_of_that_person_ends(
        client: TestClient, db: Database, admin: Person, specialist: Person,
        sign_in: Callable[..., Browser]) -> None:
    laptop, phone = sign_in(specialist), sign_in(specialist)
    r = client.post(f"{API}/users/{specialist.user.id}/password",
                    json={"password": NEW_PASSWORD}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["sessions_ended"] == 2
    for browser in (laptop, phone):
        page = browser.client.get("/", follow_redirects=False)
        assert page.status_code == 303 and "ended=password_reset" in page.headers["location"]
    assert _login(client, specialist.user.email, PASSWORD).status_code == 401
    assert _login(client, specialist.user.email, NEW_PASSWORD).status_code == 303
    event = _events(db, "user.password_reset")[-1]
    assert event == {"user_id": specialist.user.id, "sessions_ended": 2}
    assert NEW_PASSWORD not in json.dumps(_events(db, "user.password_reset"))


@pytest.mark.parametrize(("password", "says"), [
    ("short", "at least 12"), ("password1234", "common"), ("<email>", "e-mail")])
def test_reset_applies_the_password_policy(client: TestClient, admin: Person,
                                           specialist: Person, password: str, says: str) -> None:
    password = password.replace("<email>", specialist.user.email)
    r = client.post(f"{API}/users/{specialist.user.id}/password", json={"password": password},
                    headers=admin.headers)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "password" and says in r.json()["error"]["message"]


def test_create_applies_the_password_policy(client: TestClient, admin: Person) -> None:
    body = {"email": "new@desk.example.com", "name": "New", "role": "agent",
            "password": "qwertyuiop123"}
    r = client.post(f"{API}/users", json=body, headers=admin.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"


def test_people_with_a_team_are_shown_with_its_name(client: TestClient, admin: Person,
                                                   make_person: Callable[..., Person],
                                                   make_team: Callable[..., Any],
                                                   sign_in: Callable[..., Browser]) -> None:
    agent = make_person("agent", team=make_team("Vendor A", kind="vendor"))
    me = client.get(f"{API}/me", headers=agent.headers)
    assert me.status_code == 200 and me.json()["team"] == "Vendor A"
    assert sign_in(agent).client.get(f"{API}/me").json()["team"] == "Vendor A"
    listed = client.get(f"{API}/users", headers=admin.headers).json()
    assert {u["email"]: u["team"] for u in listed}[agent.user.email] == "Vendor A"


def test_unknown_user_is_404_naming_the_field(client: TestClient, admin: Person) -> None:
    r = client.post(f"{API}/users/999999/deactivate", headers=admin.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "user_id"


def test_deactivation_stops_sign_in_tokens_and_sessions_but_keeps_history(
        client: TestClient, db: Database, admin: Person, manager: Person,
        specialist: Person, sign_in: Callable[..., Browser]) -> None:
    key = client.post(f"{API}/cases", json=f.flag(), headers=manager.headers).json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/assign", json={"assignee": specialist.user.email},
                       headers=manager.headers).status_code == 200
    browser = sign_in(specialist)

    r = client.post(f"{API}/users/{specialist.user.id}/deactivate", headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["active"] is False and r.json()["sessions_ended"] == 1

    page = browser.client.get("/", follow_redirects=False)
    assert page.status_code == 303 and "ended=deactivated" in page.headers["location"]
    token = client.get(f"{API}/me", headers=specialist.headers)
    assert token.status_code == 401 and "deactivated" in token.json()["error"]["message"]
    refused = _login(client, specialist.user.email, PASSWORD)
    assert refused.status_code == 401 and "deactivated" in refused.text
    # History and assignments stay, shown by name.
    case = client.get(f"{API}/cases/{key}", headers=manager.headers).json()
    assert case["assignee"]["name"] == specialist.user.name
    listed = {u["email"]: u["active"] for u in client.get(f"{API}/users",
                                                          headers=admin.headers).json()}
    assert listed[specialist.user.email] is False
    assert _events(db, "user.deactivated")[-1] == {"user_id": specialist.user.id,
                                                   "sessions_ended": 1}
    with db.session() as s:
        assert s.scalar(select(BrowserSession.end_reason)) == "deactivated"

    again = client.post(f"{API}/users/{specialist.user.id}/deactivate", headers=admin.headers)
    assert again.status_code == 409 and again.json()["error"]["field"] == "active"

    back = client.post(f"{API}/users/{specialist.user.id}/reactivate", headers=admin.headers)
    assert back.status_code == 200 and back.json()["user"]["active"] is True
    assert client.get(f"{API}/me", headers=specialist.headers).status_code == 200
    assert _login(client, specialist.user.email, PASSWORD).status_code == 303
    assert _events(db, "user.reactivated") == [{"user_id": specialist.user.id}]
    twice = client.post(f"{API}/users/{specialist.user.id}/reactivate", headers=admin.headers)
    assert twice.status_code == 409


def test_an_admin_cannot_deactivate_themselves(client: TestClient, admin: Person,
                                               make_person: Callable[..., Person]) -> None:
    own = client.post(f"{API}/users/{admin.user.id}/deactivate", headers=admin.headers)
    assert own.status_code == 409 and "own account" in own.json()["error"]["message"]
    other = make_person("admin")
    assert client.post(f"{API}/users/{other.user.id}/deactivate",
                       headers=admin.headers).status_code == 200


def test_the_last_active_admin_cannot_be_deactivated(client: TestClient, db: Database,
                                                     admin: Person) -> None:
    from integrity_desk.audit.service import SYSTEM
    from integrity_desk.errors import Conflict
    from integrity_desk.people import service
    from integrity_desk.people.models import User

    with db.session() as s, pytest.raises(Conflict) as exc:
        service.deactivate_user(s, user=s.get(User, admin.user.id), actor=SYSTEM)
    assert "last active admin" in exc.value.message


def test_tokens_are_listed_without_secrets_and_revoked_by_their_owner(
        client: TestClient, db: Database, make_person: Callable[..., Person]) -> None:
    me = make_person("specialist", scopes=["read", "write"])
    made = client.post(f"{API}/tokens", json={"name": "laptop", "scopes": ["read"]},
                       headers=me.headers).json()
    listed = client.get(f"{API}/tokens", headers=me.headers)
    assert listed.status_code == 200
    assert me.token not in listed.text and made["token"] not in listed.text
    rows = {t["name"]: t for t in listed.json()}
    assert set(rows) == {"cli", "laptop"}
    assert rows["laptop"]["prefix"] == made["token"][:10]
    assert rows["laptop"]["scopes"] == ["read"] and rows["laptop"]["state"] == "active"
    assert rows["cli"]["last_used_at"] is not None  # the listing call itself used it
    assert rows["laptop"]["last_used_at"] is None and rows["laptop"]["expires_at"]

    laptop = {"Authorization": f"Bearer {made['token']}"}
    assert client.get(f"{API}/me", headers=laptop).status_code == 200
    revoked = client.post(f"{API}/tokens/{made['id']}/revoke", headers=me.headers)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert client.get(f"{API}/me", headers=laptop).status_code == 401
    again = client.post(f"{API}/tokens/{made['id']}/revoke", headers=me.headers)
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked.json()[
        "revoked_at"]
    assert _events(db, "token.revoked") == [{"token_id": made["id"], "user_id": me.user.id}]


def test_nobody_revokes_someone_elses_token_through_their_own_route(
        client: TestClient, specialist: Person, make_person: Callable[..., Person]) -> None:
    other = make_person("specialist")
    theirs = client.get(f"{API}/tokens", headers=other.headers).json()[0]["id"]
    r = client.post(f"{API}/tokens/{theirs}/revoke", headers=specialist.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "token_id"
    assert client.get(f"{API}/me", headers=other.headers).status_code == 200


def test_admins_list_and_revoke_anyones_tokens(client: TestClient, db: Database,
                                               admin: Person, specialist: Person) -> None:
    listed = client.get(f"{API}/users/{specialist.user.id}/tokens", headers=admin.headers)
    assert listed.status_code == 200 and specialist.token not in listed.text
    token_id = listed.json()[0]["id"]
    wrong_user = client.post(f"{API}/users/{admin.user.id}/tokens/{token_id}/revoke",
                             headers=admin.headers)
    assert wrong_user.status_code == 404
    r = client.post(f"{API}/users/{specialist.user.id}/tokens/{token_id}/revoke",
                    headers=admin.headers)
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert client.get(f"{API}/me", headers=specialist.headers).status_code == 401
    assert _events(db, "token.revoked")[-1]["user_id"] == specialist.user.id
