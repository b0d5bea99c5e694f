"""A specialist's reply to the requester, and the request for documentation a decision makes:
both real letters in the case's (or the review's) language, in the outbox, on the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.dsa.message import format_day
from integrity_desk.messages.models import OutboxMessage
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def _claimed(client: TestClient, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def _messages(db: Database, kind: str) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)))


def _case(db: Database, key: str) -> Case:
    with db.session() as s:
        return s.get(Case, int(key.split("-")[1]))


def test_a_reply_is_a_letter_in_the_case_language_and_the_first_response(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed(client, specialist, f.csm(language="de"))
    assert _case(db, key).first_responded_at is None
    r = client.post(f"{API}/cases/{key}/replies", headers=specialist.headers, json={
        "text": "Wir prüfen die 40 Bewertungen bis Freitag.", "idempotency_key": "k1"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["kind"] == "reply" and out["status"] == "queued" and out["language"] == "de"
    assert out["subject"] == f"Zu Ihrem Anliegen ({key})"
    assert "Guten Tag Clara Holm," in out["body"]
    assert "Wir prüfen die 40 Bewertungen bis Freitag." in out["body"]
    assert specialist.user.name in out["body"]
    case = _case(db, key)
    assert case.first_responded_at is not None
    timeline = client.get(f"{API}/cases/{key}/timeline", headers=specialist.headers).json()
    [event] = [e for e in timeline["items"] if e["kind"] == "message.queued"]
    assert event["payload"]["kind"] == "reply" and "Freitag" not in str(event["payload"])


def test_the_same_reply_sent_twice_is_queued_once(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed(client, specialist, f.csm())
    body = {"text": "We are on it.", "idempotency_key": "double-click"}
    first = client.post(f"{API}/cases/{key}/replies", headers=specialist.headers, json=body)
    again = client.post(f"{API}/cases/{key}/replies", headers=specialist.headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert len(_messages(db, "reply")) == 1


def test_a_reply_to_a_legal_sender_waits_for_counsel(
        client: TestClient, db: Database, make_person: Any) -> None:
    counsel = make_person("legal")
    key = _claimed(client, counsel, f.legal())
    r = client.post(f"{API}/cases/{key}/replies", headers=counsel.headers,
                    json={"text": "We removed the review."})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "held" and "counsel" in r.json()["held_reason"]


def test_a_reply_needs_text_an_address_and_a_person_who_may_work_the_case(
        client: TestClient, db: Database, specialist: Person, make_person: Any) -> None:
    key = _claimed(client, specialist, f.csm())
    r = client.post(f"{API}/cases/{key}/replies", headers=specialist.headers,
                    json={"text": "   "})
    assert r.status_code == 422 and "text" in r.text
    no_address = f.executive()  # an executive's escalation carries no e-mail address
    other = _claimed(client, specialist, no_address)
    r = client.post(f"{API}/cases/{other}/replies", headers=specialist.headers,
                    json={"text": "Noted."})
    assert r.status_code == 422 and "no e-mail address" in r.text
    auditor = make_person("viewer")
    r = client.post(f"{API}/cases/{key}/replies", headers=auditor.headers,
                    json={"text": "Hello"})
    assert r.status_code == 403
    assert _messages(db, "reply") == []


def test_asking_for_documentation_writes_to_the_reviewer_with_the_window(
        client: TestClient, db: Database, specialist: Person) -> None:
    body = f.flag("r9")
    body["review"]["language"] = "fr"
    key = _claimed(client, specialist, body)
    r = client.post(f"{API}/cases/{key}/decisions", headers=specialist.headers, json={
        "guideline": "fake", "explanation": "We need proof of the visit.",
        "facts": "Reported by the business.", "territorial_scope": ["FR"],
        "actions": [{"action": "request_documentation", "subject": "review:r9",
                     "response_days": 5}]})
    assert r.status_code == 201, r.text
    [letter] = _messages(db, "documentation_request")
    assert letter.language == "fr" and letter.recipient_role == "reviewer"
    assert letter.status == "no_address"  # the platform holds the reviewer's address
    assert "votre avis r9" in letter.body.lower() and key in letter.subject
    due = datetime.fromisoformat(r.json()["actions"][0]["ends_at"])
    assert f"avant le {format_day(due, 'fr')}" in letter.body  # the window, as France writes it
