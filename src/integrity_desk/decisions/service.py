"""Deciding a case: actions on its subjects, applied in the same transaction as the decision,
each recorded with the subject's state before and after; severe actions wait for a second
person's approval (four eyes) before they take effect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from integrity_desk.audit.service import Actor, record
from integrity_desk.cases import service as cases
from integrity_desk.cases.domain import CaseKind, CaseStatus
from integrity_desk.cases.models import Case, CaseSubject
from integrity_desk.decisions import guidelines
from integrity_desk.decisions.domain import (
    RULES,
    SUBJECT_FIELDS,
    ActionKind,
    ActionRequest,
    Automation,
    Ground,
    check_action,
    check_combination,
    check_ground,
    effect,
    ends_at,
    is_restriction,
    no_op_reason,
    parse_ladder,
    sanction_for,
)
from integrity_desk.decisions.members import expand_members
from integrity_desk.decisions.models import ApprovalRule, Decision, DecisionAction, Guideline
from integrity_desk.decisions.statements import issue_statements
from integrity_desk.errors import Conflict, InvalidInput, NotFound
from integrity_desk.investigations.members import member_keys, refs_of
from integrity_desk.jobs import service as jobs
from integrity_desk.messages.notices import notify_notifier
from integrity_desk.messages.replies import request_documentation
from integrity_desk.misuse.service import check_manifest, record_manifest
from integrity_desk.people.models import User
from integrity_desk.precedents import service as precedents
from integrity_desk.sops import service as sops
from integrity_desk.subjects.models import Business, Review, Reviewer

SUBJECT_MODELS: dict[str, Any] = {"review": Review, "reviewer": Reviewer, "business": Business}
SUBJECT_KEYS: dict[str, Any] = {"review": Review.ref, "reviewer": Reviewer.ref,
                                "business": Business.domain}
AT_ONCE = 1_000  # actions applied in the deciding request's own transaction (≤ 5 s)
APPLY_JOB = "decisions.apply"  # the worker applies a bigger decision (decisions/applying.py)


@dataclass
class DecisionInput:
    guideline: str
    explanation: str
    facts: str
    outcome: str = "action"  # action | no_action
    guideline_version: int | None = None
    ground: Ground | None = None
    legal_ground: str | None = None
    automated_detection: bool = False
    automated_decision: Automation = Automation.NOT_AUTOMATED
    territorial_scope: list[str] = field(default_factory=list)
    actions: list[tuple[str, ActionRequest]] = field(default_factory=list)  # (subject ref, …)
    manifest: bool = False


def source_type(case: Case) -> str:
    """Where the decision came from, in the DSA's terms (Art. 16 notice, trusted flagger, …)."""
    if case.kind == CaseKind.LEGAL_NOTICE:
        return "article_16"
    if case.kind == CaseKind.TRUSTED_FLAGGER_NOTICE:
        return "trusted_flagger"
    if case.kind == CaseKind.INVESTIGATION or case.requester_type == "automated_detector":
        return "own_initiative"
    return "other_notification"


def locate_actions(session: Session, case: Case, actions: list[tuple[str, ActionRequest]]
                   ) -> list[tuple[str, ActionRequest]]:
    """Each action with its subject found: ``review:REF``, ``reviewer:REF`` or
    ``business:DOMAIN`` → the request with its subject's type and id, if the case is about it —
    directly, as the reviewer or business of one of its reviews, or (an investigation) as a
    member its findings name and nobody dropped. One look-up per kind of
    subject and one of the case's reach, not three queries per action (1,000 actions took ~5 s).
    Errors come in the actions' order, naming the first subject that is not the case's."""
    parsed = [(t, key) if t in SUBJECT_MODELS and key else ("", "")
              for t, _, key in (ref.partition(":") for ref, _ in actions)]
    found: dict[tuple[str, str], int] = {}
    for subject_type in sorted({t for t, _ in parsed if t}):
        keys = sorted({key for t, key in parsed if t == subject_type})
        column = SUBJECT_KEYS[subject_type]
        model = SUBJECT_MODELS[subject_type]
        for subject_id, key in session.execute(select(model.id, column).where(column.in_(keys))):
            found[(subject_type, key)] = subject_id
    reach = case_reach(session, case) if found else set()
    if any(key not in reach for key in found_keys(found)):
        # An investigation's members also include what the findings it holds are about (a
        # campaign's hundreds of reviews come in through its findings, not as subjects).
        reach |= {(t, i) for t, i in session.execute(member_keys(case.id))}
    located = []
    for (ref, request), (subject_type, key) in zip(actions, parsed, strict=True):
        if not subject_type:
            raise InvalidInput("a subject is review:REF, reviewer:REF or business:DOMAIN",
                               field="subject")
        subject_id = found.get((subject_type, key))
        if subject_id is None or (subject_type, subject_id) not in reach:
            raise InvalidInput(f"{ref} is not a subject of {case.key}", field="subject")
        located.append((ref, replace(request, subject_type=subject_type,
                                     subject_id=subject_id)))
    return located


