"""Webhooks in the console: add a subscription (the secret shown once), the delivery log, dead
letters replayed one or all, deactivate, rotate."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select, update

from integrity_desk.db import Database
from integrity_desk.webhooks.models import WebhookDelivery, WebhookSubscription
from tests import factories as f
from tests.conftest import Browser, Person
from tests.webhooks.conftest import Receiver


def _add(browser: Browser, receiver: Receiver, **over: object) -> str:
    data = {"csrf_token": browser.csrf, "name": "Slack bot", "url": receiver.url,
            "event_types": ["case.created", "sla.breached"], **over}
    r = browser.client.post("/webhooks", data=data)
    assert r.status_code == 200, r.text
    found = re.search(r'id="secret" type="text" readonly value="([^"]+)"', r.text)
    assert found, r.text
    return found.group(1)


def test_a_manager_adds_a_subscription_and_sees_the_secret_once(
        db: Database, manager: Person, sign_in: Callable[..., Browser],
        receiver: Receiver) -> None:
    browser = sign_in(manager)
    assert "No system subscribes yet" in browser.client.get("/webhooks").text
    secret = _add(browser, receiver)
    with db.session() as s:
        sub = s.scalars(select(WebhookSubscription)).one()
    assert sub.event_types == ["case.created", "sla.breached"]
    listed = browser.client.get("/webhooks").text
    assert "Slack bot" in listed and secret not in listed
    detail = browser.client.get(f"/webhooks/{sub.id}").text
    assert secret not in detail and sub.secret_hint in detail
    # Rotating shows the new one once; the old keeps signing alongside.
    r = browser.client.post(f"/webhooks/{sub.id}/rotate-secret",
                            data={"csrf_token": browser.csrf})
    new = re.search(r'readonly value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    assert new != secret and "keeps signing too" in r.text


def test_bad_input_is_shown_on_its_field(manager: Person, sign_in: Callable[..., Browser],
                                         receiver: Receiver) -> None:
    browser = sign_in(manager)
    r = browser.client.post("/webhooks", data={"csrf_token": browser.csrf, "name": "x",
                                               "url": "http://hooks.example.com/h",
                                               "event_types": ["case.created"]})
    assert r.status_code == 422 and 'id="url-error"' in r.text
    assert 'value="http://hooks.example.com/h"' in r.text
    r = browser.client.post("/webhooks", data={"csrf_token": browser.csrf, "name": "x",
                                               "url": receiver.url})
    assert r.status_code == 422 and "at least one event type" in r.text


def test_dead_letters_are_replayed_from_the_page(
        client: object, db: Database, manager: Person, sign_in: Callable[..., Browser],
        receiver: Receiver, deliver: Callable[..., dict[str, int]]) -> None:
    browser = sign_in(manager)
    secret = _add(browser, receiver)
    receiver.secret = secret
    for ref in ("r1", "r2"):
        client.post("/api/v1/cases", json=f.flag(ref), headers=manager.headers)  # type: ignore[attr-defined]
    with db.session() as s:
        sub_id = s.scalars(select(WebhookSubscription.id)).one()
        s.execute(update(WebhookDelivery).values(status="dead", attempts=16,
                                                 last_error="HTTP 500: down"))
        first, _ = s.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id))
    page = browser.client.get(f"/webhooks/{sub_id}").text
    assert "HTTP 500: down" in page and f"Replay delivery {first}" in page
    r = browser.client.post(f"/webhooks/{sub_id}/replay",
                            data={"csrf_token": browser.csrf, "delivery_id": str(first)})
    assert r.status_code == 200 and "1 dead letter(s) queued again" in r.text
    r = browser.client.post(f"/webhooks/{sub_id}/replay", data={"csrf_token": browser.csrf})
    assert "1 dead letter(s) queued again" in r.text
    assert deliver()["delivered"] == 2
    page = browser.client.get(f"/webhooks/{sub_id}").text
    assert "No dead letters" in page and page.count(">delivered<") == 2
    # Deactivated, nothing more is sent; replaying is refused until it is active again.
    browser.client.post(f"/webhooks/{sub_id}/active",
                        data={"csrf_token": browser.csrf, "active": "no"})
    with db.session() as s:
        assert s.get(WebhookSubscription, sub_id).active is False
    r = browser.client.post(f"/webhooks/{sub_id}/replay", data={"csrf_token": browser.csrf})
    assert r.status_code == 409
