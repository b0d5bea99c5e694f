"""Webhooks end to end: subscriptions over the API, deliveries written with their event,
delivered signed to a real HTTP receiver, retried, dead-lettered and replayed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database
from integrity_desk.webhooks.domain import verify
from integrity_desk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests import factories as f
from tests.conftest import Person
from tests.webhooks.conftest import API, Receiver


def _deliveries(db: Database) -> list[WebhookDelivery]:
    with db.session() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _flag(client: TestClient, person: Person, ref: str = "r1") -> str:
    r = client.post(f"{API}/cases", json=f.flag(ref), headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def test_the_secret_is_shown_once_and_stored_encrypted(
        client: TestClient, db: Database, manager: Person,
        subscribe: Callable[..., tuple[int, str]]) -> None:
    sub_id, secret = subscribe("case.created")
    assert secret.startswith("whsec_") and len(secret) > 40
    shown = client.get(f"{API}/webhooks/{sub_id}", headers=manager.headers).json()
    assert "secret" not in shown and shown["secret_hint"] == f"whsec_…{secret[-4:]}"
    listed = client.get(f"{API}/webhooks", headers=manager.headers).json()
    assert secret not in str(listed)
    with db.session() as s:
        row = s.get(WebhookSubscription, sub_id)
        assert secret not in row.secret_ciphertext
        [audit] = s.scalars(select(AuditEvent.payload).where(
            AuditEvent.chain_key == "webhooks")).all()
    assert secret not in audit and "subscription_id" in audit


def test_a_new_case_arrives_signed_at_the_receiver(
        client: TestClient, db: Database, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    sub_id, secret = subscribe("case.created")
    key = _flag(client, manager)
    [pending] = _deliveries(db)
    assert (pending.status, pending.event_type, pending.attempts) == ("pending", "case.created",
                                                                       0)
    assert deliver()["delivered"] == 1
    [got] = receiver.received
    assert receiver.bad_signatures == []
    verify(secret, got.headers["idesk-signature"], got.body)
    event_ = got.event
    assert got.headers["idesk-event-id"] == event_["id"] == pending.event_id
    assert got.headers["idesk-event-type"] == "case.created"
    assert got.headers["idesk-delivery-attempt"] == "1"
    assert event_["data"]["case"]["key"] == key
    assert event_["data"]["case"]["status"] == "triaged"
    # No personal data leaves the desk: the requester's name and address are not in it.
    assert "owner@shop.example.com" not in got.body.decode()
    assert "Shop Owner" not in got.body.decode()
    [done] = _deliveries(db)
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 1, 200)
    log = client.get(f"{API}/webhooks/{sub_id}/attempts", headers=manager.headers).json()
    [attempt] = log["items"]
    assert (attempt["status_code"], attempt["outcome"], attempt["attempt"]) == (200,
                                                                               "delivered", 1)
    assert attempt["latency_ms"] >= 0
    assert deliver()["delivered"] == 0  # nothing twice


def test_a_wrong_secret_fails_verification(receiver: Receiver, client: TestClient,
                                           manager: Person, db: Database,
                                           subscribe: Callable[..., tuple[int, str]],
                                           deliver: Callable[..., dict[str, int]]) -> None:
    subscribe("case.created")
    receiver.secret = "whsec_not-the-one"
    _flag(client, manager)
    assert deliver(webhook_max_attempts=1)["dead"] == 1
    assert receiver.bad_signatures == ["no signature matches"]


def test_a_rolled_back_event_owes_nothing(client: TestClient, db: Database, manager: Person,
                                          subscribe: Callable[..., tuple[int, str]]) -> None:
    subscribe("case.created")
    bad = f.flag("r1")
    bad["review"]["rating"] = 9  # refused after validation? no: at the door
    r = client.post(f"{API}/cases", json=bad, headers=manager.headers)
    assert r.status_code == 422
    # An appeal refused inside intake (no decision to appeal) rolls its unit of work back.
    key = _flag(client, manager)
    r = client.post(f"{API}/cases", json=f.appeal(key), headers=manager.headers)
    assert r.status_code == 422, r.text
    assert [d.event_type for d in _deliveries(db)] == ["case.created"]


def _count_statements(db: Database, work: Callable[[], Any]) -> int:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in seen if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))])


def test_intake_costs_no_statement_more_when_nobody_subscribes_to_the_type(
        client: TestClient, db: Database, manager: Person,
        subscribe: Callable[..., tuple[int, str]]) -> None:
    _flag(client, manager, "r0")  # warm every cache
    _flag(client, manager, "r00")
    bare = _count_statements(db, lambda: _flag(client, manager, "r1"))
    subscribe("case.closed", "sla.breached")
    _flag(client, manager, "r2")  # the cache reloads once after the change
    other = _count_statements(db, lambda: _flag(client, manager, "r3"))
    assert other == bare
    subscribe("case.created")
    _flag(client, manager, "r4")
    wanted = _count_statements(db, lambda: _flag(client, manager, "r5"))
    assert wanted == bare + 2  # the cases read once, the deliveries inserted once
    assert [d.event_type for d in _deliveries(db)] == ["case.created", "case.created"]


def test_retries_back_off_and_then_deliver(
        client: TestClient, db: Database, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    sub_id, _ = subscribe("case.created")
    receiver.script = [(500, {}), (503, {})]
    _flag(client, manager)
    fast = {"webhook_backoff_base_seconds": 0.05, "webhook_backoff_cap_seconds": 0.2}
    assert deliver(**fast)["retry"] == 1
    [d] = _deliveries(db)
    assert (d.status, d.attempts, d.last_status_code) == ("pending", 1, 500)
    assert "HTTP 500" in (d.last_error or "")
    assert deliver(**fast)["delivered"] == 0  # not due yet: it backs off
    for _ in range(40):
        time.sleep(0.05)
        deliver(**fast)
        if _deliveries(db)[0].status == "delivered":
            break
    [d] = _deliveries(db)
    assert (d.status, d.attempts) == ("delivered", 3)
    ids = {r.headers["idesk-event-id"] for r in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1  # one event id, every attempt
    log = client.get(f"{API}/webhooks/{sub_id}/attempts", headers=manager.headers).json()
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in log["items"]] == [
        (3, 200, "delivered"), (2, 503, "retry"), (1, 500, "retry")]


def test_retry_after_is_honoured(client: TestClient, db: Database, manager: Person,
                                 receiver: Receiver, subscribe: Callable[..., tuple[int, str]],
                                 deliver: Callable[..., dict[str, int]]) -> None:
    subscribe("case.created")
    receiver.script = [(429, {"Retry-After": "120"})]
    _flag(client, manager)
    before = time.time()
    deliver(webhook_backoff_base_seconds=0.01)
    [d] = _deliveries(db)
    assert d.next_attempt_at.timestamp() - before >= 119


def test_dead_letters_are_listed_and_replayed(
        client: TestClient, db: Database, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    sub_id, _ = subscribe("case.created")
    receiver.script = [(500, {}), (500, {}), (500, {}), (500, {})]
    _flag(client, manager, "r1")
    _flag(client, manager, "r2")
    settings = {"webhook_max_attempts": 2, "webhook_backoff_base_seconds": 0.01,
                "webhook_backoff_cap_seconds": 0.02}
    deliver(**settings)
    time.sleep(0.05)
    assert deliver(**settings)["dead"] == 2
    dead = client.get(f"{API}/webhooks/{sub_id}/deliveries?status=dead",
                      headers=manager.headers).json()["items"]
    assert len(dead) == 2 and all(d["attempts"] == 2 and d["dead_at"] for d in dead)
    counts = client.get(f"{API}/webhooks", headers=manager.headers).json()["items"][0][
        "deliveries"]
    assert counts == {"pending": 0, "delivered": 0, "dead": 2}
    # Replay one by id; an id that is no dead letter of this subscription is refused by name.
    r = client.post(f"{API}/webhooks/{sub_id}/replay", headers=manager.headers,
                    json={"delivery_ids": [dead[0]["id"], 999]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "delivery_ids"
    r = client.post(f"{API}/webhooks/{sub_id}/replay", headers=manager.headers,
                    json={"delivery_ids": [dead[0]["id"]]})
    assert r.json() == {"replayed": 1}
    assert deliver(**settings)["delivered"] == 1
    r = client.post(f"{API}/webhooks/{sub_id}/replay", headers=manager.headers, json={})
    assert r.json() == {"replayed": 1}
    assert deliver(**settings)["delivered"] == 1
    rows = _deliveries(db)
    assert [(d.status, d.replays) for d in rows] == [("delivered", 1), ("delivered", 1)]
    # The receiver saw each event id again on replay: the same idempotency key.
    by_id: dict[str, int] = {}
    for got in receiver.received:
        by_id[got.headers["idesk-event-id"]] = by_id.get(got.headers["idesk-event-id"], 0) + 1
    assert sorted(by_id.values()) == [3, 3]
    with db.session() as s:
        kinds = list(s.scalars(select(AuditEvent.kind).where(AuditEvent.chain_key == "webhooks")
                               .order_by(AuditEvent.id)))
    assert kinds == ["webhook.created", "webhook.replayed", "webhook.replayed"]


def test_an_unreachable_receiver_is_retried(
        client: TestClient, db: Database, manager: Person,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    subscribe("case.created", url="http://127.0.0.1:9/nothing-listens")
    _flag(client, manager)
    assert deliver()["retry"] == 1
    [d] = _deliveries(db)
    assert d.status == "pending" and d.last_status_code is None
    assert "ConnectError" in (d.last_error or "")


def test_an_inactive_subscription_gets_nothing_new_and_its_backlog_waits_as_dead_letters(
        client: TestClient, db: Database, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    sub_id, _ = subscribe("case.created")
    _flag(client, manager, "r1")
    r = client.patch(f"{API}/webhooks/{sub_id}", headers=manager.headers,
                     json={"active": False, "url": None})
    assert r.status_code == 200 and r.json()["active"] is False
    assert r.json()["url"] == receiver.url  # null leaves a field as it is
    _flag(client, manager, "r2")
    assert len(_deliveries(db)) == 1
    assert deliver()["dead"] == 1
    assert receiver.received == []
    [d] = _deliveries(db)
    assert d.last_error == "the subscription is inactive"
    r = client.post(f"{API}/webhooks/{sub_id}/replay", headers=manager.headers, json={})
    assert r.status_code == 409 and r.json()["error"]["field"] == "active"
    client.patch(f"{API}/webhooks/{sub_id}", headers=manager.headers, json={"active": True})
    client.post(f"{API}/webhooks/{sub_id}/replay", headers=manager.headers, json={})
    assert deliver()["delivered"] == 1 and len(receiver.received) == 1


def test_a_rotated_secret_signs_alongside_the_old_one(
        client: TestClient, db: Database, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    sub_id, old = subscribe("case.created")
    r = client.post(f"{API}/webhooks/{sub_id}/rotate-secret", headers=manager.headers)
    assert r.status_code == 200
    new = r.json()["secret"]
    assert new != old and r.json()["previous_secret_expires_at"]
    receiver.secret = new
    _flag(client, manager)
    deliver()
    [got] = receiver.received
    header = got.headers["idesk-signature"]
    assert header.count("v1=") == 2
    verify(old, header, got.body)
    verify(new, header, got.body)


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "url": "ftp://example.com/h", "event_types": ["case.created"]}, "url"),
    ({"name": "x", "url": "http://hooks.example.com/h", "event_types": ["case.created"]},
     "url"),
    ({"name": "x", "url": "https://hooks.example.com/h", "event_types": ["case.eaten"]},
     "event_types.0"),
    ({"name": "x", "url": "https://hooks.example.com/h", "event_types": []}, "event_types"),
    ({"name": "", "url": "https://hooks.example.com/h", "event_types": ["case.created"]},
     "name"),
])
def test_bad_subscriptions_are_refused_by_field(client: TestClient, manager: Person,
                                                body: dict[str, Any], field: str) -> None:
    r = client.post(f"{API}/webhooks", headers=manager.headers, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_every_event_type_is_announced(
        client: TestClient, db: Database, manager: Person, make_person: Callable[..., Person],
        receiver: Receiver, subscribe: Callable[..., tuple[int, str]],
        deliver: Callable[..., dict[str, int]]) -> None:
    from datetime import UTC, datetime, timedelta

    from integrity_desk.cases.models import Case
    from integrity_desk.sla.tasks import sweep
    from tests.decisions.test_decisions_api import _claimed_flag, _decide

    subscribe("case.created", "case.assigned", "case.decided", "case.closed", "sla.at_risk",
              "sla.breached", "appeal.decided")
    original = _claimed_flag(client, manager)  # created, assigned (claimed)
    r = _decide(client, manager, original, [{"action": "remove_review", "subject": "review:r1"}])
    assert r.status_code == 201, r.text  # decided
    colleague = make_person("specialist")
    r = client.post(f"{API}/cases", json=f.appeal(original), headers=colleague.headers)
    appeal = r.json()["case"]["key"]
    client.post(f"{API}/cases/{appeal}/claim", headers=colleague.headers)
    r = client.post(f"{API}/cases/{appeal}/appeal-outcome", headers=colleague.headers,
                    json={"outcome": "upheld", "reasoning": "The template matches."})
    assert r.status_code == 201, r.text  # appeal decided
    r = client.post(f"{API}/cases/{original}/transition", headers=manager.headers,
                    json={"action": "close"})
    assert r.status_code == 200, r.text  # closed
    late = _claimed_flag(client, manager, ref="r7")
    with db.session() as s:
        case = s.scalars(select(Case).where(Case.id == int(late.split("-")[1]))).one()
        due = case.resolution_due_at
    with db.session() as s:
        sweep(s, now=due - timedelta(minutes=1))  # at risk
    with db.session() as s:
        sweep(s, now=max(due, datetime.now(UTC)) + timedelta(minutes=1))  # breached
    deliver()
    types = [got.event["type"] for got in receiver.received]
    for wanted in ("case.created", "case.assigned", "case.decided", "appeal.decided",
                   "case.closed", "sla.at_risk", "sla.breached"):
        assert wanted in types, (wanted, types)
    closed = next(g.event for g in receiver.received if g.event["type"] == "case.closed")
    assert closed["data"]["case"]["key"] == original and closed["data"]["case"][
        "status"] == "closed"
    decided = next(g.event for g in receiver.received if g.event["type"] == "appeal.decided")
    assert decided["data"]["outcome"] == "upheld" and decided["data"]["case"]["key"] == appeal
    assert types.count("appeal.decided") == 1  # not again for the contested case
    assert receiver.bad_signatures == []


def test_the_delivery_log_pages_by_keyset(
        client: TestClient, db: Database, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    sub_id, _ = subscribe("case.created")
    for n in range(5):
        _flag(client, manager, f"r{n}")
    deliver()
    seen, cursor = [], None
    while True:
        url = f"{API}/webhooks/{sub_id}/deliveries?limit=2" + (f"&cursor={cursor}" if cursor
                                                              else "")
        page = client.get(url, headers=manager.headers).json()
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(WebhookAttempt)) == 5


def test_prune_forgets_old_attempts_and_deliveries_but_not_dead_letters(
        client: TestClient, db: Database, manager: Person, settings: Any,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    from datetime import timedelta

    from integrity_desk.db import utcnow
    from integrity_desk.webhooks.delivery import prune

    subscribe("case.created")
    _flag(client, manager)
    deliver()
    with db.session() as s:
        assert prune(s, now=utcnow(), settings=settings) == {"attempts": 0, "deliveries": 0}
    with db.session() as s:
        assert prune(s, now=utcnow() + timedelta(days=31), settings=settings) == {
            "attempts": 1, "deliveries": 1}
    assert _deliveries(db) == []


def test_delivery_works_where_an_event_loop_already_runs(
        client: TestClient, manager: Person, receiver: Receiver,
        subscribe: Callable[..., tuple[int, str]], deliver: Callable[..., dict[str, int]]
) -> None:
    """An async caller (or a test process with a loop of its own) gets the same delivery."""
    import asyncio

    subscribe("case.created")
    _flag(client, manager)

    import threading

    async def from_a_coroutine() -> dict[str, int]:
        return deliver()

    result: dict[str, int] = {}
    # In a thread of its own: the test process may run a loop in its main thread already.
    thread = threading.Thread(target=lambda: result.update(asyncio.run(from_a_coroutine())))
    thread.start()
    thread.join(timeout=60)
    assert result["delivered"] == 1
    assert len(receiver.received) == 1