def found_keys(found: dict[tuple[str, str], int]) -> list[tuple[str, int]]:
    return [(subject_type, subject_id) for (subject_type, _), subject_id in found.items()]


def case_reach(session: Session, case: Case) -> set[tuple[str, int]]:
    """The case's subjects, and the reviewer and business of each of its reviews."""
    linked = {(t, i) for t, i in session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id)
        .where(CaseSubject.case_id == case.id))}
    review_ids = [i for t, i in linked if t == "review"]
    if review_ids:
        for reviewer_id, business_id in session.execute(
                select(Review.reviewer_id, Review.business_id).where(Review.id.in_(review_ids))):
            if reviewer_id:
                linked.add(("reviewer", reviewer_id))
            if business_id:
                linked.add(("business", business_id))
    return linked


def requires_approval(session: Session, actions: list[ActionKind]) -> bool:
    configured = {a: r for a, r in session.execute(
        select(ApprovalRule.action, ApprovalRule.requires_approval))}
    return any(configured.get(a.value, RULES[a].severe) for a in actions)


def offences(session: Session, subject_type: str, subject_id: int, code: str) -> int:
    """Earlier applied decisions under this guideline that restricted or warned the subject."""
    return session.scalar(
        select(func.count(func.distinct(Decision.id)))
        .join(DecisionAction, DecisionAction.decision_id == Decision.id)
        .join(Guideline, Guideline.id == Decision.guideline_id)
        .where(DecisionAction.subject_type == subject_type,
               DecisionAction.subject_id == subject_id, Guideline.code == code,
               Decision.status == "applied", DecisionAction.action != ActionKind.KEEP)) or 0


def suggestions(session: Session, case: Case, guideline: Guideline) -> list[dict[str, Any]]:
    """The sanctions ladder's next step for each reviewer and business the case reaches."""
    ladder = parse_ladder(guideline.sanctions)
    out = []
    for subject_type, subject_id in sorted(case_reach(session, case)):
        if subject_type == "review":
            continue
        n = offences(session, subject_type, subject_id, guideline.code) + 1
        step = sanction_for(ladder, subject_type, n)
        if step:
            out.append({"subject_type": subject_type, "subject_id": subject_id, "offence": n,
                        **step.as_dict()})
    return out


def _check_input(inp: DecisionInput, ground: Ground | None, legal_ground: str | None) -> None:
    if inp.outcome not in ("action", "no_action"):
        raise InvalidInput("action or no_action", field="outcome")
    kinds = [r.action for _, r in inp.actions]
    if inp.outcome == "action" and not kinds:
        raise InvalidInput("name at least one action (or decide no_action)", field="actions")
    if inp.outcome == "no_action" and any(k != ActionKind.KEEP for k in kinds):
        raise InvalidInput("a no-action decision keeps its subjects as they are",
                           field="actions")
    restricts = any(is_restriction(k) for k in kinds)
    check_ground(ground, legal_ground=legal_ground, restricts=restricts)
    if restricts and not inp.territorial_scope:
        raise InvalidInput("say where the restriction applies (EU/EEA country codes)",
                           field="territorial_scope")
    for index, (_, request) in enumerate(inp.actions):
        check_action(request, f"actions.{index}")
    if not inp.explanation.strip() or not inp.facts.strip():
        raise InvalidInput("state the facts and the explanation",
                           field="facts" if not inp.facts.strip() else "explanation")


