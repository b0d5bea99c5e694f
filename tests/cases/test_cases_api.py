"""A case's life over the API: transitions, assignment, escalation, comments, edits, merge."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from integrity_desk.cases.models import Case
from integrity_desk.subjects.models import Business
from tests import factories as f
from tests.helpers import decide_no_action

API = "/api/v1"


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _id(key: str) -> int:
    return int(key.split("-")[1])


def _new(client: Any, person: Any, body: dict[str, Any] | None = None) -> str:
    r = client.post(f"{API}/cases", json=body or f.flag(), headers=person.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["case"]["key"]


def _get(client: Any, person: Any, key: str) -> dict[str, Any]:
    r = client.get(f"{API}/cases/{key}", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _act(client: Any, person: Any, key: str, action: str, **body: Any) -> Any:
    return client.post(f"{API}/cases/{key}/transition", json={"action": action, **body},
                       headers=person.headers)


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()


def _error(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    if field is not None:
        assert error["field"] == field, error
    return error


def _timeline(client: Any, person: Any, key: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"{API}/cases/{key}/timeline", params=params, headers=person.headers)
    return _ok(r)["items"]


def _claimed(client: Any, person: Any, body: dict[str, Any] | None = None) -> str:
    key = _new(client, person, body)
    _ok(client.post(f"{API}/cases/{key}/claim", headers=person.headers))
    return key


# -- lifecycle ----------------------------------------------------------------------------------

def test_forbidden_transition_names_current_and_allowed_states(client, specialist):
    key = _new(client, specialist)
    error = _error(_act(client, specialist, key, "close"), 409, "status")
    assert error["code"] == "conflict"
    assert error["current"] == "triaged"
    assert error["allowed"] == ["assigned", "merged"]
    assert _get(client, specialist, key)["status"] == "triaged"
    error = _error(_act(client, specialist, key, "reopen", reason="x"), 409)
    assert error["current"] == "triaged"


@pytest.mark.parametrize("key", ["FLG-999", "CSM-1", "nonsense", "FLG-²", f"FLG-{10**20}"])
def test_unknown_case_is_not_found(client, specialist, key):
    _new(client, specialist)  # FLG-1
    error = _error(client.get(f"{API}/cases/{key}", headers=specialist.headers), 404, "key")
    assert error["code"] == "not_found"


def test_unknown_action_is_invalid(client, specialist):
    key = _new(client, specialist)
    _error(_act(client, specialist, key, "teleport"), 422, "action")


def test_happy_path_with_a_pause(client, db, specialist):
    key = _claimed(client, specialist)
    h = specialist.headers
    claimed = _get(client, specialist, key)
    assert claimed["status"] == "assigned"
    assert claimed["assignee"]["email"] == specialist.user.email
    assert claimed["first_responded_at"] is None

    started = _ok(_act(client, specialist, key, "start"))
    assert started["status"] == "in_progress"
    assert started["first_responded_at"] is not None
    assert started["sla"]["first_response"]["state"] == "met"

    _error(_act(client, specialist, key, "wait_on_requester"), 422, "reason")
    waiting = _ok(_act(client, specialist, key, "wait_on_requester", reason="Need the receipt."))
    assert waiting["status"] == "waiting_on_requester"
    assert waiting["sla"]["paused_since"] is not None
    assert waiting["sla"]["resolution"]["state"] == "paused"

    # Pretend the pause began two hours ago.
    paused_at = datetime.now(UTC) - timedelta(hours=2)
    with db.session() as s:
        s.execute(update(Case).where(Case.id == _id(key)).values(sla_paused_at=paused_at))
    due_before = _t(waiting["sla"]["resolution"]["due_at"])

    resumed = _ok(_act(client, specialist, key, "resume"))
    assert resumed["status"] == "in_progress"
    assert resumed["sla"]["paused_since"] is None
    paused_minutes = resumed["sla"]["paused_minutes"]
    assert 120 <= paused_minutes < 121
    moved = _t(resumed["sla"]["resolution"]["due_at"]) - due_before
    # 24/7 calendar: the due time moves by exactly the paused time.
    assert abs(moved - timedelta(minutes=paused_minutes)) < timedelta(seconds=1)
    assert resumed["sla"]["resolution"]["state"] == "on_track"

    # Deciding is a decision of its own (guideline, ground, statement of reasons), never a
    # bare transition.
    _error(_act(client, specialist, key, "decide", outcome="removed"), 422, "action")
    assert decide_no_action(client, specialist, key).status_code == 201
    decided = _get(client, specialist, key)
    assert decided["status"] == "decided"
    assert decided["decided_at"] is not None
    assert decided["sla"]["resolution"]["state"] == "met"

    closed = _ok(_act(client, specialist, key, "close"))
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert closed["allowed_statuses"] == ["triaged"]

    _error(_act(client, specialist, key, "reopen"), 422, "reason")
    reopened = _ok(_act(client, specialist, key, "reopen", reason="New evidence."))
    assert reopened["status"] == "triaged"
    assert reopened["assignee"] is None
    assert reopened["decided_at"] is None and reopened["closed_at"] is None
    assert reopened["sla"]["paused_minutes"] == 0
    # The clock starts again from the reopening.
    assert _t(reopened["sla"]["resolution"]["due_at"]) - _t(reopened["triaged_at"]) == (
        timedelta(hours=72))

    events = [(e["kind"], e["payload"].get("action"))
              for e in _timeline(client, specialist, key, category="state")]
    moves = [("case.status_changed", a) for a in ("start", "wait_on_requester", "resume")]
    assert events == [("case.claimed", None), *moves, ("decision.made", None),
                      ("decision.applied", None), ("case.status_changed", "decide"),
                      ("case.status_changed", "close"), ("case.status_changed", "reopen")]
    assert client.get(f"{API}/cases/{key}", headers=h).json()["status"] == "triaged"


def test_wait_on_legal_does_not_stop_the_clock(client, specialist):
    key = _claimed(client, specialist)
    _ok(_act(client, specialist, key, "start"))
    waiting = _ok(_act(client, specialist, key, "wait_on_legal", reason="Ask counsel."))
    assert waiting["status"] == "waiting_on_legal"
    assert waiting["sla"]["paused_since"] is None
    assert waiting["sla"]["resolution"]["state"] == "on_track"


def test_a_decision_is_not_revised_by_a_transition(client, specialist):
    key = _claimed(client, specialist)
    _ok(_act(client, specialist, key, "start"))
    assert decide_no_action(client, specialist, key).status_code == 201
    # A decision stands until an appeal, or a new decision on the reopened case, changes it.
    _error(_act(client, specialist, key, "revise", reason="Wrong call."), 422, "action")
    assert _get(client, specialist, key)["status"] == "decided"


def test_reopen_while_a_newer_case_holds_the_subject(client, specialist):
    first = _claimed(client, specialist)
    _ok(_act(client, specialist, first, "start"))
    assert decide_no_action(client, specialist, first).status_code == 201
    _ok(_act(client, specialist, first, "close"))
    second = _new(client, specialist)
    assert second != first
    reopened = _ok(_act(client, specialist, first, "reopen", reason="Appeal upheld."))
    assert reopened["status"] == "triaged"
    # New flags on the review keep joining the case that was already open.
    r = client.post(f"{API}/cases", json=f.flag(), headers=specialist.headers)
    assert r.status_code == 200 and r.json()["case"]["key"] == second


def test_release_puts_the_case_back_in_its_queue(client, specialist):
    key = _claimed(client, specialist)
    released = _ok(client.post(f"{API}/cases/{key}/release", json={"reason": "Out sick."},
                               headers=specialist.headers))
    assert released["status"] == "triaged"
    assert released["assignee"] is None
    assert released["queue"] == "flags"
    assert _timeline(client, specialist, key)[-1]["kind"] == "case.released"
    error = _error(client.post(f"{API}/cases/{key}/release", json={},
                               headers=specialist.headers), 409)
    assert error["current"] == "triaged"


def test_assign_to_another_user_by_email(client, manager, make_person):
    colleague = make_person("specialist", email="Kim.Colleague@desk.example.com")
    key = _new(client, manager)
    assigned = _ok(client.post(f"{API}/cases/{key}/assign",
                               json={"assignee": "kim.colleague@desk.example.com"},
                               headers=manager.headers))
    assert assigned["status"] == "assigned"
    assert assigned["assignee"] == {"id": colleague.user.id, "name": colleague.user.name,
                                    "email": "kim.colleague@desk.example.com"}
    event = _timeline(client, manager, key)[-1]
    assert event["kind"] == "case.assigned"
    assert event["payload"]["after"] == colleague.user.id
    # Reassigning a case being worked keeps its working state.
    _ok(_act(client, colleague, key, "start"))
    again = _ok(client.post(f"{API}/cases/{key}/assign", json={"assignee": manager.user.email},
                            headers=manager.headers))
    assert again["status"] == "in_progress"
    assert again["assignee"]["email"] == manager.user.email


def test_assign_to_someone_who_may_not_work_it(client, manager, make_person):
    viewer = make_person("viewer")
    key = _new(client, manager)
    r = client.post(f"{API}/cases/{key}/assign", json={"assignee": viewer.user.email},
                    headers=manager.headers)
    assert r.status_code == 403
    assert _get(client, manager, key)["assignee"] is None


def test_escalate_climbs_tiers_into_their_queues(client, specialist, manager):
    key = _claimed(client, specialist)
    _error(client.post(f"{API}/cases/{key}/escalate", json={"reason": ""},
                       headers=specialist.headers), 422, "reason")
    up = _ok(client.post(f"{API}/cases/{key}/escalate", json={"reason": "Needs a specialist."},
                         headers=specialist.headers))
    assert (up["tier"], up["queue"], up["assignee"], up["status"]) == (
        2, "specialists", None, "triaged")
    event = _timeline(client, specialist, key)[-1]
    assert event["kind"] == "case.escalated"
    assert event["payload"]["before"]["tier"] == 1
    assert event["payload"]["after"]["tier"] == 2
    top = _ok(client.post(f"{API}/cases/{key}/escalate", json={"reason": "Policy call."},
                          headers=manager.headers))
    assert (top["tier"], top["queue"]) == (3, "management")
    # A tier-2 specialist no longer works it.
    r = client.post(f"{API}/cases/{key}/claim", headers=specialist.headers)
    assert r.status_code == 403
    error = _error(client.post(f"{API}/cases/{key}/escalate", json={"reason": "More."},
                               headers=manager.headers), 409, "tier")
    assert "top tier" in error["message"]


def test_comment_appears_on_the_timeline(client, specialist):
    key = _new(client, specialist)
    r = client.post(f"{API}/cases/{key}/comments", json={"body": "  Checked the receipts.  "},
                    headers=specialist.headers)
    assert _ok(r, 201) == {"case": key, "status": "recorded"}
    comments = _timeline(client, specialist, key, category="comment")
    assert len(comments) == 1
    assert comments[0]["kind"] == "comment"
    assert comments[0]["category"] == "comment"
    assert comments[0]["payload"]["body"] == "Checked the receipts."
    assert specialist.user.email in comments[0]["actor"]
    _error(client.post(f"{API}/cases/{key}/comments", json={"body": "   "},
                       headers=specialist.headers), 422, "body")


# -- edits --------------------------------------------------------------------------------------

EDITS = [
    # a fake flag starts at 20 (P3): kind 10 + fake 10
    ({"category": "harmful_illegal"}, "P2", 50),
    ({"revenue_at_stake": 300_000}, "P2", 45),
    ({"legal_deadline": "__12h__"}, "P1", 70),
]


@pytest.mark.parametrize(("change", "priority", "score"), EDITS,
                         ids=["category", "revenue", "deadline"])
def test_edit_of_a_triage_fact_rescores_the_case(client, specialist, change, priority, score):
    key = _new(client, specialist)
    before = _get(client, specialist, key)
    assert (before["priority"], before["priority_score"]) == ("P3", 20)
    deadline = datetime.now(UTC) + timedelta(hours=12)
    body = {k: deadline.isoformat() if v == "__12h__" else v for k, v in change.items()}
    edited = _ok(client.patch(f"{API}/cases/{key}", json={**body, "reason": "New facts."},
                              headers=specialist.headers))
    assert (edited["priority"], edited["priority_score"]) == (priority, score)
    assert sum(r["points"] for r in edited["priority_reasons"]) == score
    # A higher priority means a tighter clock.
    assert edited["sla"]["resolution"]["due_at"] < before["sla"]["resolution"]["due_at"]
    if "legal_deadline" in body:
        assert _t(edited["sla"]["resolution"]["due_at"]) <= deadline
    event = _timeline(client, specialist, key)[-1]
    assert event["kind"] == "case.edited"
    assert event["payload"]["retriaged"] == {"priority": priority, "score": score}
    (name,) = change
    assert set(event["payload"]["changes"]) == {name}
    assert event["payload"]["reason"] == "New facts."


def test_edit_without_change_records_nothing(client, specialist):
    key = _new(client, specialist)
    _ok(client.patch(f"{API}/cases/{key}", json={"category": "fake"}, headers=specialist.headers))
    assert [e["kind"] for e in _timeline(client, specialist, key)] == ["case.created"]


def test_edit_of_title_does_not_retriage(client, specialist):
    key = _new(client, specialist)
    edited = _ok(client.patch(f"{API}/cases/{key}", json={"title": "Paid review ring"},
                              headers=specialist.headers))
    assert edited["title"] == "Paid review ring"
    event = _timeline(client, specialist, key)[-1]
    assert event["payload"]["retriaged"] is None
    # Free text is kept out of the hash chain: a fingerprint identifies the new title.
    assert event["payload"]["changes"]["title"]["after"] == {
        "sha256": hashlib.sha256(b"Paid review ring").hexdigest(), "chars": 16}
    assert "Paid review ring" not in json.dumps(event["payload"])


def test_edit_keeps_the_score_of_facts_that_did_not_change(client, db, specialist):
    with db.session() as s:
        s.add(Business(domain="big.example.com", name="Big Shop", review_count=150_000))
    review = {"ref": "r1", "text": "Great", "business_domain": "big.example.com"}
    key = _new(client, specialist, f.flag(review=review))
    before = _get(client, specialist, key)
    assert {r["rule"]: r["points"] for r in before["priority_reasons"]}["reach"] == 15
    # incentivised weighs what fake does: nothing else should move.
    edited = _ok(client.patch(f"{API}/cases/{key}", json={"category": "incentivised"},
                              headers=specialist.headers))
    assert edited["priority_score"] == before["priority_score"] == 35
    assert {r["rule"]: r["points"] for r in edited["priority_reasons"]}["reach"] == 15


def test_edit_counts_only_earlier_cases_on_the_subject(client, specialist):
    first = _new(client, specialist)
    # A later, separate case about the same review (split out of the first).
    _new(client, specialist, f.flag())
    request_id = _ok(client.get(f"{API}/cases/{first}/requests",
                                headers=specialist.headers))["items"][0]["id"]
    later = _ok(client.post(f"{API}/cases/{first}/split",
                            json={"request_ids": [request_id], "reason": "other matter"},
                            headers=specialist.headers), 201)
    assert {r["rule"]: r["points"] for r in later["priority_reasons"]}["repeat-subject"] == 5
    edited = _ok(client.patch(f"{API}/cases/{first}", json={"category": "incentivised"},
                              headers=specialist.headers))
    assert "repeat-subject" not in {r["rule"] for r in edited["priority_reasons"]}
    assert edited["priority_score"] == 20


def test_edit_refuses_bad_values(client, specialist):
    key = _new(client, specialist)
    h = specialist.headers
    _error(client.patch(f"{API}/cases/{key}", json={"category": "made_up"}, headers=h), 422,
           "category")
    _error(client.patch(f"{API}/cases/{key}", json={"legal_deadline": "2030-01-01T00:00:00"},
                        headers=h), 422, "legal_deadline")
    _error(client.patch(f"{API}/cases/{key}", json={"priority": "P0"}, headers=h), 422,
           "priority")
    for name in ("title", "description"):
        _error(client.patch(f"{API}/cases/{key}", json={name: None}, headers=h), 422, name)
    assert _get(client, specialist, key)["title"] == "Fake review: flag on review r1"


def test_closed_case_cannot_be_edited(client, specialist):
    key = _claimed(client, specialist)
    _ok(_act(client, specialist, key, "start"))
    assert decide_no_action(client, specialist, key).status_code == 201
    _ok(_act(client, specialist, key, "close"))
    error = _error(client.patch(f"{API}/cases/{key}", json={"title": "x"},
                                headers=specialist.headers), 409)
    assert error["current"] == "closed"


def test_tags_are_set_by_patch_and_filter_lists(client, specialist):
    tagged = _new(client, specialist, f.flag("r1"))
    other = _new(client, specialist, f.flag("r2", tags=["ring:7"]))
    edited = _ok(client.patch(f"{API}/cases/{tagged}", json={"tags": ["vip", "ring:42", "vip"]},
                              headers=specialist.headers))
    assert edited["tags"] == ["ring:42", "vip"]
    assert _timeline(client, specialist, tagged)[-1]["payload"]["changes"]["tags"] == {
        "before": [], "after": ["ring:42", "vip"]}

    def tagged_with(tag: str) -> list[str]:
        r = client.get(f"{API}/cases", params={"tag": tag}, headers=specialist.headers)
        return [c["key"] for c in _ok(r)["items"]]

    assert tagged_with("vip") == [tagged]
    assert tagged_with("ring:7") == [other]
    assert tagged_with("nothing") == []
    _ok(client.patch(f"{API}/cases/{tagged}", json={"tags": []}, headers=specialist.headers))
    assert tagged_with("vip") == []
    assert _get(client, specialist, tagged)["tags"] == []


# -- merge and split ----------------------------------------------------------------------------

def test_merge_folds_a_duplicate_into_another_case(client, specialist, manager):
    a = _new(client, specialist, f.flag("r1"))
    _new(client, manager, f.flag("r1", reporter_type="consumer"))  # a linked request on A
    b = _new(client, specialist, f.flag("r2"))
    into = _ok(client.post(f"{API}/cases/{a}/merge", json={"into": b, "reason": "Same ring."},
                           headers=specialist.headers))
    assert into["key"] == b
    assert into["linked_requests"] == 2  # A's linked request and A itself
    assert [(s["ref"], s["role"]) for s in into["subjects"]] == [
        ("r2", "primary"), ("r1", "related")]

    merged = _get(client, specialist, a)
    assert merged["status"] == "merged"
    assert merged["merged_into"] == b
    assert merged["allowed_statuses"] == []
    # a merged case's clock stopped at the merge: its outcome, never ticking (issue 19)
    assert merged["sla"]["resolution"]["state"] == "met"
    assert merged["sla"]["resolution"]["running"] is False

    requests = _ok(client.get(f"{API}/cases/{b}/requests", headers=specialist.headers))["items"]
    assert sorted(q["requester_type"] for q in requests) == ["business", "consumer"]
    assert any(q["payload"].get("merged_from") == a for q in requests)
    assert _timeline(client, specialist, b)[-1]["kind"] == "case.merged_in"
    assert _timeline(client, specialist, a)[-1]["payload"]["into"] == b

    error = _error(client.post(f"{API}/cases/{a}/merge", json={"into": b, "reason": "again"},
                               headers=specialist.headers), 409)
    assert error["current"] == "merged"


def test_merge_into_a_closed_case_conflicts(client, specialist):
    a = _new(client, specialist, f.flag("r1"))
    b = _claimed(client, specialist, f.flag("r2"))
    _ok(_act(client, specialist, b, "start"))
    assert decide_no_action(client, specialist, b).status_code == 201
    _ok(_act(client, specialist, b, "close"))
    error = _error(client.post(f"{API}/cases/{a}/merge", json={"into": b, "reason": "dup"},
                               headers=specialist.headers), 409, "into")
    assert error["current"] == "closed"
    assert _get(client, specialist, a)["status"] == "triaged"


def test_merge_into_itself_or_nowhere_is_invalid(client, specialist):
    a = _new(client, specialist)
    _error(client.post(f"{API}/cases/{a}/merge", json={"into": a, "reason": "x"},
                       headers=specialist.headers), 422, "into")
    _error(client.post(f"{API}/cases/{a}/merge", json={"into": "FLG-999", "reason": "x"},
                       headers=specialist.headers), 422, "into")


def test_split_takes_linked_requests_into_a_new_case(client, specialist):
    key = _new(client, specialist)
    consumer = f.flag(reporter_type="consumer", reporter={"name": "Cara"})
    detector = f.flag(reporter_type="automated_detector", reporter=None)
    _new(client, specialist, consumer)
    _new(client, specialist, detector)
    requests = _ok(client.get(f"{API}/cases/{key}/requests",
                              headers=specialist.headers))["items"]
    assert [q["requester_type"] for q in requests] == ["consumer", "automated_detector"]

    new = _ok(client.post(f"{API}/cases/{key}/split",
                          json={"request_ids": [requests[0]["id"]], "reason": "Other matter."},
                          headers=specialist.headers), 201)
    assert new["key"] != key and new["key"].startswith("FLG-")
    assert new["status"] == "triaged"
    assert new["requester"]["type"] == "consumer" and new["requester"]["name"] == "C."  # masked
    assert new["details"]["split_from"] == key
    assert [s["ref"] for s in new["subjects"]] == ["r1"]
    assert new["linked_requests"] == 0
    left = _get(client, specialist, key)
    assert left["linked_requests"] == 1
    remaining = _ok(client.get(f"{API}/cases/{key}/requests", headers=specialist.headers))
    assert [q["id"] for q in remaining["items"]] == [requests[1]["id"]]
    assert _timeline(client, specialist, key)[-1]["payload"]["into"] == new["key"]


def test_split_of_several_requests_moves_the_rest_along(client, specialist):
    key = _new(client, specialist)
    for reporter in ("consumer", "automated_detector"):
        _new(client, specialist, f.flag(reporter_type=reporter, reporter=None))
    ids = [q["id"] for q in _ok(client.get(f"{API}/cases/{key}/requests",
                                           headers=specialist.headers))["items"]]
    new = _ok(client.post(f"{API}/cases/{key}/split",
                          json={"request_ids": ids, "reason": "Separate."},
                          headers=specialist.headers), 201)
    assert new["linked_requests"] == 1
    moved = _ok(client.get(f"{API}/cases/{new['key']}/requests", headers=specialist.headers))
    assert [q["id"] for q in moved["items"]] == [ids[1]]
    assert _get(client, specialist, key)["linked_requests"] == 0


def test_split_of_unknown_requests_is_invalid(client, specialist):
    key = _new(client, specialist)
    _error(client.post(f"{API}/cases/{key}/split", json={"request_ids": [999], "reason": "x"},
                       headers=specialist.headers), 422, "request_ids")
