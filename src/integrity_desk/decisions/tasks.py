"""Background work of decisions: documentation requests whose answer window has passed.

A reviewer asked for documentation has the window to answer (7 days by default) while the
case's SLA clock is paused; if nothing came, the case goes back to work so that someone decides
on what there is. Requests whose case was resumed by a person (the answer came) are closed too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record
from integrity_desk.cases import service as cases
from integrity_desk.cases.domain import CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.decisions.domain import ActionKind
from integrity_desk.decisions.models import Decision, DecisionAction

JOB = "decisions.documentation_windows"
BATCH = 200


def close_documentation_windows(session: Session, *, now: datetime) -> dict[str, int]:
    rows = session.execute(
        select(DecisionAction, Case)
        .join(Decision, Decision.id == DecisionAction.decision_id)
        .join(Case, Case.id == Decision.case_id)
        .where(DecisionAction.action == ActionKind.REQUEST_DOCUMENTATION,
               DecisionAction.closed_at.is_(None), DecisionAction.applied_at.is_not(None),
               (DecisionAction.ends_at <= now)
               | (Case.status != CaseStatus.WAITING_ON_REQUESTER))
        .order_by(DecisionAction.id).limit(BATCH).with_for_update(of=DecisionAction)).all()
    expired = answered = 0
    for action, case in rows:
        action.closed_at = now
        if case.status == CaseStatus.WAITING_ON_REQUESTER:
            cases.transition(session, case, action="resume", actor_user=None, actor=SYSTEM,
                             now=now)
            record(session, kind="documentation.window_closed", category="state",
                   actor=SYSTEM, case_id=case.id, at=now,
                   payload={"action_id": action.id, "due": action.ends_at,
                            "answered": False})
            expired += 1
        else:
            answered += 1
    session.flush()
    return {"expired": expired, "answered": answered}