def decide(session: Session, case: Case, inp: DecisionInput, *, user: User, actor: Actor,
           now: datetime) -> Decision:
    """Record a decision on the case; apply it at once unless it needs four eyes."""
    if case.status not in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        raise Conflict(f"{case.key} is {case.status}; take it on (claim or assign) first",
                       field="status", current=case.status,
                       allowed=[CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS])
    waiting = session.scalar(select(Decision.status).where(
        Decision.case_id == case.id, Decision.status.in_(("awaiting_approval", "applying"))))
    if waiting:
        raise Conflict(f"{case.key} has a decision {waiting.replace('_', ' ')}"
                       + (" (it is being applied in chunks)" if waiting == "applying" else ""),
                       field="status", current=case.status)
    sop = sops.gate(session, case)  # 409 naming the required checklist items not done
    guideline = guidelines.get(session, inp.guideline, inp.guideline_version)
    ground = inp.ground or (Ground(guideline.default_ground) if inp.outcome == "action"
                            else None)
    # The guideline's own legal ground only stands for illegal content it was written for.
    legal_ground = inp.legal_ground or (
        guideline.legal_ground if guideline.default_ground == Ground.ILLEGAL_CONTENT else None)
    _check_input(inp, ground, legal_ground)
    if inp.manifest:
        check_manifest(decision_kind="decision", outcome=inp.outcome,
                       ground=ground.value if ground else None, case_kind=case.kind,
                       field="manifest")
    if case.status == CaseStatus.ASSIGNED:
        cases.transition(session, case, action="start", actor_user=user, actor=actor, now=now)
    located = locate_actions(session, case, expand_members(session, case, inp.actions))
    check_actions(session, located, now=now)
    requests = [r for _, r in located]
    pending = requires_approval(session, [r.action for r in requests])
    in_chunks = len(requests) > AT_ONCE
    decision = Decision(
        case_id=case.id, kind="decision", outcome=inp.outcome, guideline_id=guideline.id,
        ground=ground.value if ground else None,
        legal_ground=legal_ground if ground == Ground.ILLEGAL_CONTENT else None,
        explanation=inp.explanation.strip(), facts=inp.facts.strip(),
        automated_detection=inp.automated_detection,
        automated_decision=inp.automated_decision.value,
        territorial_scope=sorted(set(inp.territorial_scope)), source_type=source_type(case),
        manifest=inp.manifest,
        status="awaiting_approval" if pending else "applying" if in_chunks else "applied",
        decided_by_id=user.id, decided_at=now, sop_id=sop.id if sop else None)
    session.add(decision)
    session.flush()
    # One multi-row insert: the rows are read back by apply_effects (or the approval), and
    # ORM objects with their ids returned went in one statement each on SQLite.
    if requests:  # an empty list would be one INSERT of defaults, not none
        session.execute(insert(DecisionAction), [dict(
            decision_id=decision.id, action=r.action.value, subject_type=r.subject_type,
            subject_id=r.subject_id, duration_days=r.duration_days, label=r.label,
            ends_at=ends_at(r, now)) for r in requests])
    record(session, kind="decision.proposed" if pending else "decision.made", category="state",
           actor=actor, case_id=case.id, at=now, payload=_summary(decision, guideline, requests))
    if pending:
        return decision
    if in_chunks:
        start_applying(session, decision, now=now)
    else:
        apply_decision(session, case, decision, user=user, actor=actor, now=now)
    return decision


def start_applying(session: Session, decision: Decision, *, now: datetime) -> None:
    """A decision over more than ``AT_ONCE`` subjects is applied by the worker, ``CHUNK``
    actions a transaction (decisions/applying.py): its status says ``applying`` until the last
    chunk, so the desk always knows it is part-way and a stopped worker resumes it."""
    decision.status = "applying"
    jobs.enqueue(session, APPLY_JOB, {"decision_id": decision.id}, run_at=now,
                 singleton_key=f"{APPLY_JOB}:{decision.id}")


def subject_states(session: Session, keys: set[tuple[str, int]]
                   ) -> dict[tuple[str, int], dict[str, Any]]:
    """The fields decisions change, of each subject: one query per kind of subject."""
    states: dict[tuple[str, int], dict[str, Any]] = {}
    for subject_type in sorted({t for t, _ in keys}):
        model, fields = SUBJECT_MODELS[subject_type], SUBJECT_FIELDS[subject_type]
        ids = sorted(i for t, i in keys if t == subject_type)
        for row in session.execute(select(model.id, *[getattr(model, f) for f in fields])
                                   .where(model.id.in_(ids))):
            states[(subject_type, row[0])] = dict(zip(fields, row[1:], strict=True))
    return states


def check_actions(session: Session, items: list[tuple[str, ActionRequest]], *,
                  now: datetime, conflict: bool = False) -> None:
    """Refuse a decision whose actions contradict each other or change nothing: a 422 naming
    the actions (a 409 when ``conflict``: the subject changed since the decision was proposed,
    so approving it now would do nothing). Nothing is recorded, stated or sent for it."""
    check_combination(items)
    states = subject_states(session, {(r.subject_type, r.subject_id) for _, r in items})
    for index, (ref, request) in enumerate(items):
        reason = no_op_reason(request, states.get((request.subject_type, request.subject_id),
                                                  {}), now)
        if reason is None:
            continue
        message = f"{request.action} changes nothing: {ref} {reason}"
        if conflict:
            raise Conflict(message, field=f"actions.{index}", actions=[request.action.value])
        raise InvalidInput(message, field=f"actions.{index}", actions=[request.action.value])


