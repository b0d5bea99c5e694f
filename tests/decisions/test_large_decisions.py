"""A decision on an investigation with 1,000 subjects goes through the API in one request, and
the number of SQL statements it takes does not grow with its subjects (issue 17, Speed)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.subjects.models import Review
from tests.conftest import Person

API = "/api/v1"
SUBJECTS = 1000
# What a decision takes whatever its size: authentication, the case, the guideline, one read
# per kind of subject, bulk inserts, the timeline, the case's transition. 1,000 subjects took
# ~10,000 statements when each was stated, messaged and applied on its own. The evidence
# snapshots (every subject as work begins, each acted-on subject at the decision) add ~13:
# a read per kind of subject and of signal, one insert and one timeline event per batch. The
# case's precedent (precedents.service.record) takes six: its profile (two reads), the old
# row and keys deleted, the new row and keys inserted.
MAX_STATEMENTS = 81


def _claimed_investigation(client: TestClient, person: Person, prefix: str) -> str:
    r = client.post(f"{API}/cases", headers=person.headers, json={
        "kind": "investigation", "title": "Review ring", "description": "One paid template.",
        "business_domains": ["ring.example.com"],
        "reviews": [{"ref": f"{prefix}{n}", "business_domain": "ring.example.com",
                     "reviewer_ref": f"{prefix}u{n % 20}"} for n in range(SUBJECTS)]})
    assert r.status_code == 201, r.text
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/claim", headers=person.headers).status_code == 200
    return key


def _decision(prefix: str) -> dict[str, Any]:
    return {"guideline": "fake", "explanation": "The reviews follow one paid template.",
            "facts": "Same template and payment trail.", "territorial_scope": ["DE", "NL"],
            "actions": [{"action": "remove_review", "subject": f"review:{prefix}{n}"}
                        for n in range(SUBJECTS)]}


def test_a_decision_on_1000_subjects_states_and_messages_each_one(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_investigation(client, specialist, "big")
    r = client.post(f"{API}/cases/{key}/decisions", json=_decision("big"),
                    headers=specialist.headers)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "applied"
    assert len(r.json()["actions"]) == SUBJECTS
    case_id = int(key.rsplit("-", 1)[1])
    with db.session() as s:
        statements = list(s.scalars(select(DsaStatement).where(DsaStatement.case_id == case_id)))
        assert len(statements) == SUBJECTS
        assert len({st.puid for st in statements}) == SUBJECTS
        assert {st.statement["puid"] for st in statements} == {st.puid for st in statements}
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind == "statement_of_reasons")) == SUBJECTS
        assert set(s.scalars(select(Review.status).where(Review.ref.like("big%")))) == {
            "removed"}
        # Each message is on the case's timeline, as one queued at a time would be.
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.kind == "message.no_address")) == SUBJECTS
    # More actions than the API takes are refused before anything is read.
    too_many = _decision("big")
    too_many["actions"].append({"action": "remove_review", "subject": "review:other"})
    r = client.post(f"{API}/cases/{key}/decisions", json=too_many, headers=specialist.headers)
    assert r.status_code == 422


def test_the_statements_of_a_1000_subject_decision_do_not_grow_with_its_subjects(
        client: TestClient, db: Database, specialist: Person) -> None:
    key = _claimed_investigation(client, specialist, "sql")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = client.post(f"{API}/cases/{key}/decisions", json=_decision("sql"),
                        headers=specialist.headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert r.status_code == 201, r.text
    assert len(statements) <= MAX_STATEMENTS, "\n".join(s[:120] for s in statements)
