"""The messages a decision owes: the decision on a notice to its notifier (DSA Art. 16(5)),
and the reasoned outcome of a complaint to the complainant (Art. 20(4)-(5)). A legal notice's
outcome letter waits for counsel's review before it goes out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor
from integrity_desk.cases.models import Case
from integrity_desk.decisions.domain import ActionKind
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline
from integrity_desk.forms.tokens import appeal_url
from integrity_desk.messages.domain import (
    MessageKind,
    appeal_outcome_key,
    decision_notice_key,
)
from integrity_desk.messages.service import queue

NOTICE_KINDS = frozenset({"flag", "legal_notice", "trusted_flagger_notice"})


def appeal_link(case: Case, decision: Decision, *, role: str, informed_at: datetime) -> str:
    """The public appeal form, by a signed link naming the decision and who was told of it
    (DSA Art. 20: the notifier, or the person affected) and when."""
    return appeal_url(decision_id=decision.id, case_id=case.id, role=role,
                      informed_at=informed_at)


def notify_notifier(session: Session, case: Case, decision: Decision,
                    actions: list[DecisionAction], guideline: Guideline | None, *,
                    actor: Actor, now: datetime) -> None:
    """The decision on a notice, to whoever sent it (not to a detector, which is us)."""
    if case.kind not in NOTICE_KINDS or case.requester_type == "automated_detector":
        return
    # Codes, not sentences: each language's template says them (messages/phrases.py).
    if decision.ground == "illegal_content":
        ground = "illegal_content"
    else:
        ground = "guideline" if guideline is not None else "terms"
    queue(session, kind=MessageKind.DECISION_NOTICE, case=case, to=case.requester_contact,
          role="notifier", key=decision_notice_key(decision.id), actor=actor, now=now,
          hold="counsel reviews a legal notice's outcome letter before it is sent"
          if case.kind == "legal_notice" else None,
          context={
              "name": case.requester_name, "received_at": case.created_at,
              "outcome": decision.outcome,
              "measures": [a.action for a in actions if a.action != ActionKind.KEEP],
              "ground": ground, "law": decision.legal_ground,
              "guideline": {"title": guideline.title, "version": guideline.version}
              if guideline is not None else None,
              "explanation": decision.explanation,
              "automation": decision.automated_decision,
              "appeal_link": appeal_link(case, decision, role="notifier", informed_at=now)})


def notify_appellant(session: Session, appeal: Case, outcome: Decision, contested_key: str,
                     lifted: list[dict[str, str]], *, actor: Actor, now: datetime) -> None:
    """The reasoned outcome of a complaint, to who made it: the outcome as a code and each
    measure lifted (``{"action": kind, "subject": "review:r1"}``), which the template names in
    the appellant's language — the letter says what changed, not only how much."""
    queue(session, kind=MessageKind.APPEAL_OUTCOME, case=appeal, to=appeal.requester_contact,
          role="appellant", key=appeal_outcome_key(outcome.id), actor=actor, now=now,
          context={"name": appeal.requester_name, "contested_key": contested_key,
                   "outcome": outcome.outcome, "reasoning": outcome.explanation,
                   "reversed": len(lifted), "lifted": lifted})
