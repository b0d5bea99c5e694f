"""Configuration a fresh desk starts with (queues, SLA policies, triage rules), added only where
absent so that a manager's changes survive every upgrade."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CaseKind
from integrity_desk.decisions.guidelines import ensure_default_guidelines
from integrity_desk.routing.models import Queue
from integrity_desk.routing.settings import first_version
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.triage.service import ensure_default_rules

# (first response, resolution) in minutes at P2; other priorities scale by PRIORITY_FACTOR.
BASE_TARGETS: dict[CaseKind, tuple[int, int]] = {
    CaseKind.FLAG: (8 * 60, 48 * 60),
    CaseKind.CSM_ESCALATION: (4 * 60, 48 * 60),
    CaseKind.EXECUTIVE_ESCALATION: (2 * 60, 24 * 60),
    CaseKind.APPEAL: (24 * 60, 72 * 60),
    CaseKind.LEGAL_NOTICE: (8 * 60, 72 * 60),
    CaseKind.TRUSTED_FLAGGER_NOTICE: (4 * 60, 24 * 60),
    CaseKind.INVESTIGATION: (24 * 60, 14 * 24 * 60),
}
PRIORITY_FACTOR = {0: 0.125, 1: 0.5, 2: 1.0, 3: 1.5, 4: 3.0}

DEFAULT_QUEUES = [
    dict(slug="flags", name="Flags (tier 1)", kinds=[CaseKind.FLAG.value], tier=1, position=10),
    dict(slug="specialists", name="Specialist escalations (tier 2)", tier=2, position=20,
         kinds=[k.value for k in CaseKind if k != CaseKind.LEGAL_NOTICE]),
    dict(slug="legal", name="Legal (tier 3)", kinds=[CaseKind.LEGAL_NOTICE.value], tier=3,
         position=30),
    dict(slug="management", name="Management (tier 3)", tier=3, position=40,
         kinds=[k.value for k in CaseKind if k != CaseKind.LEGAL_NOTICE]),
]


def ensure_defaults(session: Session) -> None:
    ensure_default_rules(session)
    ensure_default_guidelines(session)
    if session.scalar(select(SlaCalendar.id).where(SlaCalendar.name == "24/7")) is None:
        session.add(SlaCalendar(name="24/7", timezone="UTC", hours=None))
    if session.scalar(select(SlaPolicy.id).limit(1)) is None:
        for kind, (first, resolution) in BASE_TARGETS.items():
            for priority, factor in PRIORITY_FACTOR.items():
                session.add(SlaPolicy(
                    kind=kind.value, priority=priority,
                    first_response_minutes=max(15, round(first * factor)),
                    resolution_minutes=max(60, round(resolution * factor)),
                ))
    if session.scalar(select(Queue.id).limit(1)) is None:
        made = [Queue(**q) for q in DEFAULT_QUEUES]
        session.add_all(made)
        session.flush()
        for queue in made:  # every queue has version 1 of its routing settings
            first_version(session, queue)
    session.flush()
