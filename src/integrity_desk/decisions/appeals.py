"""Internal complaints (DSA Art. 20) and out-of-court disputes (Art. 21).

An appeal is decided by a person other than the one who made (or approved) the decision it
contests — a manager may override that, with a reason that goes on the record — and never by
automation alone. An overturn puts the subjects back as they were before the contested actions
and may take new actions (a notifier's appeal against "no action" can end in a removal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases import service as cases
from integrity_desk.cases.domain import CaseKind, CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.decisions.appeal_statements import correct_after_appeal
from integrity_desk.decisions.domain import ActionRequest, Automation, is_restriction
from integrity_desk.decisions.models import Decision, DecisionAction, OutOfCourtDispute
from integrity_desk.decisions.service import (
    apply_effects,
    check_actions,
    load_actions,
    locate_actions,
    note_misuse,
    reverse_effects,
    subject_refs,
)
from integrity_desk.decisions.statements import issue_statements
from integrity_desk.errors import Conflict, Forbidden, InvalidInput, NotFound
from integrity_desk.messages.notices import notify_appellant
from integrity_desk.misuse.service import check_manifest
from integrity_desk.people.models import Role, User
from integrity_desk.precedents import service as precedents
from integrity_desk.sops import service as sops


class AppealOutcome(StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    PARTLY_OVERTURNED = "partly_overturned"


OVERRIDE_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


@dataclass
class AppealDecisionInput:
    outcome: AppealOutcome
    reasoning: str
    reverse_action_ids: list[int] = field(default_factory=list)
    actions: list[tuple[str, ActionRequest]] = field(default_factory=list)
    territorial_scope: list[str] = field(default_factory=list)
    override_reason: str | None = None
    manifestly_unfounded: bool = False


def contested_decision(session: Session, appeal: Case) -> Decision:
    decision_id = appeal.details.get("contested_decision_id")
    decision = session.get(Decision, decision_id) if decision_id else None
    if decision is None:
        raise Conflict(f"{appeal.key} names no decision to review", field="contested_decision")
    return decision


def _check_decider(contested: Decision, user: User, override_reason: str | None) -> bool:
    """True when a manager overrides the rule that someone else decides the appeal."""
    deciders = {contested.decided_by_id, contested.approved_by_id} - {None}
    if user.id not in deciders:
        return False
    if Role(user.role) in OVERRIDE_ROLES and (override_reason or "").strip():
        return True
    raise Forbidden("an appeal is decided by someone other than the original decider "
                    "(a manager may override with a reason)")


def decide_appeal(session: Session, appeal: Case, inp: AppealDecisionInput, *, user: User,
                  actor: Actor, now: datetime) -> Decision:
    if appeal.kind != CaseKind.APPEAL:
        raise InvalidInput(f"{appeal.key} is not an appeal", field="key")
    if appeal.status not in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        raise Conflict(f"{appeal.key} is {appeal.status}; take it on first", field="status",
                       current=appeal.status,
                       allowed=[CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS])
    if not inp.reasoning.strip():
        raise InvalidInput("the outcome is reasoned", field="reasoning")
    if inp.manifestly_unfounded:
        check_manifest(decision_kind="appeal_outcome", outcome=inp.outcome.value, ground=None,
                       case_kind=appeal.kind, field="manifestly_unfounded")
    contested = contested_decision(session, appeal)
    overridden = _check_decider(contested, user, inp.override_reason)
    # An appeal is worked under the appeal kind's SOP (the complaint's own checklist: the
    # appellant heard, a fresh pair of eyes), not the contested case's kind's.
    sop = sops.gate(session, appeal)
    in_force = [a for a in load_actions(session, contested)
                if a.applied_at is not None and a.closed_at is None]
    to_reverse = _to_reverse(inp, in_force)
    if inp.actions and inp.outcome == AppealOutcome.UPHELD:
        raise InvalidInput("an upheld decision takes no new actions", field="actions")
    if any(is_restriction(r.action) for _, r in inp.actions) and not inp.territorial_scope:
        raise InvalidInput("say where the restriction applies", field="territorial_scope")
    if appeal.status == CaseStatus.ASSIGNED:
        cases.transition(session, appeal, action="start", actor_user=user, actor=actor, now=now)
    contested_case = session.get(Case, contested.case_id)
    assert contested_case is not None
    located = locate_actions(session, contested_case, inp.actions)
    outcome = Decision(
        case_id=appeal.id, kind="appeal_outcome", outcome=inp.outcome.value,
        guideline_id=contested.guideline_id, ground=contested.ground,
        legal_ground=contested.legal_ground, explanation=inp.reasoning.strip(),
        facts=f"Internal complaint against decision {contested.id} on {contested_case.key}.",
        automated_detection=False, automated_decision=Automation.NOT_AUTOMATED.value,
        territorial_scope=sorted(set(inp.territorial_scope or contested.territorial_scope)),
        source_type=contested.source_type, status="applied", decided_by_id=user.id,
        decided_at=now, appeal_of_id=contested.id, manifest=inp.manifestly_unfounded,
        override_reason=inp.override_reason if overridden else None,
        sop_id=sop.id if sop else None)
    session.add(outcome)
    session.flush()
    reversed_ = reverse_effects(session, to_reverse, by=outcome, now=now)
    precedents.note_appeal(session, contested, outcome.outcome)
    refs = subject_refs(session, {(a.subject_type, a.subject_id) for a in in_force})
    corrected = correct_after_appeal(session, contested, to_reverse, in_force=in_force,
                                     subject_refs=refs, appeal_key=appeal.key,
                                     actor=actor.label, now=now)
    # New actions are judged against the subjects as the reversal left them: a notifier's
    # appeal that ends in a removal may not remove what is removed already.
    check_actions(session, located, now=now)
    for _, r in located:
        session.add(DecisionAction(
            decision_id=outcome.id, action=r.action.value, subject_type=r.subject_type,
            subject_id=r.subject_id, duration_days=r.duration_days, label=r.label))
    session.flush()
    applied = apply_effects(session, appeal, outcome, actor=actor, now=now) if located else []
    note_misuse(session, appeal, outcome, applied, now=now)
    issue_statements(session, appeal, outcome, applied, actor=actor, now=now)
    payload: dict[str, Any] = {"decision_id": outcome.id, "outcome": inp.outcome.value,
                               "contested_decision_id": contested.id, "reversed": reversed_,
                               "statements": corrected,
                               "reasoning": inp.reasoning.strip()}
    if overridden:
        payload["override_reason"] = inp.override_reason
        record(session, kind="appeal.override", category="audit", actor=actor,
               case_id=appeal.id, at=now, payload={"contested_decision_id": contested.id,
                                                   "reason": inp.override_reason})
    record(session, kind="appeal.decided", category="state", actor=actor, case_id=appeal.id,
           at=now, payload=payload)
    record(session, kind="appeal.decided", category="state", actor=actor,
           case_id=contested_case.id, at=now,
           payload={"appeal": appeal.key, **payload})
    notify_appellant(session, appeal, outcome, contested_case.key, [
        {"action": a.action, "subject": refs[(a.subject_type, a.subject_id)]}
        for a in to_reverse], actor=actor, now=now)
    cases.transition(session, appeal, action="decide", actor_user=user, actor=actor, now=now,
                     outcome=f"appeal {inp.outcome.value}")
    return outcome


def _to_reverse(inp: AppealDecisionInput, in_force: list[DecisionAction]) -> list[DecisionAction]:
    if inp.outcome == AppealOutcome.UPHELD:
        if inp.reverse_action_ids:
            raise InvalidInput("an upheld decision reverses nothing", field="reverse_action_ids")
        return []
    if inp.outcome == AppealOutcome.OVERTURNED:
        return in_force
    by_id = {a.id: a for a in in_force}
    unknown = sorted(set(inp.reverse_action_ids) - set(by_id))
    if unknown:
        raise InvalidInput(f"actions {unknown} are not in force under the contested decision",
                           field="reverse_action_ids")
    if not inp.reverse_action_ids:
        raise InvalidInput("name the actions to reverse", field="reverse_action_ids")
    return [by_id[i] for i in sorted(set(inp.reverse_action_ids))]


# -- out-of-court disputes (Art. 21) ------------------------------------------------------------

DISPUTE_OUTCOMES = ("in_favour_of_recipient", "in_favour_of_platform", "partly", "withdrawn",
                    "no_decision")


def open_dispute(session: Session, case: Case, *, body: str, reference: str | None,
                 submitted_at: datetime, actor: Actor, user: User) -> OutOfCourtDispute:
    if submitted_at.tzinfo is None:
        raise InvalidInput("give a time zone", field="submitted_at")
    decision_id = session.scalar(select(Decision.id).where(
        Decision.case_id == case.id, Decision.status == "applied")
        .order_by(Decision.id.desc()).limit(1))
    if decision_id is None:
        raise Conflict(f"{case.key} has no decision a body could review", field="key")
    dispute = OutOfCourtDispute(case_id=case.id, decision_id=decision_id, body=body,
                                reference=reference, submitted_at=submitted_at,
                                created_by_id=user.id)
    session.add(dispute)
    session.flush()
    record(session, kind="dispute.opened", category="state", actor=actor, case_id=case.id,
           payload={"dispute_id": dispute.id, "body": body, "reference": reference,
                    "submitted_at": submitted_at})
    return dispute


def update_dispute(session: Session, dispute: OutOfCourtDispute, case: Case, *,
                   changes: dict[str, Any], actor: Actor) -> OutOfCourtDispute:
    """Record the body's outcome and whether (and when) the platform implemented it."""
    if "outcome" in changes and changes["outcome"] not in DISPUTE_OUTCOMES:
        raise InvalidInput(f"one of {', '.join(DISPUTE_OUTCOMES)}", field="outcome")
    for name in ("decided_at", "implemented_at"):
        value = changes.get(name)
        if value is not None and value.tzinfo is None:
            raise InvalidInput("give a time zone", field=name)
        if value is not None and value < dispute.submitted_at:
            raise InvalidInput("cannot be before the dispute was submitted", field=name)
    if changes.get("implemented") and not (changes.get("implemented_at")
                                           or dispute.implemented_at):
        raise InvalidInput("say when it was implemented", field="implemented_at")
    before = {k: getattr(dispute, k) for k in changes}
    for name, value in changes.items():
        setattr(dispute, name, value)
    session.flush()
    record(session, kind="dispute.updated", category="state", actor=actor, case_id=case.id,
           payload={"dispute_id": dispute.id,
                    "changes": {k: {"before": before[k], "after": v} for k, v in changes.items()}})
    return dispute


def get_dispute(session: Session, dispute_id: int, readable: Any) -> tuple[OutOfCourtDispute, Case]:
    found = session.execute(select(OutOfCourtDispute, Case)
                            .join(Case, Case.id == OutOfCourtDispute.case_id)
                            .where(OutOfCourtDispute.id == dispute_id, readable)).first()
    if found is None:
        raise NotFound(f"no dispute {dispute_id}", field="dispute")
    return found[0], found[1]
