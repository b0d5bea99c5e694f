"""Appeals (DSA Art. 20) and out-of-court disputes (Art. 21) over the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.subjects.models import Review, Reviewer
from tests import factories as f
from tests.conftest import Person
from tests.decisions.test_decisions_api import EU, _claimed_flag, _decide, _timeline_kinds

API = "/api/v1"


def _appeal(client: TestClient, person: Person, contested: str, **over: Any) -> str:
    r = client.post(f"{API}/cases", json=f.appeal(contested, **over), headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def _outcome(client: TestClient, person: Person, key: str, outcome: str, **over: Any) -> Any:
    body = {"outcome": outcome, "reasoning": "The receipt shows a genuine purchase.", **over}
    return client.post(f"{API}/cases/{key}/appeal-outcome", json=body, headers=person.headers)


def _status(db: Database, ref: str) -> str:
    with db.session() as s:
        return s.scalars(select(Review.status).where(Review.ref == ref)).one()


def test_an_overturn_by_someone_else_restores_the_review(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    original = _claimed_flag(client, specialist)
    decided = _decide(client, specialist, original,
                      [{"action": "remove_review", "subject": "review:r1"}]).json()
    assert _status(db, "r1") == "removed"
    colleague = make_person("specialist")
    appeal = _appeal(client, colleague, original)
    # The person who decided may not decide the appeal.
    r = _outcome(client, specialist, appeal, "overturned")
    assert r.status_code == 403, r.text
    r = _outcome(client, colleague, appeal, "overturned")
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["kind"], out["outcome"], out["appeal_of_id"], out["automated_decision"]) == (
        "appeal_outcome", "overturned", decided["id"], "not_automated")
    assert _status(db, "r1") == "published"
    [action] = client.get(f"{API}/cases/{original}/decisions",
                          headers=colleague.headers).json()[0]["actions"]
    assert action["closed_at"] is not None
    assert client.get(f"{API}/cases/{appeal}", headers=colleague.headers).json()[
        "status"] == "decided"
    assert "appeal.decided" in _timeline_kinds(client, colleague, original)
    again = _outcome(client, colleague, appeal, "upheld")
    assert again.status_code == 409


def test_a_manager_may_override_with_a_reason_on_the_record(
        client: TestClient, db: Database, manager: Person) -> None:
    original = _claimed_flag(client, manager)
    _decide(client, manager, original, [{"action": "remove_review", "subject": "review:r1"}])
    appeal = _appeal(client, manager, original)
    assert _outcome(client, manager, appeal, "upheld").status_code == 403
    r = _outcome(client, manager, appeal, "upheld",
                 override_reason="Only manager on duty; the team lead is on leave.")
    assert r.status_code == 201, r.text
    kinds = _timeline_kinds(client, manager, appeal)
    assert "appeal.override" in kinds
    assert _status(db, "r1") == "removed"  # upheld: nothing changes


def test_partly_overturned_reverses_only_the_named_actions(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    original = _claimed_flag(client, specialist)
    decided = _decide(client, specialist, original, [
        {"action": "remove_review", "subject": "review:r1"},
        {"action": "warn_reviewer", "subject": "reviewer:u1"}]).json()
    warn = next(a["id"] for a in decided["actions"] if a["action"] == "warn_reviewer")
    other = make_person("specialist")
    appeal = _appeal(client, other, original)
    for body, field in [({"reverse_action_ids": [999_999]}, "reverse_action_ids"),
                        ({"reverse_action_ids": []}, "reverse_action_ids")]:
        r = _outcome(client, other, appeal, "partly_overturned", **body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field
    r = _outcome(client, other, appeal, "upheld", reverse_action_ids=[warn])
    assert r.status_code == 422
    r = _outcome(client, other, appeal, "partly_overturned", reverse_action_ids=[warn])
    assert r.status_code == 201, r.text
    with db.session() as s:
        assert s.scalars(select(Reviewer.warning_count).where(Reviewer.ref == "u1")).one() == 0
    assert _status(db, "r1") == "removed"


def test_a_notifiers_appeal_against_no_action_can_end_in_a_removal(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    original = _claimed_flag(client, specialist)
    r = _decide(client, specialist, original, [], outcome="no_action", territorial_scope=[])
    assert r.status_code == 201, r.text
    other = make_person("specialist")
    appeal = _appeal(client, other, original, appellant_type="notifier")
    r = _outcome(client, other, appeal, "overturned",
                 actions=[{"action": "remove_review", "subject": "review:r1"}])
    assert r.status_code == 422 and r.json()["error"]["field"] == "territorial_scope"
    r = _outcome(client, other, appeal, "overturned", territorial_scope=EU,
                 actions=[{"action": "remove_review", "subject": "review:r1"}])
    assert r.status_code == 201, r.text
    assert _status(db, "r1") == "removed"
    assert [a["action"] for a in r.json()["actions"]] == ["remove_review"]


def test_out_of_court_disputes_are_tracked_to_the_end(
        client: TestClient, specialist: Person, make_person: Callable[..., Person]) -> None:
    original = _claimed_flag(client, specialist)
    _decide(client, specialist, original, [{"action": "remove_review", "subject": "review:r1"}])
    other = make_person("specialist")
    appeal = _appeal(client, other, original)
    _outcome(client, other, appeal, "upheld")
    submitted = datetime.now(UTC) - timedelta(days=30)
    r = client.post(f"{API}/cases/{appeal}/disputes", headers=other.headers, json={
        "body": "User Rights ADR", "reference": "URA-2026-118",
        "submitted_at": submitted.isoformat()})
    assert r.status_code == 201, r.text
    dispute = r.json()
    assert dispute["decision_id"] is not None
    url = f"{API}/disputes/{dispute['id']}"
    for body, field in [({"outcome": "maybe"}, "outcome"),
                        ({"implemented": True}, "implemented_at"),
                        ({"decided_at": (submitted - timedelta(days=1)).isoformat()},
                         "decided_at")]:
        r = client.patch(url, json=body, headers=other.headers)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    decided_at = submitted + timedelta(days=20)
    r = client.patch(url, headers=other.headers, json={
        "outcome": "in_favour_of_recipient", "decided_at": decided_at.isoformat(),
        "implemented": True, "implemented_at": (decided_at + timedelta(days=2)).isoformat()})
    assert r.status_code == 200, r.text
    assert (r.json()["outcome"], r.json()["implemented"]) == ("in_favour_of_recipient", True)
    listed = client.get(f"{API}/cases/{appeal}/disputes", headers=other.headers).json()
    assert [d["id"] for d in listed] == [dispute["id"]]
    assert "dispute.updated" in _timeline_kinds(client, other, appeal)


def test_an_appeal_needs_a_decision_to_contest(client: TestClient, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = client.post(f"{API}/cases", json=f.appeal(key), headers=specialist.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "contested_case"
