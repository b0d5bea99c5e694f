"""A write answers no more than a read of the same case would.

Intake that joins (or opens) a case the caller may not read answers with the request's receipt
alone: no key, no body, no assignee. Filing an appeal against a case the caller may not read is
answered exactly as for a case that does not exist, decided or not. Every write route that
answers with a case is tried here by an agent of the other vendor (and by counsel, who reads
legal cases only).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import factories as f
from tests.conftest import Person
from tests.helpers import decide_no_action, vendor_queues

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def desk(client, make_team, make_person, manager) -> dict[str, Any]:
    """Vendor A works English flags, vendor B German ones; B's case is claimed by B's agent."""
    teams = vendor_queues(client, make_team, manager)
    agent_a = make_person("agent", team=teams["Vendor A"], email="ann.a@vendor-a.example.com")
    agent_b = make_person("agent", team=teams["Vendor B"], email="bert.b@vendor-b.example.com")
    body = f.flag("rb-1", language="de", reason="marker-b: the review is bought")
    body["review"].update(language="de", text="Secret text of review B")
    b = _ok(client.post(f"{API}/cases", json=body, headers=manager.headers), 201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{b}/claim", headers=agent_b.headers))
    return {"b": b, "agent_a": agent_a, "agent_b": agent_b}


def _leaks(answer: Any, key: str) -> list[str]:
    """What of the other vendor's case an answer shows."""
    text = json.dumps(answer)
    return [s for s in (key, "bert.b", "vendor-b", "Secret text", "marker-b", "flags-b",
                        "due_at") if s in text]


def _german_flag(ref: str = "rb-1") -> dict[str, Any]:
    body = f.flag(ref, language="de", reason="I think this is fake too")
    body["review"]["language"] = "de"
    return body


def test_joining_another_vendors_case_answers_with_a_receipt_only(client, desk):
    agent = desk["agent_a"]
    r = client.post(f"{API}/cases", json=_german_flag(), headers=agent.headers)
    answer = _ok(r, 200)
    assert answer["outcome"] == "linked" and answer["case"] is None
    assert answer["receipt"].startswith("RCPT-") and len(answer["receipt"]) == 21
    assert _leaks(answer, desk["b"]) == []
    # The request did land on B's case, with its receipt on the record.
    owner = desk["agent_b"]
    assert _ok(client.get(f"{API}/cases/{desk['b']}", headers=owner.headers))[
        "linked_requests"] == 1
    [request] = _ok(client.get(f"{API}/cases/{desk['b']}/requests",
                               headers=owner.headers))["items"]
    assert request["payload"]["receipt"] == answer["receipt"]
    timeline = _ok(client.get(f"{API}/cases/{desk['b']}/timeline", headers=owner.headers))
    linked = [e for e in timeline["items"] if e["kind"] == "request.linked"]
    assert linked[0]["payload"]["receipt"] == answer["receipt"]
    # The reading side says the same: no such case for vendor A.
    assert client.get(f"{API}/cases/{desk['b']}", headers=agent.headers).status_code == 404


def test_a_new_case_routed_to_another_vendor_is_not_shown_either(client, desk):
    answer = _ok(client.post(f"{API}/cases", json=_german_flag("rb-2"),
                             headers=desk["agent_a"].headers), 201)
    assert answer["outcome"] == "created" and answer["case"] is None
    assert answer["receipt"].startswith("RCPT-")
    own = _ok(client.post(f"{API}/cases", json=f.flag("ra-9"), headers=desk["agent_a"].headers),
              201)
    assert own["case"]["queue"] == "flags-a" and own["receipt"].startswith("RCPT-")


def test_the_batch_route_names_only_readable_cases(client, desk):
    agent = desk["agent_a"]
    body = _ok(client.post(f"{API}/cases/batch", headers=agent.headers, json={"items": [
        _german_flag(), f.flag("ra-1")]}))
    linked, created = body["items"]
    assert linked["status"] == "linked" and "case" not in linked
    assert linked["receipt"].startswith("RCPT-")
    assert _leaks(body, desk["b"]) == []
    assert created["status"] == "created" and created["case"].startswith("FLG-")
    assert _ok(client.get(f"{API}/cases/{created['case']}", headers=agent.headers))[
        "queue"] == "flags-a"


def test_counsel_joining_a_case_outside_legal_gets_a_receipt(client, desk, make_person):
    counsel = make_person("legal")
    answer = _ok(client.post(f"{API}/cases", json=_german_flag(), headers=counsel.headers), 200)
    assert answer == {"outcome": "linked", "receipt": answer["receipt"], "case": None}


def test_a_specialist_filing_a_legal_notice_gets_a_receipt_only(client, specialist):
    """Legal notices are restricted to counsel and managers the moment they open; a specialist
    who files one (a letter that came in by post) learns only that it was received."""
    r = _ok(client.post(f"{API}/cases", json=f.legal(), headers=specialist.headers), 201)
    assert r == {"outcome": "created", "receipt": r["receipt"], "case": None}
    assert client.get(f"{API}/cases", headers=specialist.headers).json()["items"] == []


def _appeal_error(client: Any, person: Person, key: str) -> Any:
    r = client.post(f"{API}/cases", json=f.appeal(key), headers=person.headers)
    assert r.status_code == 422, r.text
    return r.json()["error"]


