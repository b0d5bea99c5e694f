"""The SLA sweep: record at-risk and breached clocks on the timeline as they happen.

A breach must be a recorded fact (reports count it), not only something computed on read. Each
record is claimed with a conditional UPDATE, so two workers never record one breach twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record_many
from integrity_desk.cases.models import Case

BATCH = 500

_OPEN_CLOCK = and_(Case.is_open, Case.decided_at.is_(None), Case.sla_paused_at.is_(None))

SWEEPS = [
    # (event kind, marker column, condition)
    ("sla.breached", Case.sla_breach_recorded_at, lambda now: Case.resolution_due_at <= now),
    ("sla.at_risk", Case.sla_at_risk_recorded_at,
     lambda now: and_(Case.resolution_at_risk_at <= now, Case.resolution_due_at > now)),
    ("sla.first_response_breached", Case.first_response_breach_recorded_at,
     lambda now: and_(Case.first_responded_at.is_(None), Case.first_response_due_at <= now)),
]


def sweep(session: Session, *, now: datetime) -> dict[str, int]:
    """One pass over the clocks that crossed a line since the last pass; returns counts."""
    counts: dict[str, int] = {}
    for kind, marker, condition in SWEEPS:
        ids = list(session.scalars(
            select(Case.id).where(_OPEN_CLOCK, marker.is_(None), condition(now))
            .order_by(Case.id).limit(BATCH)
        ))
        if not ids:
            counts[kind] = 0
            continue
        # The full condition again, not only the marker: a case decided, paused or answered
        # since the read above has no breach to record.
        won = list(session.execute(
            update(Case).where(Case.id.in_(ids), marker.is_(None), _OPEN_CLOCK, condition(now))
            .values({marker.key: now})
            .returning(Case.id, Case.resolution_due_at, Case.first_response_due_at, Case.priority)
            .execution_options(synchronize_session=False)
        ))
        record_many(session, [
            dict(case_id=case_id, kind=kind, category="sla", actor=SYSTEM, at=now,
                 payload={"resolution_due_at": due, "first_response_due_at": fr_due,
                          "priority": f"P{priority}"})
            for case_id, due, fr_due, priority in sorted(won)
        ])
        counts[kind] = len(won)
    return counts
