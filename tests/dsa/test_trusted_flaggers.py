"""The trusted-flagger registry (Art. 22) and each flagger's precision."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import factories as f
from tests.conftest import Person
from tests.decisions.test_decisions_api import _decide

API = "/api/v1"


def _register(client: TestClient, person: Person, **over: object) -> dict:
    body = {"name": "Consumer Watch Europe", "country": "DE",
            "coordinator": "Bundesnetzagentur", "areas": ["fake", "incentivised"],
            "contact": "desk@cwe.example.org", **over}
    r = client.post(f"{API}/trusted-flaggers", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _notice(client: TestClient, person: Person, ref: str) -> str:
    r = client.post(f"{API}/cases", json=f.trusted_flagger(reviews=[{"ref": ref}]),
                    headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def test_register_decide_and_measure_precision(client: TestClient, manager: Person) -> None:
    flagger = _register(client, manager)
    assert (flagger["status"], flagger["notices"], flagger["precision"]) == ("active", 0, None)
    dup = client.post(f"{API}/trusted-flaggers", headers=manager.headers, json={
        "name": "consumer watch europe", "country": "DE", "coordinator": "BNetzA"})
    assert dup.status_code == 409 and dup.json()["error"]["field"] == "name"
    bad = client.post(f"{API}/trusted-flaggers", headers=manager.headers, json={
        "name": "X", "country": "DE", "coordinator": "BNetzA", "areas": ["astrology"]})
    assert bad.status_code == 422
    acted = _notice(client, manager, "t1")
    _decide(client, manager, acted, [{"action": "remove_review", "subject": "review:t1"}])
    kept = _notice(client, manager, "t2")
    _decide(client, manager, kept, [], outcome="no_action", territorial_scope=[])
    _notice(client, manager, "t3")  # not decided yet
    [listed] = client.get(f"{API}/trusted-flaggers", headers=manager.headers).json()
    assert (listed["notices"], listed["decided"], listed["actioned"], listed["precision"]) == (
        3, 2, 1, 0.5)
    assert listed["median_hours_to_decision"] is not None


def test_an_inactive_flaggers_notices_are_refused_as_trusted(client: TestClient,
                                                            manager: Person) -> None:
    flagger = _register(client, manager)
    url = f"{API}/trusted-flaggers/{flagger['id']}"
    assert client.patch(url, json={"active": False}, headers=manager.headers).status_code == 422
    r = client.patch(url, json={"active": False, "reason": "Coordinator suspended the status"},
                     headers=manager.headers)
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    r = client.post(f"{API}/cases", json=f.trusted_flagger(), headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "trusted_flagger"
    r = client.patch(f"{API}/trusted-flaggers/999999", json={"reason": "x"},
                     headers=manager.headers)
    assert r.status_code == 404
