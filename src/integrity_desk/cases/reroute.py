"""A case that waits again (escalated to the next tier, released by whoever held it) is routed
again as a new one is: the queue with the most free capacity for it, and in a push queue the
person (never the one who just let it go). The choice and its reasons are a ``case.routed``
event on the timeline (docs/routing.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.cases.domain import CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.configuration.service import desk_config
from integrity_desk.people.models import User
from integrity_desk.routing import intervals, push


def reroute(session: Session, case: Case, *, now: datetime, exclude: Iterable[int] = ()
            ) -> push.Routed | None:
    """Route the waiting case again; None when it is not waiting (nothing to route). Where
    only one queue takes it and that queue is pulled from, it stays where it is and the
    timeline says nothing more than the release or escalation already did."""
    if case.status != CaseStatus.TRIAGED or case.assignee_id is not None:
        return None
    to = push.route_case(session, desk_config(session).queues, case, now, exclude=exclude)
    if not to.contested:
        return to  # one queue, pulled from: nothing was chosen, nothing to say
    values: dict[str, Any] = {}
    if to.queue is not None and to.queue.id != case.queue_id:
        values["queue_id"] = to.queue.id
    if to.assignee_id is not None:
        values.update(status=CaseStatus.ASSIGNED, assignee_id=to.assignee_id)
    if values:
        # Only while it still waits: a claim that came first stands.
        changed = session.execute(
            update(Case).where(Case.id == case.id, Case.status == CaseStatus.TRIAGED,
                               Case.assignee_id.is_(None))
            .values(updated_at=now, **values)
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            session.expire(case)
            return None
        for name, value in values.items():
            setattr(case, name, value)
    assignee = session.get(User, to.assignee_id) if to.assignee_id is not None else None
    if assignee is not None:
        intervals.hand_over(session, case.id, assignee, now=now, start_reason="assigned")
    record(session, kind="case.routed", category="state", actor=SYSTEM, case_id=case.id, at=now,
           payload={"queue": to.queue.slug if to.queue else None,
                    "assignee": assignee.name if assignee else None,
                    "assignee_id": assignee.id if assignee else None, "routing": to.words})
    return to
