"""What the console's decision panel shows about a case, loaded in a fixed number of queries.

The panel lists every decision on the case with the guideline version it cited, its actions and
their effects, who decided and who approved, the statements of reasons each restriction issued
(the Transparency Database statement and the Art. 17 message), and, on an appeal, the decision
it contests. A read model for the web console: the same services decide and approve; this only
gathers what a person needs to see beside them, whatever the number of decisions — one query
per kind of row, never one per decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from integrity_desk.cases.domain import CaseKind, CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.decisions.applying import stalled as applying_stalled
from integrity_desk.decisions.domain import RULES, ActionKind
from integrity_desk.decisions.members import PREFIX
from integrity_desk.decisions.models import ApprovalRule, Decision
from integrity_desk.decisions.service import (
    SUBJECT_KEYS,
    SUBJECT_MODELS,
    case_reach,
    decisions_of,
)
from integrity_desk.dsa.models import DsaStatement
from integrity_desk.investigations.members import member_keys
from integrity_desk.messages.domain import MessageKind, statement_key
from integrity_desk.messages.models import OutboxMessage
from integrity_desk.people.models import User
from integrity_desk.subjects.models import Business, Review, Reviewer

DECIDABLE = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
# Actions (and their letters) a decision lists in the panel; a campaign's decision of 5,000
# says how many more there are, and the API lists them all.
SHOWN_ACTIONS = 100


@dataclass(frozen=True)
class SubjectState:
    """A review, reviewer or business as the panel names it, with its state now."""

    type: str
    id: int
    ref: str  # review:r1, reviewer:u1, business:shop.example.com
    state: str


@dataclass
class PanelData:
    case: Case
    decisions: list[Decision]  # actions and guideline loaded
    people: dict[int, str] = field(default_factory=dict)  # user id → name
    subjects: dict[tuple[str, int], SubjectState] = field(default_factory=dict)
    statements: dict[int, list[DsaStatement]] = field(default_factory=dict)  # by decision id
    art17: dict[int, OutboxMessage] = field(default_factory=dict)  # by decision action id
    contested: Decision | None = None  # on an appeal: the decision it contests
    contested_case: Case | None = None
    reach: list[SubjectState] = field(default_factory=list)  # what a decision may act on
    stalled: dict[int, str] = field(default_factory=dict)  # decision applying → why it stopped


def _decision(session: Session, decision_id: int) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.id == decision_id).options(
        selectinload(Decision.actions), selectinload(Decision.guideline))).first()


def _states(session: Session, wanted: set[tuple[str, int]]) -> dict[tuple[str, int],
                                                                      SubjectState]:
    """Refs and current state of the subjects, one look-up per subject type."""
    columns: dict[str, tuple[Any, Any]] = {
        "review": (Review.ref, Review.status), "reviewer": (Reviewer.ref, Reviewer.status),
        "business": (Business.domain, Business.features_status)}
    out: dict[tuple[str, int], SubjectState] = {}
    for kind, (ref, state) in columns.items():
        ids = sorted(i for t, i in wanted if t == kind)
        if not ids:
            continue
        model = SUBJECT_MODELS[kind]
        for subject_id, key, now in session.execute(
                select(model.id, ref, state).where(model.id.in_(ids))):
            out[(kind, subject_id)] = SubjectState(kind, subject_id, f"{kind}:{key}", now or "")
    return out


def load(session: Session, case: Case) -> PanelData:
    """Everything the panel shows about ``case``'s decisions."""
    data = PanelData(case=case, decisions=decisions_of(session, case))
    shown = list(data.decisions)
    decider_ids: set[int] = set()
    if case.kind == CaseKind.APPEAL and case.details.get("contested_decision_id"):
        data.contested = _decision(session, int(case.details["contested_decision_id"]))
        if data.contested is not None:
            data.contested_case = session.get(Case, data.contested.case_id)
            shown.append(data.contested)
        decider_ids |= {int(i) for i in case.details.get("original_decider_ids", [])}
    for d in shown:
        decider_ids |= {i for i in (d.decided_by_id, d.approved_by_id) if i}
    if decider_ids:
        data.people = dict(session.execute(select(User.id, User.name)
                                           .where(User.id.in_(sorted(decider_ids)))).all())
    ids = [d.id for d in shown]
    if ids:
        for statement in session.scalars(select(DsaStatement)
                                         .where(DsaStatement.decision_id.in_(ids))
                                         .order_by(DsaStatement.id)):
            data.statements.setdefault(statement.decision_id or 0, []).append(statement)
    if any(d.status == "applying" for d in shown):
        data.stalled = applying_stalled(session, [d.id for d in shown
                                                  if d.status == "applying"])
    listed = [a for d in shown for a in d.actions[:SHOWN_ACTIONS]]
    keys = {statement_key(a.id): a.id for a in listed}
    if keys:
        for message in session.scalars(select(OutboxMessage).where(
                OutboxMessage.idempotency_key.in_(sorted(keys)),
                OutboxMessage.kind == MessageKind.STATEMENT_OF_REASONS.value)):
            data.art17[keys[message.idempotency_key]] = message
    data.subjects = _states(session, {(a.subject_type, a.subject_id) for a in listed})
    return data


def add_reach(session: Session, data: PanelData, selected: Sequence[str] = (), *,
              every_member: bool = False) -> None:
    """The subjects a new decision may act on (the decision form's rows), in a fixed order:
    the case's reach, or the members picked in the investigation workspace (``review:REF``…;
    those not members of the case are left out, as the decision would refuse them), or —
    ``every_member`` — one row per type of member standing for all of them (``members:review``
    with id 0 and, as its state, how many: decisions/members.py expands it)."""
    if every_member:
        keys = member_keys(data.case.id).subquery()
        counts = dict(session.execute(select(keys.c.subject_type, func.count())
                                      .group_by(keys.c.subject_type)).all())
        data.reach = [SubjectState(t, 0, f"{PREFIX}{t}", f"{counts[t]:,}")
                      for t in ("review", "reviewer", "business") if counts.get(t)]
        return
    reach = case_reach(session, data.case)
    if selected:
        wanted = _picked(session, selected)
        if wanted - reach:
            reach |= {(t, i) for t, i in session.execute(member_keys(data.case.id))}
        reach &= wanted
    data.subjects.update(_states(session, reach - set(data.subjects)))
    order = {"review": 0, "reviewer": 1, "business": 2}
    data.reach = sorted((data.subjects[s] for s in reach if s in data.subjects),
                        key=lambda s: (order[s.type], s.ref))


def _picked(session: Session, selected: Sequence[str]) -> set[tuple[str, int]]:
    """``review:REF``, ``reviewer:REF``, ``business:DOMAIN`` → (type, id), one look-up a kind."""
    refs: dict[str, set[str]] = {}
    for value in selected:
        kind, _, ref = value.partition(":")
        if kind in SUBJECT_KEYS and ref:
            refs.setdefault(kind, set()).add(ref)
    return {(kind, subject_id) for kind, wanted in refs.items()
            for subject_id in session.scalars(select(SUBJECT_MODELS[kind].id).where(
                SUBJECT_KEYS[kind].in_(sorted(wanted))))}


def approval_needed(session: Session) -> dict[ActionKind, bool]:
    """Whether each action waits for a second person (configured, else the action's default)."""
    configured = dict(session.execute(select(ApprovalRule.action,
                                             ApprovalRule.requires_approval)).all())
    return {a: configured.get(a.value, RULES[a].severe) for a in ActionKind}
