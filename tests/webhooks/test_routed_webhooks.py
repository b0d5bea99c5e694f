"""Routing's assignments reach subscribers: a case a push queue gives to someone on release is a
``case.assigned`` webhook (``how: routed``), and one pushed as it opens says so in its
``case.created`` (no second webhook)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrity_desk.db import Database
from tests import factories as f
from tests.conftest import Person
from tests.routing.test_push_routing import _agents, _vendor_queues
from tests.webhooks.conftest import Receiver

API = "/api/v1"


def test_pushed_cases_are_announced_as_assigned(
        client: Any, db: Database, manager: Person, make_person: Callable[..., Person],
        receiver: Receiver, subscribe: Callable[..., tuple[int, str]],
        deliver: Callable[..., dict[str, int]]) -> None:
    team = _vendor_queues(db, push=True)
    ana, ben = _agents(db, make_person, team["Atlas"], 2, capacity=3)
    subscribe("case.created", "case.assigned")
    r = client.post(f"{API}/cases", headers=manager.headers, json=f.flag(ref="hook"))
    key = r.json()["case"]["key"]
    assert client.post(f"{API}/cases/{key}/release", headers=ana.headers,
                       json={"reason": "Not mine."}).status_code == 200
    deliver()
    events = [got.event for got in receiver.received]
    created = next(e for e in events if e["type"] == "case.created")
    assert created["data"]["assignee_id"] == ana.user.id
    assert created["data"]["how"] == "routed"
    assigned = [e for e in events if e["type"] == "case.assigned"]
    assert len(assigned) == 1
    assert assigned[0]["data"]["assignee_id"] == ben.user.id
    assert assigned[0]["data"]["how"] == "routed"
    assert assigned[0]["data"]["queue"] == "flags-atlas"
