"""Legal holds: placed and lifted by legal, managers and admins, audited, shown on the case."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import verify
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _new(client: Any, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["case"]["key"]


def _hold(client: Any, person: Person, status: int = 201, **body: Any) -> Any:
    return _ok(client.post(f"{API}/legal-holds", json={"reason": "Litigation Shop v. Doe",
                                                       **body}, headers=person.headers), status)


def _holds_on(client: Any, person: Person, key: str) -> list[dict[str, Any]]:
    return _ok(client.get(f"{API}/cases/{key}", headers=person.headers))["legal_holds"]


def test_a_hold_on_a_case_is_shown_listed_and_on_its_timeline(client, manager, specialist):
    key = _new(client, specialist, f.flag())
    hold = _hold(client, manager, case=key)
    assert (hold["case"], hold["subject"], hold["active"]) == (key, None, True)
    assert hold["placed_by"] == "Manager Person" and hold["lifted_at"] is None
    shown = _holds_on(client, specialist, key)
    assert [h["id"] for h in shown] == [hold["id"]]
    listed = _ok(client.get(f"{API}/legal-holds", headers=manager.headers))["items"]
    assert [h["id"] for h in listed] == [hold["id"]]
    events = _ok(client.get(f"{API}/cases/{key}/timeline", params={"category": "legal"},
                            headers=manager.headers))["items"]
    assert [(e["kind"], e["payload"]) for e in events] == [
        ("legal_hold.placed", {"hold": hold["id"], "reason": "Litigation Shop v. Doe"})]


def test_a_hold_on_a_subject_covers_every_case_about_it(client, db, settings, manager,
                                                        specialist):
    flagged = _new(client, specialist, f.flag("r1"))
    escalated = _new(client, specialist, f.csm(reviews=[{"ref": "r1"}]))
    elsewhere = _new(client, specialist, f.flag("r2", review={
        "ref": "r2", "business_domain": "other.example.com"}))
    hold = _hold(client, manager, subject="review:r1")
    assert hold["subject"] == "review:r1" and hold["case"] is None
    assert [h["id"] for h in _holds_on(client, specialist, flagged)] == [hold["id"]]
    assert [h["id"] for h in _holds_on(client, specialist, escalated)] == [hold["id"]]
    assert _holds_on(client, specialist, elsewhere) == []
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.kind == "legal_hold.placed")).one()
        assert event.chain_key == "legal" and event.case_id is None
        assert json.loads(event.payload)["subject"].startswith("review:")
        assert verify(s, secret=settings.secret_key).ok


def test_a_hold_on_a_business_or_reviewer_covers_cases_about_their_reviews(client, manager,
                                                                           specialist):
    key = _new(client, specialist, f.flag("r1"))  # review r1 of shop.example.com by u1
    business = _hold(client, manager, subject="business:shop.example.com")
    reviewer = _hold(client, manager, subject="reviewer:u1")
    assert {h["id"] for h in _holds_on(client, specialist, key)} == {business["id"],
                                                                    reviewer["id"]}
    covering = _ok(client.get(f"{API}/legal-holds", params={"case": key},
                              headers=manager.headers))["items"]
    assert len(covering) == 2
    on_reviewer = _ok(client.get(f"{API}/legal-holds", params={"subject": "reviewer:u1"},
                                 headers=manager.headers))["items"]
    assert [h["id"] for h in on_reviewer] == [reviewer["id"]]
    paged = _ok(client.get(f"{API}/legal-holds", params={"limit": 1}, headers=manager.headers))
    rest = _ok(client.get(f"{API}/legal-holds", params={"cursor": paged["next_cursor"]},
                          headers=manager.headers))
    assert [h["id"] for h in paged["items"] + rest["items"]] == [business["id"], reviewer["id"]]


def test_lifting_keeps_the_hold_and_says_who_and_why(client, make_person, specialist):
    legal = make_person("legal")
    key = _new(client, legal, f.legal())
    hold = _hold(client, legal, case=key)
    lifted = _ok(client.post(f"{API}/legal-holds/{hold['id']}/lift",
                             json={"reason": "Settled out of court"}, headers=legal.headers))
    assert lifted["active"] is False and lifted["lift_reason"] == "Settled out of court"
    assert lifted["lifted_by"] == "Legal Person"
    assert _holds_on(client, legal, key) == []
    r = client.post(f"{API}/legal-holds/{hold['id']}/lift", json={"reason": "again"},
                    headers=legal.headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "hold_id"
    assert _ok(client.get(f"{API}/legal-holds", headers=legal.headers))["items"] == []
    past = _ok(client.get(f"{API}/legal-holds", params={"active": "false"},
                          headers=legal.headers))["items"]
    assert [h["id"] for h in past] == [hold["id"]]
    kinds = [e["kind"] for e in _ok(client.get(f"{API}/cases/{key}/timeline", params={
        "category": "legal"}, headers=legal.headers))["items"]]
    assert kinds == ["legal_hold.placed", "legal_hold.lifted"]


def test_legal_can_hold_only_cases_it_may_read(client, make_person, specialist):
    legal = make_person("legal")
    flag = _new(client, specialist, f.flag())
    error = _hold(client, legal, 422, case=flag)["error"]
    assert error["field"] == "case"
    # … but may hold the subject itself, whatever cases are about it.
    _hold(client, legal, subject="review:r1")


def test_holds_on_cases_one_may_not_read_are_not_listed_or_lifted(client, make_person, manager,
                                                                  specialist):
    legal = make_person("legal")
    flag = _new(client, specialist, f.flag())
    hold = _hold(client, manager, case=flag)
    assert _ok(client.get(f"{API}/legal-holds", headers=legal.headers))["items"] == []
    r = client.post(f"{API}/legal-holds/{hold['id']}/lift", json={"reason": "mine now"},
                    headers=legal.headers)
    assert r.status_code == 404


def test_bad_hold_requests_name_the_field(client, manager, specialist):
    key = _new(client, specialist, f.flag())
    assert _hold(client, manager, 422)["error"]["field"] == "case"
    assert _hold(client, manager, 422, case=key, subject="review:r1")["error"]["field"] == "case"
    assert _hold(client, manager, 422, subject="review:nope")["error"]["field"] == "subject"
    assert _hold(client, manager, 422, subject="shop")["error"]["field"] == "subject"
    r = client.post(f"{API}/legal-holds", json={"case": key}, headers=manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"


def test_specialists_and_agents_may_not_hold(client, specialist):
    key = _new(client, specialist, f.flag())
    assert client.post(f"{API}/legal-holds", json={"case": key, "reason": "x" * 5},
                       headers=specialist.headers).status_code == 403


def test_out_of_range_ids_and_nul_characters_are_refused_not_crashed_on(client, manager,
                                                                        specialist):
    key = _new(client, specialist, f.flag())
    for method, path, body in (
        ("POST", f"/legal-holds/{2**31}/lift", {"reason": "done"}),
        ("GET", f"/legal-holds?cursor={2**31}", None),
        ("POST", "/legal-holds", {"case": key, "reason": "nul \x00 byte"}),
        ("POST", "/legal-holds", {"subject": "review:\x00", "reason": "held"}),
        ("POST", f"/cases/{key}/reveal", {"reason": "call back", "requests": [2**31]}),
        ("POST", f"/cases/{key}/reveal", {"reason": "nul \x00 byte"}),
    ):
        r = client.request(method, f"{API}{path}", json=body, headers=manager.headers)
        assert r.status_code == 422, (path, r.text)
