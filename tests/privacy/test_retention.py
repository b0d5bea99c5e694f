"""Retention erases closed cases' personal data after the period, unless a legal hold keeps it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, false, select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import verify
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.db import Database, utcnow
from integrity_desk.jobs.models import Job
from integrity_desk.jobs.worker import Worker
from integrity_desk.privacy import retention
from integrity_desk.privacy.domain import ERASED
from integrity_desk.privacy.retention import JOB, due_counts, erase_batch
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"
EMAIL = "cara@mail.example.com"
PHONE = "+45 12 34 56 78"
DAYS = 365


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _consumer_flag(ref: str = "r1") -> dict[str, Any]:
    return f.flag(ref, reporter_type="consumer",
                  reporter={"name": "Cara Consumer", "email": EMAIL},
                  reason=f"Fake. Call me on {PHONE} or write to {EMAIL}.")


def _closed(client: Any, db: Database, person: Person, body: dict[str, Any], *,
            linked: int = 1) -> str:
    """A decided and closed case with `linked` further requests. The decision is written to
    the row directly: how a case gets decided is not what retention is about."""
    key = _ok(client.post(f"{API}/cases", json=body, headers=person.headers), 201)["case"]["key"]
    for _ in range(linked):
        _ok(client.post(f"{API}/cases", json=body, headers=person.headers))
    with db.session() as s:
        case = s.get(Case, int(key.split("-")[1]))
        now = utcnow()
        case.status, case.is_open, case.decided_at, case.closed_at = "closed", False, now, now
        case.details = {**case.details, "outcome": f"removed; reporter {EMAIL} told"}
    return key


def _age(db: Database, key: str, days: int) -> None:
    with db.session() as s:
        s.execute(update(Case).where(Case.id == int(key.split("-")[1]))
                  .values(closed_at=utcnow() - timedelta(days=days)))


def _run(db: Database, now: datetime | None = None, **kw: Any) -> Any:
    with db.session() as s:
        return erase_batch(s, now=now or utcnow(), retention_days=DAYS, **kw)


def _case(db: Database, key: str) -> Case:
    with db.session() as s:
        return s.get(Case, int(key.split("-")[1]))


def _requests(db: Database, key: str) -> list[CaseRequest]:
    with db.session() as s:
        return list(s.scalars(select(CaseRequest).where(
            CaseRequest.case_id == int(key.split("-")[1]))))


def _events(db: Database, key: str, kind: str) -> list[dict[str, Any]]:
    with db.session() as s:
        return [json.loads(p) for p in s.scalars(select(AuditEvent.payload).where(
            AuditEvent.case_id == int(key.split("-")[1]), AuditEvent.kind == kind))]


def test_personal_data_goes_and_the_case_its_decision_and_timeline_stay(client, db, settings,
                                                                        specialist):
    key = _closed(client, db, specialist, _consumer_flag())
    _age(db, key, DAYS + 1)
    before = _case(db, key)
    timeline_before = len(_ok(client.get(f"{API}/cases/{key}/timeline",
                                         headers=specialist.headers))["items"])
    result = _run(db)
    assert (result.cases, result.requests, result.done) == (1, 1, True)
    case = _case(db, key)
    assert (case.requester_name, case.requester_contact) == (None, None)
    assert EMAIL not in case.description and PHONE not in case.description
    assert case.description == f"Fake. Call me on {ERASED} or write to {ERASED}."
    assert case.details["reason"] == case.description
    assert case.details["outcome"] == f"removed; reporter {EMAIL} told"  # the decision stays
    assert (case.status, case.decided_at, case.closed_at, case.category) == (
        before.status, before.decided_at, before.closed_at, before.category)
    assert case.pii_erased_at is not None
    [request] = _requests(db, key)
    assert (request.requester_name, request.requester_contact) == (None, None)
    # The request's receipt is no personal data: it stays, so the sender can still quote it.
    assert request.payload == {"reason": ERASED, "reporter_type": "consumer",
                               "description": ERASED, "receipt": request.payload["receipt"]}
    assert request.payload["receipt"].startswith("RCPT-")
    [erased] = _events(db, key, "pii.erased")
    assert erased["fields"] == ["requester.name", "requester.contact", "description", "details"]
    assert erased["requests"] == 1 and erased["retention_days"] == DAYS
    items = _ok(client.get(f"{API}/cases/{key}/timeline", headers=specialist.headers))["items"]
    assert len(items) == timeline_before + 1 and items[-1]["kind"] == "pii.erased"
    with db.session() as s:
        assert verify(s, secret=settings.secret_key).ok
    shown = _ok(client.post(f"{API}/cases/{key}/reveal", json={"reason": "check erasure"},
                            headers=specialist.headers))
    assert shown["requester"]["contact"] is None
    assert _ok(client.get(f"{API}/cases/{key}", headers=specialist.headers))["pii_erased_at"]


def test_lawyers_keep_their_names_but_not_their_e_mails(client, db, manager):
    key = _closed(client, db, manager, f.legal(), linked=0)
    _age(db, key, DAYS + 1)
    _run(db)
    case = _case(db, key)
    assert (case.requester_name, case.requester_organisation, case.requester_contact) == (
        "Jane Counsel", "Counsel & Co", None)


def test_nothing_is_erased_before_the_period_or_while_open(client, db, specialist):
    recent = _closed(client, db, specialist, _consumer_flag("r1"))
    _age(db, recent, DAYS - 1)
    still_open = _ok(client.post(f"{API}/cases", json=_consumer_flag("r2"),
                                 headers=specialist.headers), 201)["case"]["key"]
    with db.session() as s:
        s.execute(update(Case).where(Case.id == int(still_open.split("-")[1]))
                  .values(closed_at=utcnow() - timedelta(days=DAYS * 2)))  # inconsistent row
    assert _run(db).cases == 0
    assert _case(db, recent).requester_contact == EMAIL
    assert _case(db, still_open).requester_contact == EMAIL


@pytest.mark.parametrize("subject", [None, "review:r1", "business:shop.example.com",
                                     "reviewer:u1"])
def test_a_legal_hold_keeps_the_case_until_it_is_lifted(client, db, manager, specialist,
                                                        subject):
    key = _closed(client, db, specialist, _consumer_flag())
    _age(db, key, DAYS + 1)
    target = {"subject": subject} if subject else {"case": key}
    hold = _ok(client.post(f"{API}/legal-holds", json={"reason": "Litigation", **target},
                           headers=manager.headers), 201)
    with db.session() as s:
        assert due_counts(s, now=utcnow(), retention_days=DAYS) == {"due": 0, "held": 1}
    assert _run(db).cases == 0
    assert _case(db, key).requester_contact == EMAIL
    assert _events(db, key, "pii.erased") == []
    _ok(client.post(f"{API}/legal-holds/{hold['id']}/lift", json={"reason": "Settled"},
                    headers=manager.headers))
    assert _run(db).cases == 1
    assert _case(db, key).requester_contact is None


def test_erasure_is_idempotent(client, db, specialist):
    key = _closed(client, db, specialist, _consumer_flag())
    _age(db, key, DAYS + 1)
    assert _run(db).cases == 1
    assert _run(db).cases == 0
    assert len(_events(db, key, "pii.erased")) == 1


def test_a_reopened_and_closed_again_case_is_looked_at_afresh(client, db, specialist):
    key = _closed(client, db, specialist, _consumer_flag())
    _age(db, key, DAYS + 1)
    _run(db)
    _ok(client.post(f"{API}/cases/{key}/transition", headers=specialist.headers,
                    json={"action": "reopen", "reason": "new evidence"}))
    assert _case(db, key).pii_erased_at is None


def _counted(db: Database, **kw: Any) -> tuple[Any, int]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        return _run(db, **kw), len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_batches_walk_on_past_held_cases_with_a_cursor(client, db, manager, specialist):
    keys = [_closed(client, db, specialist, _consumer_flag(f"r{i}"), linked=0) for i in range(7)]
    for n, key in enumerate(keys):
        _age(db, key, DAYS + 10 - n)  # closure order = creation order
    _ok(client.post(f"{API}/legal-holds", json={"reason": "Litigation", "case": keys[0]},
                    headers=manager.headers), 201)
    first, two = _counted(db, batch=2)
    assert (first.cases, first.done) == (2, False)
    second, four = _counted(db, batch=4, after=first.after)
    assert (second.cases, second.done) == (4, False)
    assert two == four  # a batch is a fixed number of statements, not some per case
    third = _run(db, batch=4, after=second.after)
    assert (third.cases, third.done) == (0, True)
    assert [_case(db, k).pii_erased_at is not None for k in keys] == [False] + [True] * 6


def test_the_worker_erases_in_batches_and_queues_its_next_run(client, db, specialist, settings):
    keys = [_closed(client, db, specialist, _consumer_flag(f"r{i}"), linked=0) for i in range(3)]
    for key in keys:
        _age(db, key, DAYS + 1)
    settings.retention_batch = 2
    worker = Worker(db, settings)
    with db.session() as s:
        s.add(Job(kind=JOB, payload={}, run_at=utcnow(), singleton_key=JOB))
    assert worker.run_once() == JOB
    assert sum(_case(db, k).pii_erased_at is not None for k in keys) == 2
    with db.session() as s:
        queued = s.scalars(select(Job).where(Job.kind == JOB, Job.status == "queued")).one()
        assert queued.payload["after"] and queued.run_at <= utcnow()
    assert worker.run_once() == JOB
    assert all(_case(db, k).pii_erased_at is not None for k in keys)
    with db.session() as s:  # done: back on its periodic schedule, an hour out
        queued = s.scalars(select(Job).where(Job.kind == JOB, Job.status == "queued")).one()
        assert queued.run_at > utcnow() + timedelta(minutes=50)


def test_the_retention_job_is_periodic(db, settings):
    Worker(db, settings).schedule_periodic(utcnow())
    with db.session() as s:
        assert s.scalar(select(Job.kind).where(Job.kind == JOB)) == JOB


def test_a_case_held_between_the_look_and_the_erasure_is_left_alone(client, db, manager,
                                                                    specialist, monkeypatch):
    key = _closed(client, db, specialist, _consumer_flag())
    _age(db, key, DAYS + 1)
    _ok(client.post(f"{API}/legal-holds", json={"reason": "Litigation", "case": key},
                    headers=manager.headers), 201)
    real = retention.held_clause
    calls: list[int] = []

    def held_after_the_look() -> Any:  # the look misses the hold; the claim must not
        calls.append(1)
        return false() if len(calls) == 1 else real()

    monkeypatch.setattr(retention, "held_clause", held_after_the_look)
    result = _run(db)
    assert len(calls) == 2 and result.cases == 0
    assert _case(db, key).requester_contact == EMAIL
    assert _events(db, key, "pii.erased") == []


def test_the_letters_the_desk_wrote_lose_address_and_text(client, db, make_person):
    """The confirmation of receipt to a notifier holds their name and address: erased with the
    case, the record that it was due (kind, role, language) stays; one still waiting is never
    sent now."""
    from integrity_desk.messages.models import OutboxMessage
    from integrity_desk.messages.service import ERASED_LETTER

    body = f.legal()
    key = _closed(client, db, make_person("legal"), body, linked=0)
    case_id = int(key.split("-")[1])
    with db.session() as s:
        [receipt] = s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id))
        assert receipt.recipient and receipt.status == "queued"
        assert body["sender"]["name"] in receipt.body
    _age(db, key, DAYS + 1)
    assert _run(db).cases == 1
    with db.session() as s:
        [receipt] = s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id))
        assert (receipt.recipient, receipt.body, receipt.status) == (
            None, ERASED_LETTER, "no_address")
        assert (receipt.kind, receipt.recipient_role) == ("receipt", "requester")
    [erased] = _events(db, key, "pii.erased")
    assert erased["letters"] == 1
