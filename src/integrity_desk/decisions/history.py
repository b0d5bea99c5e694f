"""Earlier decisions on a case's subjects, for the case view: the decisions of the other cases
about the same reviews, businesses and reviewers (the caller has checked it may read those
cases). Two statements: the decisions with their guideline (ix_decisions_case), then their
actions (ix_decision_actions_decision)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.decisions.models import Decision, DecisionAction, Guideline


@dataclass(frozen=True)
class ActionBrief:
    action: str
    subject_type: str
    subject_id: int


@dataclass
class DecisionBrief:
    id: int
    case_id: int
    kind: str
    outcome: str
    status: str
    decided_at: datetime
    guideline: str | None  # "code v2 — title"
    ground: str | None
    actions: list[ActionBrief] = field(default_factory=list)


def decisions_on_cases(session: Session, case_ids: Collection[int], *, limit: int = 50
                       ) -> list[DecisionBrief]:
    """The latest decisions taken on these cases, newest first, with what each one did."""
    if not case_ids:
        return []
    rows = session.execute(
        select(Decision.id, Decision.case_id, Decision.kind, Decision.outcome, Decision.status,
               Decision.decided_at, Guideline.code, Guideline.version, Guideline.title,
               Decision.ground)
        .outerjoin(Guideline, Guideline.id == Decision.guideline_id)
        .where(Decision.case_id.in_(list(case_ids)))
        .order_by(Decision.id.desc()).limit(limit))
    briefs = {r[0]: DecisionBrief(
        r[0], r[1], r[2], r[3], r[4], r[5],
        f"{r[6]} v{r[7]} — {r[8]}" if r[6] else None, r[9]) for r in rows}
    if briefs:
        for decision_id, action, s_type, s_id in session.execute(
                select(DecisionAction.decision_id, DecisionAction.action,
                       DecisionAction.subject_type, DecisionAction.subject_id)
                .where(DecisionAction.decision_id.in_(list(briefs)))
                .order_by(DecisionAction.decision_id, DecisionAction.id)):
            briefs[decision_id].actions.append(ActionBrief(action, s_type, s_id))
    return list(briefs.values())
