"""The second pair of eyes: a severe decision waits until someone else approves it (then it
takes effect — at once, or in chunks when it acts on more than ``service.AT_ONCE`` subjects)
or rejects it (nothing changes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from integrity_desk.access.domain import Action, allows
from integrity_desk.audit.service import Actor, record
from integrity_desk.cases.models import Case
from integrity_desk.decisions import service
from integrity_desk.decisions.domain import ActionKind, ActionRequest
from integrity_desk.decisions.models import Decision
from integrity_desk.decisions.service import (
    apply_decision,
    check_actions,
    load_actions,
    start_applying,
    subject_refs,
)
from integrity_desk.errors import Conflict, Forbidden, InvalidInput
from integrity_desk.people.models import User


def approve(session: Session, decision: Decision, case: Case, *, user: User, actor: Actor,
            now: datetime, note: str | None) -> Decision:
    """The second pair of eyes: another person approves, and the decision takes effect."""
    _check_reviewer(decision, user)
    # The subjects may have changed since the decision was proposed (another decision removed
    # the review meanwhile): approving then would apply, state and report nothing real.
    proposed = load_actions(session, decision)
    refs = subject_refs(session, {(a.subject_type, a.subject_id) for a in proposed})
    check_actions(session, [
        (refs[(a.subject_type, a.subject_id)], ActionRequest(
            ActionKind(a.action), a.subject_type, a.subject_id, a.duration_days, a.label))
        for a in proposed], now=now, conflict=True)
    in_chunks = len(proposed) > service.AT_ONCE
    _settle(session, decision, "applying" if in_chunks else "applied", user=user, now=now,
            note=note)
    record(session, kind="decision.approved", category="state", actor=actor, case_id=case.id,
           at=now, payload={"decision_id": decision.id, "note": note})
    if in_chunks:
        start_applying(session, decision, now=now)
    else:
        apply_decision(session, case, decision, user=user, actor=actor, now=now)
    return decision


def reject(session: Session, decision: Decision, case: Case, *, user: User, actor: Actor,
           now: datetime, note: str) -> Decision:
    if not note.strip():
        raise InvalidInput("say why the decision is rejected", field="note")
    _check_reviewer(decision, user)
    _settle(session, decision, "rejected", user=user, now=now, note=note)
    record(session, kind="decision.rejected", category="state", actor=actor, case_id=case.id,
           at=now, payload={"decision_id": decision.id, "note": note})
    return decision


def _check_reviewer(decision: Decision, user: User) -> None:
    if decision.decided_by_id == user.id:
        raise Forbidden("four eyes: someone other than the decider approves or rejects")
    if not allows(user.role, Action.DECISION_APPROVE):
        raise Forbidden(f"a {user.role} does not approve decisions")


def _settle(session: Session, decision: Decision, status: str, *, user: User, now: datetime,
            note: str | None) -> None:
    """awaiting_approval → status, once: a conditional UPDATE, so two approvers cannot both win."""
    won = session.execute(
        update(Decision).where(Decision.id == decision.id,
                               Decision.status == "awaiting_approval")
        .values(status=status, approved_by_id=user.id, approved_at=now, review_note=note)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        session.refresh(decision)
        raise Conflict(f"decision {decision.id} is {decision.status}, not awaiting approval",
                       field="status", current=decision.status)
    decision.status, decision.approved_by_id, decision.approved_at = status, user.id, now
    decision.review_note = note