def test_appealing_another_vendors_case_is_as_if_it_did_not_exist(client, desk, manager):
    agent, owner = desk["agent_a"], desk["agent_b"]
    undecided = desk["b"]
    decided_body = _german_flag("rb-3")
    decided = _ok(client.post(f"{API}/cases", json=decided_body, headers=manager.headers),
                  201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{decided}/claim", headers=owner.headers))
    _ok(decide_no_action(client, owner, decided), 201)

    def shape(error: dict[str, Any], key: str) -> dict[str, Any]:
        return {**error, "message": error["message"].replace(key, "KEY")}

    missing = shape(_appeal_error(client, agent, "FLG-999999"), "FLG-999999")
    assert missing == {"code": "invalid", "field": "contested_case", "message": "no case KEY"}
    assert shape(_appeal_error(client, agent, decided), decided) == missing
    assert shape(_appeal_error(client, agent, undecided), undecided) == missing
    # Whoever may read the case is told why it cannot be appealed yet.
    assert "no decision" in _appeal_error(client, owner, undecided)["message"]
    # And B's own agent may file it, seeing the appeal only where they may read it.
    filed = _ok(client.post(f"{API}/cases", json=f.appeal(decided), headers=owner.headers),
                201)
    assert filed == {"outcome": "created", "receipt": filed["receipt"], "case": None}


def test_an_appeal_joined_by_someone_who_may_not_read_it_reveals_nothing(
        client, desk, manager, make_person):
    """An appeal a specialist files lands in the specialists' queue; the vendor agent who may
    read the contested case files the same appeal again and learns only that it was linked."""
    owner = desk["agent_b"]
    decided = _ok(client.post(f"{API}/cases", json=_german_flag("rb-4"),
                              headers=manager.headers), 201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{decided}/claim", headers=owner.headers))
    _ok(decide_no_action(client, owner, decided), 201)
    first = _ok(client.post(f"{API}/cases", json=f.appeal(decided),
                            headers=make_person("specialist").headers), 201)
    appeal_key = first["case"]["key"]
    again = client.post(f"{API}/cases", json=f.appeal(decided), headers=owner.headers)
    answer = _ok(again, 200)
    assert first["case"]["queue"] == "specialists"
    assert client.get(f"{API}/cases/{appeal_key}", headers=owner.headers).status_code == 404
    assert answer == {"outcome": "linked", "receipt": answer["receipt"], "case": None}


def test_split_keeps_the_new_case_where_its_worker_may_read_it(client, desk, manager):
    owner = desk["agent_b"]
    _ok(client.post(f"{API}/cases", json=_german_flag(), headers=manager.headers))
    [request] = _ok(client.get(f"{API}/cases/{desk['b']}/requests",
                               headers=owner.headers))["items"]
    # The case's language is corrected to English: routing alone would now send a new case
    # about it to vendor A. The split-out case stays in the queue of the case it came from,
    # so the agent who split it can go on reading it (and vendor A does not).
    _ok(client.patch(f"{API}/cases/{desk['b']}", json={"language": "en"},
                     headers=owner.headers))
    assert _ok(client.get(f"{API}/cases/{desk['b']}", headers=owner.headers))[
        "queue"] == "flags-b"
    split = _ok(client.post(f"{API}/cases/{desk['b']}/split", headers=owner.headers, json={
        "request_ids": [request["id"]], "reason": "a different matter"}), 201)
    assert split["queue"] == "flags-b"
    assert client.get(f"{API}/cases/{split['key']}", headers=owner.headers).status_code == 200
    assert client.get(f"{API}/cases/{split['key']}",
                      headers=desk["agent_a"].headers).status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/claim", None),
    ("POST", "/split", {"request_ids": [1], "reason": "x"}),
    ("POST", "/merge", {"into": "FLG-999999", "reason": "x"}),
    ("POST", "/appeal-outcome", {"outcome": "upheld", "reasoning": "x"}),
])
def test_case_actions_answer_for_another_vendors_case_as_for_none(client, desk, method, path,
                                                                 body):
    r = client.request(method, f"{API}/cases/{desk['b']}{path}", json=body,
                       headers=desk["agent_a"].headers)
    assert r.status_code == 404, r.text
    assert _leaks(r.json(), desk["b"]) == [desk["b"]]  # the key it was asked about, nothing else


def test_an_appeal_against_a_legal_decision_is_as_restricted_as_the_case(
        client, manager, specialist, make_person):
    """The appeal names the contested case, its decision and its deciders: a specialist who
    may not read the legal case may not read (or learn of) the appeal against it either."""
    counsel, colleague = make_person("legal"), make_person("legal")
    legal = _ok(client.post(f"{API}/cases", json=f.legal(), headers=counsel.headers),
                201)["case"]["key"]
    _ok(client.post(f"{API}/cases/{legal}/claim", headers=counsel.headers))
    _ok(decide_no_action(client, counsel, legal), 201)
    # The specialist cannot appeal what they cannot see: as for no case at all.
    assert _appeal_error(client, specialist, legal) == {
        "code": "invalid", "field": "contested_case", "message": f"no case {legal}"}
    filed = _ok(client.post(f"{API}/cases", json=f.appeal(legal), headers=colleague.headers),
                201)
    appeal = filed["case"]
    assert appeal["legal_restricted"] is True
    assert client.get(f"{API}/cases/{appeal['key']}", headers=specialist.headers
                      ).status_code == 404
    listed = _ok(client.get(f"{API}/cases", params={"kind": "appeal"},
                            headers=specialist.headers))["items"]
    assert listed == []
    # Counsel other than the one who decided may take it on.
    _ok(client.post(f"{API}/cases/{appeal['key']}/claim", headers=colleague.headers))
