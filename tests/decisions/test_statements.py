"""Each restriction gets its statement of reasons: a valid Transparency Database statement
without personal data, and the Art. 17 message to the person restricted."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.dsa.validation import validate_statement
from integrity_desk.forms.tokens import read_appeal_token
from integrity_desk.settings import get_settings
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide

API = "/api/v1"


def _statements(db: Database) -> list[DsaStatement]:
    with db.session() as s:
        return list(s.scalars(select(DsaStatement).order_by(DsaStatement.id)))


def test_a_removal_yields_one_valid_statement_and_a_message(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}],
                facts="Shop Owner reported it; mail owner@shop.example.com for details.").json()
    [statement] = _statements(db)
    wire = statement.statement
    assert validate_statement(wire) == []
    assert (statement.decision_id, statement.subject_ref, statement.status) == (
        d["id"], "review:r1", "queued")
    assert wire["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert wire["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert "version 1" in wire["incompatible_content_ground"]
    assert wire["category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
    assert wire["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert wire["territorial_scope"] == ["DE", "DK", "NL"]
    assert "owner@shop.example.com" not in wire["decision_facts"]
    assert "Shop Owner" not in wire["decision_facts"]  # the requester's name is scrubbed
    messages = client.get(f"{API}/cases/{key}/messages", headers=specialist.headers).json()
    sor = next(m for m in messages if m["kind"] == "statement_of_reasons")
    assert (sor["role"], sor["status"]) == ("review", "no_address")
    for element in ("removed", "Article 17", "/appeal?t="):
        assert element in sor["body"], element
    token = sor["body"].split("/appeal?t=")[1].split()[0]
    link = read_appeal_token(token, settings=get_settings())
    assert (link.decision_id, link.role) == (d["id"], "reviewer")


def test_no_statement_without_a_restriction(client: TestClient, db: Database,
                                            specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    _decide(client, specialist, key, [{"action": "warn_reviewer", "subject": "reviewer:u1"}])
    other = _claimed_flag(client, specialist, "r2")
    _decide(client, specialist, other, [], outcome="no_action", territorial_scope=[])
    assert _statements(db) == []


def test_a_suspension_is_stated_once_approved(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 30}]).json()
    assert _statements(db) == []  # nothing happened yet
    client.post(f"{API}/decisions/{d['id']}/approve", json={},
                headers=make_person("manager").headers)
    [statement] = _statements(db)
    wire = statement.statement
    assert validate_statement(wire) == []
    assert wire["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert wire["account_type"] == "ACCOUNT_TYPE_PRIVATE"
    assert wire["end_date_account_restriction"] is not None


def test_every_default_guideline_yields_a_valid_statement(
        client: TestClient, db: Database, specialist: Person) -> None:
    from integrity_desk.decisions.defaults import GUIDELINES

    for n, g in enumerate(GUIDELINES):
        key = _claimed_flag(client, specialist, f"g{n}")
        r = _decide(client, specialist, key,
                    [{"action": "remove_review", "subject": f"review:g{n}"}], guideline=g["code"])
        assert r.status_code == 201, (g["code"], r.text)
    statements = _statements(db)
    assert len(statements) == len(GUIDELINES)
    assert all(validate_statement(st.statement) == [] for st in statements)
