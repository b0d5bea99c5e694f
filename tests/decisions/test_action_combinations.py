"""Several actions on one subject in one decision: one statement carrying all of them, and four
eyes that can approve it. Contradictory and no-op actions are refused before anything is
recorded, stated or sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.dsa.validation import validate_statement
from integrity_desk.messages.models import OutboxMessage
from tests import factories
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide

API = "/api/v1"
SHOP = "business:shop.example.com"


def _statements(db: Database) -> list[DsaStatement]:
    with db.session() as s:
        return list(s.scalars(select(DsaStatement).order_by(DsaStatement.id)))


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (Decision, DsaStatement, OutboxMessage))


def test_two_restrictions_on_one_business_make_one_statement_that_can_be_approved(
        client: TestClient, db: Database, specialist: Person, manager: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [
        {"action": "consumer_warning", "subject": SHOP, "duration_days": 90,
         "label": "We removed fake reviews of this business"},
        {"action": "restrict_business_features", "subject": SHOP, "duration_days": 30}],
        guideline="review_pressure")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "awaiting_approval"
    approved = client.post(f"{API}/decisions/{r.json()['id']}/approve", json={},
                           headers=manager.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "applied"
    [statement] = _statements(db)
    wire = statement.statement
    assert validate_statement(wire) == []
    assert statement.subject_ref == SHOP
    assert wire["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_LABELLED"]
    assert wire["decision_provision"] == "DECISION_PROVISION_PARTIAL_SUSPENSION"
    assert wire["end_date_visibility_restriction"] != wire["end_date_service_restriction"]
    assert wire["account_type"] == "ACCOUNT_TYPE_BUSINESS"


def test_hide_and_label_on_one_review_are_one_statement(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [
        {"action": "hide_pending_investigation", "subject": "review:r1", "duration_days": 14},
        {"action": "label_review", "subject": "review:r1", "label": "Under investigation"}])
    assert r.status_code == 201, r.text
    [statement] = _statements(db)
    assert statement.statement["decision_visibility"] == [
        "DECISION_VISIBILITY_CONTENT_DISABLED", "DECISION_VISIBILITY_CONTENT_LABELLED"]
    # The label is indefinite, so the visibility restriction as a whole has no end date.
    assert "end_date_visibility_restriction" not in statement.statement or \
        statement.statement["end_date_visibility_restriction"] is None
    assert validate_statement(statement.statement) == []


def _refused(r: Any, field: str, actions: list[str]) -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["field"], error["actions"]) == (field, actions), error
    return str(error["message"])


def test_contradictory_actions_are_refused_naming_both(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    before = _counts(db)
    message = _refused(_decide(client, specialist, key, [
        {"action": "remove_review", "subject": "review:r1"},
        {"action": "restore_review", "subject": "review:r1"}]), "actions.1",
        ["remove_review", "restore_review"])
    assert "contradict" in message and "review:r1" in message
    _refused(_decide(client, specialist, key, [
        {"action": "remove_review", "subject": "review:r1"},
        {"action": "remove_review", "subject": "review:r1"}]), "actions.1", ["remove_review"])
    _refused(_decide(client, specialist, key, [
        {"action": "restrict_business_features", "subject": SHOP},
        {"action": "end_business_features", "subject": SHOP}], guideline="review_pressure"),
        "actions.1", ["restrict_business_features", "end_business_features"])
    assert _counts(db) == before  # no decision, statement or letter for a refused decision


def test_actions_that_change_nothing_are_refused(
        client: TestClient, db: Database, specialist: Person, manager: Person,
        make_person: Callable[..., Person]) -> None:
    key = _claimed_flag(client, specialist)
    message = _refused(_decide(client, specialist, key, [
        {"action": "restore_review", "subject": "review:r1"}]), "actions.0",
        ["restore_review"])
    assert "already published" in message
    first = _decide(client, specialist, key, [
        {"action": "remove_review", "subject": "review:r1"},
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 60}])
    assert first.status_code == 201, first.text
    assert client.post(f"{API}/decisions/{first.json()['id']}/approve", json={},
                       headers=manager.headers).status_code == 200
    other = make_person("specialist")
    again = _claimed_flag(client, other, ref="r2")  # same reviewer u1, another review
    _refused(_decide(client, other, again, [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 30}]),
        "actions.0", ["suspend_reviewer"])
    # A longer suspension than the one running is a real change.
    r = _decide(client, other, again, [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 90}])
    assert r.status_code == 201, r.text


def test_removing_a_removed_review_is_refused(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    key = _claimed_flag(client, specialist)
    assert _decide(client, specialist, key, [
        {"action": "remove_review", "subject": "review:r1"}]).status_code == 201
    # A notice about the same review opens an investigation that tries to remove it again.
    other = make_person("specialist")
    inv = client.post(f"{API}/cases", headers=other.headers, json={
        "kind": "investigation", "title": "Ring", "description": "Same template",
        "reviews": [{"ref": "r1"}]}).json()["case"]["key"]
    client.post(f"{API}/cases/{inv}/claim", headers=other.headers)
    message = _refused(_decide(client, other, inv, [
        {"action": "remove_review", "subject": "review:r1"}]), "actions.0", ["remove_review"])
    assert "already removed" in message


def test_approval_is_refused_when_the_subject_changed_meanwhile(
        client: TestClient, db: Database, specialist: Person, manager: Person,
        make_person: Callable[..., Person]) -> None:
    key = _claimed_flag(client, specialist)
    proposed = _decide(client, specialist, key, [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 30}])
    assert proposed.json()["status"] == "awaiting_approval"
    other = make_person("specialist")
    second = _claimed_flag(client, other, ref="r2")
    longer = _decide(client, other, second, [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 365}])
    client.post(f"{API}/decisions/{longer.json()['id']}/approve", json={},
                headers=manager.headers)
    r = client.post(f"{API}/decisions/{proposed.json()['id']}/approve", json={},
                    headers=manager.headers)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["actions"] == ["suspend_reviewer"]
    with db.session() as s:
        assert s.get(Decision, proposed.json()["id"]).status == "awaiting_approval"


def test_an_appeals_new_actions_are_checked_against_the_subjects_after_the_reversal(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    """A notifier's appeal against "no action" may end in a removal, but not in a removal of a
    removed review nor in two actions that undo each other."""
    key = _claimed_flag(client, specialist)
    assert _decide(client, specialist, key, [{"action": "keep", "subject": "review:r1"}],
                   outcome="no_action", territorial_scope=[]).status_code == 201
    colleague = make_person("specialist")
    r = client.post(f"{API}/cases", json={**_appeal_body(key), "appellant_type": "notifier"},
                    headers=colleague.headers)
    appeal = r.json()["case"]["key"]
    client.post(f"{API}/cases/{appeal}/claim", headers=colleague.headers)
    body = {"outcome": "overturned", "reasoning": "The review is fake after all.",
            "territorial_scope": ["DE"],
            "actions": [{"action": "remove_review", "subject": "review:r1"},
                        {"action": "restore_review", "subject": "review:r1"}]}
    refused = client.post(f"{API}/cases/{appeal}/appeal-outcome", json=body,
                          headers=colleague.headers)
    _refused(refused, "actions.1", ["remove_review", "restore_review"])
    body["actions"] = body["actions"][:1]
    ok = client.post(f"{API}/cases/{appeal}/appeal-outcome", json=body,
                     headers=colleague.headers)
    assert ok.status_code == 201, ok.text


def _appeal_body(contested: str) -> dict[str, Any]:
    return factories.appeal(contested)