def subject_refs(session: Session, keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """review:REF, reviewer:REF, business:DOMAIN of each subject, one query per kind."""
    return {key: f"{key[0]}:{ref}" for key, ref in refs_of(session, keys).items()}


def _summary(decision: Decision, guideline: Guideline,
             requests: list[ActionRequest]) -> dict[str, Any]:
    return {"decision_id": decision.id, "outcome": decision.outcome,
            "guideline": f"{guideline.code} v{guideline.version}", "ground": decision.ground,
            "actions": [{"action": r.action.value, "subject": f"{r.subject_type}:{r.subject_id}",
                         "duration_days": r.duration_days} for r in requests]}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def _restore(values: dict[str, Any]) -> dict[str, Any]:
    return {k: datetime.fromisoformat(v) if k.endswith("_until") and isinstance(v, str) else v
            for k, v in values.items()}


def count_actions(session: Session, decision_id: int) -> tuple[int, int]:
    """(applied, all) actions of the decision: the progress of one applied in chunks."""
    applied, total = session.execute(
        select(func.count(DecisionAction.applied_at), func.count())
        .where(DecisionAction.decision_id == decision_id)).one()
    return applied, total


def load_actions(session: Session, decision: Decision) -> list[DecisionAction]:
    return list(session.scalars(select(DecisionAction)
                                .where(DecisionAction.decision_id == decision.id)
                                .order_by(DecisionAction.id)))


def apply_effects(session: Session, case: Case, decision: Decision, *, actor: Actor,
                  now: datetime, actions: list[DecisionAction] | None = None,
                  event: str = "decision.applied", progress: dict[str, Any] | None = None
                  ) -> list[DecisionAction]:
    """Change the subjects as the decision's actions say; keep each one's state before and after
    on the action (an overturn puts the state before back).

    A decision may act on 1,000 subjects: their rows are locked and read with one SELECT … FOR
    UPDATE per kind of subject (in id order, so two deciders cannot deadlock), the effects are
    worked out in Python in the actions' order (a second action on a subject sees the first's
    effect), and subjects — and actions — changed alike are written with one UPDATE each.
    ``actions`` is one chunk of a decision applied in chunks (all of them otherwise); its
    ``event`` then carries the chunk's effects and the ``progress``.
    """
    if actions is None:
        actions = load_actions(session, decision)
    states: dict[tuple[str, int], dict[str, Any]] = {}
    for subject_type in sorted({a.subject_type for a in actions}):
        model, fields = SUBJECT_MODELS[subject_type], SUBJECT_FIELDS[subject_type]
        ids = sorted({a.subject_id for a in actions if a.subject_type == subject_type})
        for row in session.execute(select(model.id, *[getattr(model, f) for f in fields])
                                   .where(model.id.in_(ids)).order_by(model.id)
                                   .with_for_update()):
            states[(subject_type, row[0])] = dict(zip(fields, row[1:], strict=True))
    changed: dict[tuple[str, int], dict[str, Any]] = {}
    recorded: dict[str, list[int]] = {}  # the action's before/after, as JSON → action ids
    for a in actions:
        state = states[(a.subject_type, a.subject_id)]
        request = ActionRequest(ActionKind(a.action), a.subject_type, a.subject_id,
                                a.duration_days, a.label)
        after = effect(request, state, now)
        before, after_json = _jsonable({k: state[k] for k in after}), _jsonable(after)
        state.update(after)
        if after:
            changed.setdefault((a.subject_type, a.subject_id), {}).update(after)
        # Set as loaded, not as changes: the grouped UPDATE below writes them.
        set_committed_value(a, "before", before)
        set_committed_value(a, "after", after_json)
        set_committed_value(a, "applied_at", now)
        recorded.setdefault(json.dumps([before, after_json], sort_keys=True), []).append(a.id)
    alike: dict[tuple[str, str], list[int]] = {}
    for (subject_type, subject_id), values in changed.items():
        alike.setdefault((subject_type, json.dumps(_jsonable(values), sort_keys=True)), []).append(
            subject_id)
    for (subject_type, _), ids in alike.items():
        model = SUBJECT_MODELS[subject_type]
        values = changed[(subject_type, ids[0])]
        session.execute(update(model).where(model.id.in_(ids)).values(**values)
                        .execution_options(synchronize_session=False))
    for pair, ids in recorded.items():
        before, after_json = json.loads(pair)
        session.execute(update(DecisionAction).where(DecisionAction.id.in_(ids))
                        .values(before=before, after=after_json, applied_at=now)
                        .execution_options(synchronize_session=False))
    record(session, kind=event, category="state", actor=actor, case_id=case.id,
           at=now, payload={"decision_id": decision.id, **(progress or {}), "effects": [
               {"action": a.action, "subject": f"{a.subject_type}:{a.subject_id}",
                "before": a.before, "after": a.after} for a in actions]})
    return actions


def reverse_effects(session: Session, actions: list[DecisionAction], *, by: Decision | None,
                    now: datetime) -> list[dict[str, Any]]:
    """Put each subject back as it was before the action; the action stops being in force
    (``by`` the overturning decision, or None when its time ran out: decisions/expiry.py)."""
    reversed_ = []
    for a in actions:
        if a.before:
            model = SUBJECT_MODELS[a.subject_type]
            session.execute(update(model).where(model.id == a.subject_id)
                            .values(**_restore(a.before))
                            .execution_options(synchronize_session=False))
        a.closed_at, a.reversed_by_id = now, by.id if by else None
        reversed_.append({"action_id": a.id, "action": a.action,
                          "subject": f"{a.subject_type}:{a.subject_id}", "restored": a.before})
    session.flush()
    return reversed_


def note_misuse(session: Session, case: Case, decision: Decision,
                actions: list[DecisionAction], *, now: datetime) -> None:
    """A manifest decision adds its items to the misuse counters (DSA Art. 23)."""
    if not decision.manifest:
        return
    bucket = check_manifest(decision_kind=decision.kind, outcome=decision.outcome,
                            ground=decision.ground, case_kind=case.kind, field="manifest")
    record_manifest(session, bucket=bucket, case=case, decision_id=decision.id,
                    reviewed_review_ids=[a.subject_id for a in actions
                                         if a.subject_type == "review"],
                    reviewer_ids=[a.subject_id for a in actions if a.subject_type == "reviewer"],
                    now=now)


def apply_decision(session: Session, case: Case, decision: Decision, *, user: User,
                   actor: Actor, now: datetime) -> None:
    """Change the subjects, record what changed, and move the case on."""
    actions = apply_effects(session, case, decision, actor=actor, now=now)
    apply_consequences(session, case, decision, actions, actor=actor, now=now)
    conclude(session, case, decision, actions, user=user, actor=actor, now=now)


def apply_consequences(session: Session, case: Case, decision: Decision,
                       actions: list[DecisionAction], *, actor: Actor, now: datetime) -> None:
    """What applied actions bring with them: the misuse counters, a statement of reasons per
    restricted subject, the documentation letters. Per chunk, for a decision in chunks."""
    note_misuse(session, case, decision, actions, now=now)
    issue_statements(session, case, decision, actions, actor=actor, now=now)
    request_documentation(session, case, actions, actor=actor, now=now)


def conclude(session: Session, case: Case, decision: Decision, actions: list[DecisionAction],
             *, user: User | None, actor: Actor, now: datetime, move_case: bool = True) -> None:
    """Once every action is applied: tell the notifier, move the case on (``user`` None: the
    desk finishing a decision made earlier), and make the case a precedent."""
    notify_notifier(session, case, decision, actions, session.get(Guideline,
                                                                  decision.guideline_id or 0),
                    actor=actor, now=now)
    waiting_until = next((a.ends_at for a in actions
                          if a.action == ActionKind.REQUEST_DOCUMENTATION), None)
    if not move_case:
        pass
    elif waiting_until is not None:
        cases.transition(session, case, action="wait_on_requester", actor_user=user,
                         actor=actor, now=now,
                         reason=f"documentation requested; answer due {waiting_until:%Y-%m-%d}")
    else:
        cases.transition(session, case, action="decide", actor_user=user, actor=actor, now=now,
                         outcome=f"decision {decision.id}: {decision.outcome}")
    precedents.record(session, case, decision)  # in this transaction: never lags the decision


def get_decision(session: Session, decision_id: int, readable: Any) -> tuple[Decision, Case]:
    """The decision and its case, if the user may read the case (404 otherwise)."""
    found = session.execute(select(Decision, Case).join(Case, Case.id == Decision.case_id)
                            .where(Decision.id == decision_id, readable)).first()
    if found is None:
        raise NotFound(f"no decision {decision_id}", field="decision")
    return found[0], found[1]


def decisions_of(session: Session, case: Case) -> list[Decision]:
    return list(session.scalars(
        select(Decision).where(Decision.case_id == case.id)
        .options(selectinload(Decision.actions), selectinload(Decision.guideline))
        .order_by(Decision.id)))
