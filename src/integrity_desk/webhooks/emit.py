"""Write the deliveries an event owes, in the event's own transaction.

Hot path: every timeline write passes here. An event kind that no webhook comes from returns
at once; a kind nobody subscribes to returns after a look at the cached subscriptions, which
are checked against the configuration version the unit of work has read already (a trigger
bumps it when a subscription changes) — zero statements either way. Only when someone
subscribes are the cases read (one statement) and the deliveries inserted (one more).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import URL, select
from sqlalchemy.orm import Session

from integrity_desk.bulk import BulkInsert
from integrity_desk.cases.domain import case_key
from integrity_desk.cases.models import Case
from integrity_desk.configuration.service import config_version
from integrity_desk.db import utcnow
from integrity_desk.routing.models import Queue
from integrity_desk.settings import get_settings
from integrity_desk.webhooks.domain import SOURCE_KINDS, EventType, event_data, event_type_of
from integrity_desk.webhooks.models import WebhookDelivery, WebhookSubscription

_INSERT = BulkInsert(WebhookDelivery.__table__, [
    "subscription_id", "event_id", "event_type", "case_id", "body", "status", "attempts",
    "next_attempt_at", "replays", "created_at"])
_ACTIVE = select(WebhookSubscription.id, WebhookSubscription.event_types).where(
    WebhookSubscription.active.is_(True))
_CASES = (select(Case.id, Case.kind, Case.status, Case.priority, Queue.slug, Case.assignee_id,
                 Case.resolution_due_at, Case.created_at)
          .outerjoin(Queue, Queue.id == Case.queue_id))

# engine URL → (configuration version, event type → ids of the active subscriptions)
_cache: dict[URL, tuple[int, dict[str, tuple[int, ...]]]] = {}
_lock = threading.Lock()


def subscribers(session: Session) -> dict[str, tuple[int, ...]]:
    version = config_version(session)
    key = session.get_bind().engine.url
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    by_type: dict[str, list[int]] = {}
    for sub_id, types in session.execute(_ACTIVE):
        for t in types or []:
            by_type.setdefault(t, []).append(sub_id)
    snapshot = {t: tuple(sorted(ids)) for t, ids in by_type.items()}
    with _lock:
        _cache[key] = (version, snapshot)
    return snapshot


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def emit(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """The audit log's listener: deliveries for the events someone subscribed to."""
    wanted: list[tuple[EventType, dict[str, Any]]] = []
    subs: dict[str, tuple[int, ...]] | None = None
    for e in events:
        if e["kind"] not in SOURCE_KINDS or not e.get("case_id"):
            continue
        event_type = event_type_of(e["kind"], e["payload"])
        if event_type is None:
            continue
        if subs is None:
            subs = subscribers(session)
        if subs.get(event_type):
            wanted.append((event_type, e))
    if not wanted or subs is None:
        return
    cases = {row.id: row for row in session.execute(
        _CASES.where(Case.id.in_({e["case_id"] for _, e in wanted})))}
    base = get_settings().public_base_url.rstrip("/")
    now = utcnow()
    rows = []
    for event_type, e in wanted:
        case = cases.get(e["case_id"])
        if case is None:  # gone within this transaction (never expected): nothing to announce
            continue
        key = case_key(case.kind, case.id)
        event_id = "evt_" + uuid.uuid4().hex
        body = json.dumps({
            "id": event_id, "type": event_type.value,
            "occurred_at": _iso(e.get("at") or now),
            "data": {"case": {
                "key": key, "kind": case.kind, "status": case.status,
                "priority": f"P{case.priority}", "queue": case.slug,
                "assignee_id": case.assignee_id,
                "resolution_due_at": _iso(case.resolution_due_at),
                "created_at": _iso(case.created_at), "url": f"{base}/cases/{key}"},
                **event_data(e["kind"], e["payload"])},
        }, separators=(",", ":"), default=_json_default)
        for sub_id in subs[event_type]:
            rows.append(dict(subscription_id=sub_id, event_id=event_id,
                             event_type=event_type.value, case_id=case.id, body=body,
                             status="pending", attempts=0, next_attempt_at=now, replays=0,
                             created_at=now))
    _INSERT.execute(session, rows)
