"""A case's timeline as people read it: newest first, one filter at a time, paged by event id.

The API (audit/api.py) reads the chain oldest first for machines; the console reads the latest
events first. Both are index range scans of ix_audit_events_case (case_id, id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.models import AuditEvent
from integrity_desk.errors import InvalidInput
from integrity_desk.privacy.domain import mask_json

# The console's filters, each a set of event categories (empty: all of them).
FILTERS: dict[str, tuple[str, ...]] = {
    "all": (),
    "comments": ("comment",),
    "state": ("state",),
    "sla": ("sla",),
    "audit": ("audit", "access", "intake", "legal", "privacy"),
}
# Payload keys that name our own staff, not a requester: shown as they are.
STAFF_KEYS = frozenset({"assignee"})


@dataclass(frozen=True)
class TimelineEvent:
    id: int
    kind: str
    category: str
    actor: str
    occurred_at: datetime
    payload: dict[str, Any]  # masked


def check_filter(show: str) -> tuple[str, ...]:
    if show not in FILTERS:
        raise InvalidInput(f"show is one of {', '.join(FILTERS)}", field="show")
    return FILTERS[show]


def latest_events(session: Session, case_id: int, *, show: str = "all",
                  before: int | None = None, limit: int = 25
                  ) -> tuple[list[TimelineEvent], int | None]:
    """One page of the case's events, newest first, older than event ``before``; and the
    cursor of the next (older) page, None at the start of the case."""
    categories = check_filter(show)
    query = select(AuditEvent.id, AuditEvent.kind, AuditEvent.category, AuditEvent.actor_label,
                   AuditEvent.occurred_at, AuditEvent.payload
                   ).where(AuditEvent.case_id == case_id)
    if categories:
        query = query.where(AuditEvent.category.in_(categories))
    if before:
        query = query.where(AuditEvent.id < before)
    rows = list(session.execute(query.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    events = [TimelineEvent(r.id, r.kind, r.category, r.actor_label, r.occurred_at,
                            mask_json(json.loads(r.payload), keep=STAFF_KEYS))
              for r in rows[:limit]]
    return events, (events[-1].id if more else None)
