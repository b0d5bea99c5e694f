"""Personal data is masked in every response for every role; a reveal is explicit and recorded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import verify
from integrity_desk.people.models import Role
from integrity_desk.routing.models import Queue
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"
PHONE = "+45 12 34 56 78"
EMAIL = "cara@mail.example.com"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _consumer_flag(ref: str = "r1", **over: Any) -> dict[str, Any]:
    return f.flag(ref, reporter_type="consumer",
                  reporter={"name": "Cara Consumer", "email": EMAIL},
                  reason=f"I bought nothing there. Call me on {PHONE} or write to {EMAIL}.",
                  **over)


def _new(client: Any, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["case"]["key"]


def _no_personal_data(document: Any) -> None:
    text = json.dumps(document, ensure_ascii=False)
    for secret in (EMAIL, PHONE, "Cara Consumer", "12 34 56"):
        assert secret not in text, secret


@pytest.mark.parametrize("role", [r for r in Role if r != Role.LEGAL])
def test_every_role_sees_personal_data_masked(client, db, make_person, make_team, specialist,
                                              role):
    team = None
    if role == Role.AGENT:
        team = make_team("Vendor A", kind="vendor")
        with db.session() as s:
            s.execute(update(Queue).where(Queue.slug == "flags").values(team_id=team.id))
    person = make_person(role.value, team=team)
    key = _new(client, specialist, _consumer_flag())
    _new(client, specialist, _consumer_flag())  # a linked request from the same person
    detail = _ok(client.get(f"{API}/cases/{key}", headers=person.headers))
    assert detail["requester"]["name"] == "C. C."
    assert detail["requester"]["contact"] == "c***@m***.com"
    assert detail["requester"]["type"] == "consumer"
    assert "+45 •••• ••78" in detail["description"]
    assert "c***@m***.com" in detail["details"]["reason"]
    _no_personal_data(detail)
    listed = _ok(client.get(f"{API}/cases", headers=person.headers))
    _no_personal_data(listed)
    assert listed["items"][0]["requester"]["contact"] == "c***@m***.com"
    requests = _ok(client.get(f"{API}/cases/{key}/requests", headers=person.headers))
    assert requests["items"][0]["requester_name"] == "C. C."
    _no_personal_data(requests)


def test_intake_answers_masked_too(client, specialist):
    created = _ok(client.post(f"{API}/cases", json=_consumer_flag(), headers=specialist.headers),
                  201)
    linked = _ok(client.post(f"{API}/cases", json=_consumer_flag(), headers=specialist.headers))
    _no_personal_data(created)
    _no_personal_data(linked)


def test_organisations_and_lawyers_keep_their_names_but_not_their_e_mails(client, manager):
    key = _new(client, manager, f.legal())
    requester = _ok(client.get(f"{API}/cases/{key}", headers=manager.headers))["requester"]
    assert (requester["name"], requester["organisation"]) == ("Jane Counsel", "Counsel & Co")
    assert requester["contact"] == "j***@l***.com"


def test_review_text_and_comments_are_scanned(client, specialist):
    body = _consumer_flag()
    body["review"]["text"] = f"Terrible. Ask the owner on {PHONE}."
    key = _new(client, specialist, body)
    detail = _ok(client.get(f"{API}/cases/{key}", headers=specialist.headers))
    assert detail["subjects"][0]["label"] == "Terrible. Ask the owner on +45 •••• ••78."
    _ok(client.post(f"{API}/cases/{key}/comments", json={"body": f"Reporter said {EMAIL}"},
                    headers=specialist.headers), 201)
    colleague = specialist.user.email
    _ok(client.post(f"{API}/cases/{key}/assign", json={"assignee": colleague},
                    headers=specialist.headers))
    items = _ok(client.get(f"{API}/cases/{key}/timeline", headers=specialist.headers))["items"]
    assert items[1]["payload"]["body"] == "Reporter said c***@m***.com"
    assert items[2]["payload"]["assignee"] == colleague  # staff, not a requester


def test_reveal_shows_personal_data_and_records_who_when_why_what(client, db, settings,
                                                                  specialist, manager):
    key = _new(client, specialist, _consumer_flag())
    _new(client, specialist, _consumer_flag())
    request_id = _ok(client.get(f"{API}/cases/{key}/requests",
                                headers=manager.headers))["items"][0]["id"]
    shown = _ok(client.post(f"{API}/cases/{key}/reveal", headers=manager.headers, json={
        "reason": "Reporter asked us to call back", "requests": [request_id]}))
    assert shown["requester"]["name"] == "Cara Consumer"
    assert shown["requester"]["contact"] == EMAIL
    assert PHONE in shown["description"] and EMAIL in shown["details"]["reason"]
    assert shown["requests"][0]["requester_contact"] == EMAIL
    assert shown["requests"][0]["payload"]["reason"].endswith(f"{EMAIL}.")
    event_ = _ok(client.get(f"{API}/cases/{key}/timeline", params={"category": "access"},
                            headers=specialist.headers))["items"]
    assert [(e["kind"], e["actor"]) for e in event_] == [
        ("pii.revealed", f"Manager Person <{manager.user.email}>")]
    assert event_[0]["payload"] == {
        "reason": "Reporter asked us to call back", "requests": [request_id],
        "fields": ["requester.name", "requester.contact", "title", "description", "details"]}
    # … and the masked views stay masked afterwards.
    _no_personal_data(_ok(client.get(f"{API}/cases/{key}", headers=manager.headers)))
    with db.session() as s:
        assert verify(s, secret=settings.secret_key).ok


def test_reveal_needs_a_reason_and_known_requests(client, specialist):
    key = _new(client, specialist, _consumer_flag())
    r = client.post(f"{API}/cases/{key}/reveal", json={}, headers=specialist.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = client.post(f"{API}/cases/{key}/reveal", json={"reason": "  "},
                    headers=specialist.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = client.post(f"{API}/cases/{key}/reveal", json={"reason": "why not", "requests": [999]},
                    headers=specialist.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "requests"
    items = _ok(client.get(f"{API}/cases/{key}/timeline", headers=specialist.headers))["items"]
    assert "pii.revealed" not in [e["kind"] for e in items]


@pytest.mark.parametrize("role", ["agent", "viewer", "policy"])
def test_masked_roles_cannot_reveal(client, make_person, make_team, specialist, role):
    key = _new(client, specialist, _consumer_flag())
    person = make_person(role, team=make_team("V", kind="vendor") if role == "agent" else None)
    r = client.post(f"{API}/cases/{key}/reveal", json={"reason": "curious"},
                    headers=person.headers)
    assert r.status_code == 403


def test_a_case_one_may_not_read_cannot_be_revealed(client, manager, specialist):
    key = _new(client, manager, f.legal())
    r = client.post(f"{API}/cases/{key}/reveal", json={"reason": "curious"},
                    headers=specialist.headers)
    assert r.status_code == 404


# -- reads of legal-restricted cases --------------------------------------------------------------

def _viewed(db: Any) -> list[tuple[int | None, str]]:
    with db.session() as s:
        return [(e.actor_id, json.loads(e.payload)["what"]) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.kind == "case.viewed").order_by(AuditEvent.id))]


def test_each_read_of_a_legal_case_is_recorded_once(client, db, make_person, manager):
    legal = make_person("legal")
    key = _new(client, manager, f.legal())
    for path in ("", "/timeline", "/requests"):
        _ok(client.get(f"{API}/cases/{key}{path}", headers=legal.headers))
    _ok(client.get(f"{API}/cases/{key}", headers=manager.headers))
    assert _viewed(db) == [(legal.user.id, "case"), (legal.user.id, "timeline"),
                           (legal.user.id, "requests"), (manager.user.id, "case")]
    timeline = _ok(client.get(f"{API}/cases/{key}/timeline", params={"category": "access"},
                              headers=manager.headers))["items"]
    assert [e["kind"] for e in timeline] == ["case.viewed"] * 5


def test_reads_of_other_cases_are_not_recorded(client, db, specialist):
    key = _new(client, specialist, _consumer_flag())
    for path in ("", "/timeline", "/requests"):
        _ok(client.get(f"{API}/cases/{key}{path}", headers=specialist.headers))
    _ok(client.get(f"{API}/cases", headers=specialist.headers))
    assert _viewed(db) == []


# -- the hash chain carries no personal data ------------------------------------------------------

def test_no_event_copies_requester_data_into_the_chain(client, db, manager, specialist):
    first = _new(client, specialist, _consumer_flag())
    _new(client, specialist, _consumer_flag())                      # request.linked
    other = _new(client, specialist, _consumer_flag("r2"))
    _ok(client.post(f"{API}/cases/{other}/merge", json={"into": first, "reason": "same"},
                    headers=specialist.headers))
    requests = _ok(client.get(f"{API}/cases/{first}/requests", headers=specialist.headers))
    _ok(client.post(f"{API}/cases/{first}/split", headers=specialist.headers, json={
        "request_ids": [requests["items"][0]["id"]], "reason": "another matter"}), 201)
    _ok(client.patch(f"{API}/cases/{first}", headers=specialist.headers, json={
        "description": f"Reporter Cara Consumer, {EMAIL}, {PHONE}", "title": f"Flag by {EMAIL}"}))
    for body in (f.csm(), f.executive(), f.legal(), f.investigation()):
        _new(client, manager, body)
    with db.session() as s:
        payloads = list(s.scalars(select(AuditEvent.payload)))
    assert len(payloads) >= 10
    for secret in (EMAIL, PHONE, "Cara Consumer", "Erik Boss", "jane@lawfirm.example.com",
                   "owner@shop.example.com", "I bought nothing"):
        assert not [p for p in payloads if secret in p], secret


# -- no query per case ----------------------------------------------------------------------------

@contextmanager
def _counting(db: Any) -> Iterator[Callable[[], int]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_masking_a_page_adds_no_query_per_case(client, db, specialist):
    body = {"items": [_consumer_flag(f"r{i}") for i in range(5)]}
    _ok(client.post(f"{API}/cases/batch", json=body, headers=specialist.headers))
    with _counting(db) as few:
        _no_personal_data(_ok(client.get(f"{API}/cases", headers=specialist.headers)))
    body = {"items": [_consumer_flag(f"r{i}") for i in range(5, 50)]}
    _ok(client.post(f"{API}/cases/batch", json=body, headers=specialist.headers))
    with _counting(db) as many:
        page = _ok(client.get(f"{API}/cases", headers=specialist.headers))
    assert len(page["items"]) == 50
    _no_personal_data(page)
    assert many() == few() > 0
