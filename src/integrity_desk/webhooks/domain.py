"""What a webhook says and how it is signed: event types, the timeline events they come from,
the signature header, and the retry schedule. Pure: no database, no network.

Signature (documented in docs/webhooks.md): ``Idesk-Signature: t=<unix seconds>,v1=<hex>``
where ``hex = HMAC-SHA256(secret, f"{t}.{body}")``. During a secret rotation the header
carries one ``v1=`` per secret in force; a receiver accepts the request if any one matches.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    CASE_CREATED = "case.created"
    CASE_ASSIGNED = "case.assigned"
    CASE_DECIDED = "case.decided"
    CASE_CLOSED = "case.closed"
    SLA_AT_RISK = "sla.at_risk"
    SLA_BREACHED = "sla.breached"
    APPEAL_DECIDED = "appeal.decided"


DESCRIPTIONS: dict[EventType, str] = {
    EventType.CASE_CREATED: "a case was opened (not when a request joins an open case)",
    EventType.CASE_ASSIGNED: "a case got an assignee: assigned by someone, claimed, or given "
                             "to someone by a push queue's routing",
    EventType.CASE_DECIDED: "a decision was applied to a case (its actions took effect)",
    EventType.CASE_CLOSED: "a case was closed",
    EventType.SLA_AT_RISK: "a case's resolution clock entered its at-risk window",
    EventType.SLA_BREACHED: "a case's resolution or first-response target passed",
    EventType.APPEAL_DECIDED: "an appeal (DSA Art. 20 complaint) was decided",
}

# The timeline's event kinds that can become a webhook; every other kind costs nothing.
SOURCE_KINDS = frozenset({
    "case.created", "case.assigned", "case.claimed", "case.routed", "decision.applied",
    "case.status_changed", "sla.at_risk", "sla.breached", "sla.first_response_breached",
    "appeal.decided"})

SIGNATURE_HEADER = "Idesk-Signature"
EVENT_ID_HEADER = "Idesk-Event-Id"
EVENT_TYPE_HEADER = "Idesk-Event-Type"
DELIVERY_HEADER = "Idesk-Delivery-Id"
ATTEMPT_HEADER = "Idesk-Delivery-Attempt"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept a timestamp away from its clock


def event_type_of(kind: str, payload: Mapping[str, Any]) -> EventType | None:
    """The webhook an event of the timeline is, if any."""
    if kind not in SOURCE_KINDS:
        return None
    if kind == "case.created":
        return EventType.CASE_CREATED
    if kind in ("case.assigned", "case.claimed"):
        return EventType.CASE_ASSIGNED
    if kind == "case.routed":  # only a push that gave the case to someone is an assignment
        return EventType.CASE_ASSIGNED if payload.get("assignee_id") else None
    if kind == "decision.applied":
        return EventType.CASE_DECIDED
    if kind == "case.status_changed":
        return EventType.CASE_CLOSED if payload.get("after") == "closed" else None
    if kind == "sla.at_risk":
        return EventType.SLA_AT_RISK
    if kind in ("sla.breached", "sla.first_response_breached"):
        return EventType.SLA_BREACHED
    # appeal.decided is written on the appeal and on the contested case; the appeal's own
    # event (without an "appeal" key) is the one announced.
    return None if "appeal" in payload else EventType.APPEAL_DECIDED


def event_data(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The event-specific part of a webhook: identifiers and states, never personal data or
    free text (requesters' names, reasons and comments stay in the desk)."""
    if kind in ("case.assigned", "case.claimed"):
        return {"assignee_id": payload.get("after"), "previous_assignee_id": payload.get(
            "before"), "how": "claimed" if kind == "case.claimed" else "assigned"}
    if kind == "case.routed":
        return {"assignee_id": payload.get("assignee_id"), "previous_assignee_id": None,
                "how": "routed", "queue": payload.get("queue")}
    if kind == "case.created" and payload.get("assignee_id"):
        # A push queue gave the new case to someone as it opened: one webhook, which says so.
        return {"assignee_id": payload["assignee_id"], "how": "routed"}
    if kind == "decision.applied":  # one applied in chunks lists its actions, not effects
        return {"decision_id": payload.get("decision_id"),
                "actions": payload.get("actions") or [e.get("action")
                                                      for e in payload.get("effects", [])]}
    if kind == "case.status_changed":
        return {"previous_status": payload.get("before"), "action": payload.get("action")}
    if kind.startswith("sla."):
        first = kind == "sla.first_response_breached"
        return {"clock": "first_response" if first else "resolution",
                "due_at": payload.get("first_response_due_at" if first
                                      else "resolution_due_at")}
    if kind == "appeal.decided":
        return {"decision_id": payload.get("decision_id"), "outcome": payload.get("outcome"),
                "contested_decision_id": payload.get("contested_decision_id"),
                "reversed_actions": len(payload.get("reversed") or [])}
    return {}


def signature_header(secrets: Iterable[str], body: bytes, *, timestamp: int | None = None
                     ) -> str:
    """``t=…,v1=…[,v1=…]``: one signature per secret in force."""
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + body
    parts = [f"t={t}"] + [
        "v1=" + hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets]
    return ",".join(parts)


class SignatureError(ValueError):
    pass


def verify(secret: str, header: str | None, body: bytes, *,
           tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> int:
    """Check a signature header as a receiver should; returns its timestamp.

    Refuses a missing or malformed header, a timestamp further than ``tolerance`` seconds from
    now (a replayed old request), and a body no ``v1`` signature matches.
    """
    if not header:
        raise SignatureError("no signature header")
    t: int | None = None
    given: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            t = int(value)
        elif name == "v1":
            given.append(value)
    if t is None or not given:
        raise SignatureError("malformed signature header")
    if abs((time.time() if now is None else now) - t) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, g) for g in given):
        raise SignatureError("no signature matches")
    return t


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After in seconds (the delta form; the HTTP-date form is rare for webhooks)."""
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
