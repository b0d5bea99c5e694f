"""Deciding cases over the API: effects on subjects in the same transaction, four eyes,
documentation requests that pause the clock, the sanctions ladder, and guideline versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.db import Database
from integrity_desk.subjects.models import Business, Review, Reviewer
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"
EU = ["DE", "DK", "NL"]


def _claimed_flag(client: TestClient, person: Person, ref: str = "r1",
                  reviewer: str = "u1") -> str:
    body = f.flag(ref)
    body["review"]["reviewer_ref"] = reviewer
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    r = client.post(f"{API}/cases/{key}/claim", headers=person.headers)
    assert r.status_code == 200, r.text
    return key


def _decide(client: TestClient, person: Person, key: str, actions: list[dict[str, Any]],
            **over: Any) -> Any:
    body = {"guideline": "fake", "explanation": "The text matches a known template.",
            "facts": "Reported by the business; no order found.", "territorial_scope": EU,
            "actions": actions, **over}
    return client.post(f"{API}/cases/{key}/decisions", json=body, headers=person.headers)


def _review(db: Database, ref: str) -> Review:
    with db.session() as s:
        return s.scalars(select(Review).where(Review.ref == ref)).one()


def _reviewer(db: Database, ref: str) -> Reviewer:
    with db.session() as s:
        return s.scalars(select(Reviewer).where(Reviewer.ref == ref)).one()


def _timeline_kinds(client: TestClient, person: Person, key: str) -> list[str]:
    r = client.get(f"{API}/cases/{key}/timeline", headers=person.headers)
    return [e["kind"] for e in r.json()["items"]]


def test_removing_a_review_applies_at_once_and_records_before_and_after(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}])
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["status"], d["outcome"], d["guideline"], d["guideline_version"]) == (
        "applied", "action", "fake", 1)
    assert d["ground"] == "incompatible_content"  # the guideline's default ground
    assert d["source_type"] == "other_notification"  # a business's report, not Art. 16
    [action] = d["actions"]
    assert (action["before"], action["after"]) == ({"status": "published"},
                                                    {"status": "removed"})
    assert _review(db, "r1").status == "removed"
    case = client.get(f"{API}/cases/{key}", headers=specialist.headers).json()
    assert case["status"] == "decided"
    kinds = _timeline_kinds(client, specialist, key)
    assert kinds.index("decision.made") < kinds.index("decision.applied")
    listed = client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json()
    assert [x["id"] for x in listed] == [d["id"]]


def test_a_case_is_taken_on_before_it_is_decided(client: TestClient,
                                                 specialist: Person) -> None:
    r = client.post(f"{API}/cases", json=f.flag("r9"), headers=specialist.headers)
    key = r.json()["case"]["key"]
    r = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r9"}])
    assert r.status_code == 409
    assert r.json()["error"]["current"] == "triaged"


def test_bad_decisions_name_their_field_and_change_nothing(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    cases = [
        ([{"action": "remove_review", "subject": "review:elsewhere"}], {}, "subject"),
        ([{"action": "remove_review", "subject": "review:r1"}], {"territorial_scope": []},
         "territorial_scope"),
        ([{"action": "remove_review", "subject": "review:r1"}],
         {"ground": "illegal_content"}, "legal_ground"),
        ([{"action": "suspend_reviewer", "subject": "reviewer:u1"}], {},
         "actions.0.duration_days"),
        ([{"action": "remove_review", "subject": "reviewer:u1"}], {}, "actions.0.subject"),
        ([], {}, "actions"),
        ([{"action": "remove_review", "subject": "review:r1"}], {"guideline": "nope"},
         "guideline"),
        ([{"action": "remove_review", "subject": "review:r1"}], {"outcome": "no_action"},
         "actions"),
    ]
    for actions, over, field in cases:
        r = _decide(client, specialist, key, actions, **over)
        assert r.status_code in (404, 422), (field, r.text)
        assert r.json()["error"]["field"] == field, (field, r.text)
    assert _review(db, "r1").status == "published"
    assert client.get(f"{API}/cases/{key}/decisions", headers=specialist.headers).json() == []


def test_no_action_keeps_the_review(client: TestClient, db: Database,
                                    specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [{"action": "keep", "subject": "review:r1"}],
                outcome="no_action", territorial_scope=[])
    assert r.status_code == 201, r.text
    assert r.json()["ground"] is None
    assert _review(db, "r1").status == "published"


def test_severe_actions_wait_for_a_second_person(
        client: TestClient, db: Database, specialist: Person,
        make_person: Callable[..., Person]) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [
        {"action": "remove_review", "subject": "review:r1"},
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 30}])
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "awaiting_approval"
    assert _review(db, "r1").status == "published"  # nothing happens before approval
    assert _reviewer(db, "u1").status == "active"
    queue = client.get(f"{API}/decisions", headers=specialist.headers).json()["items"]
    assert [x["id"] for x in queue] == [d["id"]]
    # Neither the decider nor a second decision while one waits.
    r = client.post(f"{API}/decisions/{d['id']}/approve", json={}, headers=specialist.headers)
    assert r.status_code == 403
    r = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}])
    assert r.status_code == 409
    second = make_person("specialist")
    r = client.post(f"{API}/decisions/{d['id']}/approve", json={"note": "agreed"},
                    headers=second.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "applied"
    assert r.json()["approved_by_id"] == second.user.id
    assert _review(db, "r1").status == "removed"
    reviewer = _reviewer(db, "u1")
    assert reviewer.status == "suspended" and reviewer.suspended_until is not None
    again = client.post(f"{API}/decisions/{d['id']}/approve", json={}, headers=second.headers)
    assert again.status_code == 409
    assert client.get(f"{API}/cases/{key}", headers=specialist.headers).json()[
        "status"] == "decided"
    assert "decision.approved" in _timeline_kinds(client, specialist, key)


def test_a_rejected_decision_changes_nothing_and_the_case_can_be_decided_again(
        client: TestClient, db: Database, specialist: Person, manager: Person) -> None:
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 365}]).json()
    r = client.post(f"{API}/decisions/{d['id']}/reject", json={}, headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "note"
    r = client.post(f"{API}/decisions/{d['id']}/reject", json={"note": "too harsh"},
                    headers=manager.headers)
    assert r.json()["status"] == "rejected"
    assert _reviewer(db, "u1").status == "active"
    assert client.get(f"{API}/cases/{key}", headers=specialist.headers).json()[
        "status"] == "in_progress"
    r = _decide(client, specialist, key, [{"action": "warn_reviewer", "subject": "reviewer:u1"}])
    assert r.json()["status"] == "applied"
    assert _reviewer(db, "u1").warning_count == 1


def test_managers_choose_which_actions_need_four_eyes(
        client: TestClient, specialist: Person, manager: Person) -> None:
    rules = {r["action"]: r["requires_approval"]
             for r in client.get(f"{API}/approval-rules", headers=specialist.headers).json()}
    assert rules["suspend_reviewer"] and not rules["remove_review"]
    r = client.put(f"{API}/approval-rules", json={"action": "remove_review",
                                                  "requires_approval": True},
                   headers=manager.headers)
    assert r.status_code == 200
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}])
    assert d.json()["status"] == "awaiting_approval"


def test_asking_for_documentation_pauses_the_clock_for_the_window(
        client: TestClient, specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [
        {"action": "request_documentation", "subject": "review:r1", "response_days": 5}])
    assert r.status_code == 201, r.text
    [action] = r.json()["actions"]
    case = client.get(f"{API}/cases/{key}", headers=specialist.headers).json()
    assert case["status"] == "waiting_on_requester"
    assert case["sla"]["paused_since"] is not None
    applied = r.json()["decided_at"][:10]
    assert action["ends_at"][:10] > applied


def test_the_ladder_suggests_the_next_sanction(client: TestClient,
                                               specialist: Person) -> None:
    first = _claimed_flag(client, specialist, "r1", reviewer="u7")
    r = client.get(f"{API}/cases/{first}/sanctions", params={"guideline": "fake"},
                   headers=specialist.headers)
    reviewer_step = [s for s in r.json() if s["subject_type"] == "reviewer"]
    assert [(s["offence"], s["action"]) for s in reviewer_step] == [(1, "warn_reviewer")]
    _decide(client, specialist, first, [{"action": "remove_review", "subject": "review:r1"},
                                        {"action": "warn_reviewer", "subject": "reviewer:u7"}])
    second = _claimed_flag(client, specialist, "r2", reviewer="u7")
    r = client.get(f"{API}/cases/{second}/sanctions", params={"guideline": "fake"},
                   headers=specialist.headers)
    step = next(s for s in r.json() if s["subject_type"] == "reviewer")
    assert (step["offence"], step["action"], step["duration_days"]) == (
        2, "suspend_reviewer", 30)


def test_business_actions_change_the_business(client: TestClient, db: Database,
                                              specialist: Person, manager: Person) -> None:
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [
        {"action": "consumer_warning", "subject": "business:shop.example.com",
         "label": "We removed fake reviews of this business", "duration_days": 90}],
        guideline="review_pressure").json()
    client.post(f"{API}/decisions/{d['id']}/approve", json={}, headers=manager.headers)
    with db.session() as s:
        shop = s.scalars(select(Business).where(Business.domain == "shop.example.com")).one()
    assert shop.consumer_warning == "We removed fake reviews of this business"
    assert shop.consumer_warning_until is not None


def test_guidelines_are_versioned(client: TestClient, specialist: Person,
                                  make_person: Callable[..., Person]) -> None:
    policy = make_person("policy")
    current = client.get(f"{API}/guidelines", headers=specialist.headers).json()
    assert {g["code"] for g in current} >= {"fake", "harmful_illegal", "review_pressure"}
    r = client.put(f"{API}/guidelines/fake", json={"text": "Stricter wording.",
                                                   "change_note": "legal review"},
                   headers=policy.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["text"]) == (2, "Stricter wording.")
    versions = client.get(f"{API}/guidelines/fake/versions", headers=specialist.headers).json()
    assert [(v["version"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    key = _claimed_flag(client, specialist)
    d = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}],
                guideline_version=1).json()
    assert d["guideline_version"] == 1  # a decision cites the version it used
    for body, field in [({"dsa_category": "STATEMENT_CATEGORY_NOPE", "change_note": "x"},
                         "dsa_category"),
                        ({"sanctions": [{"offence": 1, "action": "suspend_reviewer"}],
                          "change_note": "x"}, "sanctions.0.duration_days"),
                        ({"default_ground": "illegal_content", "change_note": "x"},
                         "legal_ground")]:
        r = client.put(f"{API}/guidelines/fake", json=body, headers=policy.headers)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    new = client.put(f"{API}/guidelines/counterfeit", json={
        "title": "No counterfeit claims", "text": "…", "category": "other",
        "dsa_category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "dsa_keywords": ["KEYWORD_TRADEMARK_INFRINGEMENT"], "default_ground": "illegal_content",
        "legal_ground": "Trademark law", "severity": 3, "sanctions": [], "change_note": "new"},
        headers=policy.headers)
    assert new.status_code == 200 and new.json()["version"] == 1


def test_contacts_in_the_reasoning_are_masked_on_display(client: TestClient,
                                                         specialist: Person) -> None:
    key = _claimed_flag(client, specialist)
    r = _decide(client, specialist, key, [{"action": "remove_review", "subject": "review:r1"}],
                facts="The owner (owner@shop.example.com, +45 20 12 34 56) confirmed no order.")
    facts = r.json()["facts"]
    assert "owner@shop.example.com" not in facts and "20 12 34 56" not in facts
    assert "confirmed no order" in facts


def test_an_unanswered_documentation_request_sends_the_case_back_to_work(
        client: TestClient, db: Database, specialist: Person) -> None:
    from datetime import timedelta

    from integrity_desk.db import utcnow
    from integrity_desk.decisions.tasks import close_documentation_windows

    key = _claimed_flag(client, specialist)
    _decide(client, specialist, key, [
        {"action": "request_documentation", "subject": "review:r1", "response_days": 3}])
    with db.session() as s:
        assert close_documentation_windows(s, now=utcnow()) == {"expired": 0, "answered": 0}
    with db.session() as s:  # three days and a minute later: nothing came
        late = utcnow() + timedelta(days=3, minutes=1)
        assert close_documentation_windows(s, now=late) == {"expired": 1, "answered": 0}
    case = client.get(f"{API}/cases/{key}", headers=specialist.headers).json()
    assert case["status"] == "in_progress" and case["sla"]["paused_since"] is None
    assert "documentation.window_closed" in _timeline_kinds(client, specialist, key)
    with db.session() as s:  # closed once: a second run finds nothing
        assert close_documentation_windows(s, now=late) == {"expired": 0, "answered": 0}


def test_a_documentation_request_answered_in_time_is_closed_without_moving_the_case(
        client: TestClient, db: Database, specialist: Person) -> None:
    from integrity_desk.db import utcnow
    from integrity_desk.decisions.tasks import close_documentation_windows

    key = _claimed_flag(client, specialist)
    _decide(client, specialist, key, [
        {"action": "request_documentation", "subject": "review:r1"}])
    r = client.post(f"{API}/cases/{key}/transition", json={"action": "resume"},
                    headers=specialist.headers)
    assert r.status_code == 200, r.text
    with db.session() as s:
        assert close_documentation_windows(s, now=utcnow()) == {"expired": 0, "answered": 1}
    [action] = client.get(f"{API}/cases/{key}/decisions",
                          headers=specialist.headers).json()[0]["actions"]
    assert action["closed_at"] is not None
