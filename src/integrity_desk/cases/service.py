"""What people do to a case: move it along its lifecycle, assign, comment, merge, split, edit.

Every change is a conditional UPDATE on the state the caller saw (no read-then-write race) and
one timeline event with who, when, what (before → after) and why. Services flush; the boundary
commits once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import Actor, record, record_many
from integrity_desk.cases.domain import (
    ACTIONS,
    MAX_TIER,
    OPEN_STATUSES,
    PAUSING_STATUSES,
    CaseKind,
    CaseStatus,
    check_transition,
    in_words,
    needs_a_reason,
)
from integrity_desk.cases.models import Case, CaseRequest, CaseSubject, CaseTag
from integrity_desk.cases.reroute import reroute
from integrity_desk.configuration.service import desk_config
from integrity_desk.errors import Conflict, Forbidden, InvalidInput
from integrity_desk.intake.requests import Draft
from integrity_desk.intake.service import Intake
from integrity_desk.kpis import facts as kpi_facts
from integrity_desk.people.models import Role, User
from integrity_desk.privacy.domain import text_fingerprint
from integrity_desk.routing import intervals
from integrity_desk.routing.service import check_may_work, check_ready
from integrity_desk.sla import service as sla
from integrity_desk.subjects.models import Review
from integrity_desk.subjects.service import business_review_counts
from integrity_desk.triage.domain import TriageFacts
from integrity_desk.triage.harm import classify, merge_harms
from integrity_desk.wellbeing import service as wellbeing

# Moving into these is a person's first response to the requester.
RESPONDING_STATUSES = frozenset({CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_REQUESTER,
                                 CaseStatus.WAITING_ON_LEGAL, CaseStatus.DECIDED})


def _compare_and_set(session: Session, case: Case, *, now: datetime, **values: Any) -> None:
    """UPDATE … WHERE status = the status we saw; 409 if someone moved the case meanwhile."""
    seen = case.status
    result = session.execute(
        update(Case).where(Case.id == case.id, Case.status == seen)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.expire(case)
        raise Conflict(f"{case.key} changed meanwhile (it is now {case.status}); reload it",
                       field="status", current=case.status)
    for name, value in values.items():
        setattr(case, name, value)
    case.updated_at = now


def _event(session: Session, case: Case, actor: Actor, kind: str, now: datetime,
           category: str = "state", **payload: Any) -> None:
    record(session, kind=kind, category=category, actor=actor, case_id=case.id, at=now,
           payload=payload)


def transition(
    session: Session, case: Case, *, action: str, actor_user: User | None, actor: Actor,
    now: datetime, reason: str | None = None, outcome: str | None = None,
) -> Case:
    """A named action (start, wait_on_requester, resume, decide, close, reopen, …).

    ``actor_user`` is None only for the desk itself (a worker job), which may move any case.
    """
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}; one of {', '.join(ACTIONS)}",
                           field="action")
    target = ACTIONS[action]
    check_transition(case.status, target)
    if actor_user is not None:
        check_may_work(session, actor_user, case)
    if needs_a_reason(action) and not reason:
        raise InvalidInput(f"say why ({action})", field="reason")
    if target == CaseStatus.DECIDED and not (outcome or reason):
        raise InvalidInput("a decision needs its outcome", field="outcome")
    before = case.status
    values: dict[str, Any] = {"status": target, "is_open": target in OPEN_STATUSES}
    config = desk_config(session)
    book = config.sla
    team_calendar = config.queues.team_calendar_id(case.queue_id)
    if target in RESPONDING_STATUSES and case.first_responded_at is None:
        values["first_responded_at"] = now
    if target in PAUSING_STATUSES:
        values["sla_paused_at"] = now
    if before in PAUSING_STATUSES and target not in PAUSING_STATUSES:
        sla.resume(case, book, team_calendar, now)
        values.update(_clock_values(case))
    if target == CaseStatus.DECIDED:
        values["decided_at"] = now
        values["details"] = {**case.details, "outcome": outcome or reason}
    if action == "revise":
        values["decided_at"] = None
    if target == CaseStatus.CLOSED:
        values["closed_at"] = now
    if action == "reopen":
        # pii_erased_at too: once closed again, retention looks at the case afresh.
        values.update(decided_at=None, closed_at=None, assignee_id=None, triaged_at=now,
                      pii_erased_at=None,
                      sla_paused_minutes=0.0, sla_paused_at=None, sla_at_risk_recorded_at=None,
                      sla_breach_recorded_at=None)
        case.triaged_at, case.sla_paused_minutes, case.sla_paused_at = now, 0.0, None
        sla.apply_clock(case, book, team_calendar)
        values.update(_clock_values(case))
        if case.dedupe_key and _dedupe_key_taken(session, case):
            # A newer open case took over the subject meanwhile; it keeps receiving new requests.
            values["dedupe_key"] = None
    holder = case.assignee_id
    _compare_and_set(session, case, now=now, **values)
    _note_kpi_fact(session, case, action, target, holder or (actor_user.id if actor_user
                                                             else None), now)
    if target in (CaseStatus.DECIDED, CaseStatus.CLOSED):
        intervals.hand_over(session, case.id, None, now=now, end_reason=str(target))
    elif action == "revise" and case.assignee_id is not None:
        # Back to work on a decided case: its holder works it again.
        intervals.hand_over(session, case.id, session.get(User, case.assignee_id), now=now,
                            start_reason="revised", end_reason="revised")
    _event(session, case, actor, "case.status_changed", now, before=before, after=target,
           action=action, reason=reason, outcome=outcome)
    return case


def _note_kpi_fact(session: Session, case: Case, action: str, target: CaseStatus,
                   person_id: int | None, now: datetime) -> None:
    """What the KPIs count of this move (kpis.facts): a resolution, a closure, a reopen or
    a revision; the person is whoever held the case, else whoever moved it."""
    if target == CaseStatus.DECIDED:
        kpi_facts.resolved(session, case, person_id=person_id, now=now)
    elif target == CaseStatus.CLOSED:
        kpi_facts.closed(session, case, person_id=person_id, now=now)
    elif action == "reopen":
        kpi_facts.reopened(session, case.id, now=now)
    elif action == "revise":
        kpi_facts.revised(session, case.id, now=now)


def _dedupe_key_taken(session: Session, case: Case) -> bool:
    """Only one open case may hold a dedupe key (a unique index), so a reopen must check."""
    return session.scalar(select(Case.id).where(
        Case.dedupe_key == case.dedupe_key, Case.is_open, Case.id != case.id).limit(1)) is not None


def _clock_values(case: Case) -> dict[str, Any]:
    return {name: getattr(case, name) for name in (
        "sla_paused_at", "sla_paused_minutes", "first_response_due_at",
        "first_response_at_risk_at", "resolution_due_at", "resolution_at_risk_at")}


def assign(
    session: Session, case: Case, *, assignee: User, actor_user: User, actor: Actor,
    now: datetime, reason: str | None = None,
) -> Case:
    """Give the case to someone who may work it (reassigning keeps its working state)."""
    if not assignee.active:
        raise InvalidInput(f"{assignee.email} is deactivated", field="assignee")
    # Whoever hands the case on need not meet its queue's requirements; the assignee must.
    check_may_work(session, actor_user, case, qualified=False)
    check_may_work(session, assignee, case, assignee=True)
    over_cap = _harm_cap_on_assign(session, case, assignee=assignee, actor_user=actor_user,
                                   now=now)
    before = case.assignee_id
    if case.status == CaseStatus.TRIAGED:
        check_transition(case.status, CaseStatus.ASSIGNED)
        _compare_and_set(session, case, now=now, status=CaseStatus.ASSIGNED,
                         assignee_id=assignee.id)
    elif case.status in OPEN_STATUSES - {CaseStatus.NEW}:
        _compare_and_set(session, case, now=now, assignee_id=assignee.id)
    else:
        raise Conflict(f"a {case.status} case cannot be assigned", field="status",
                       current=case.status, allowed=[])
    if before != assignee.id:
        # A decided case changes hands without anyone working it until it is revised.
        intervals.hand_over(session, case.id,
                            assignee if case.status in intervals.WORKING_STATUSES else None,
                            now=now, start_reason="assigned", end_reason="reassigned")
    _event(session, case, actor, "case.assigned", now, before=before, after=assignee.id,
           assignee=assignee.email, reason=reason,
           **({"over_harm_cap": over_cap} if over_cap else {}))
    return case


def _harm_cap_on_assign(session: Session, case: Case, *, assignee: User, actor_user: User,
                        now: datetime) -> str | None:
    """A harmful case for someone at today's cap: a manager or admin may still give it (the
    cap limits what the desk offers; a P0 threat may need the one person with the language),
    and the assignment says so; anyone else, and anyone taking it themselves, is refused
    (docs/decisions.md). Returns the words the event keeps, or None under the cap."""
    if not case.harm:
        return None
    mine = wellbeing.standing(session, assignee, now)
    if not mine.at_cap:
        return None
    if assignee.id == actor_user.id or actor_user.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden(mine.refusal(None if assignee.id == actor_user.id else assignee.name))
    return f"{mine.seen} of {mine.cap}"


def claim(session: Session, case: Case, *, user: User, actor: Actor, now: datetime) -> Case:
    """Take one particular case: only if it is still waiting in its queue, and not a harmful
    one when the person has reached today's cap of harmful items."""
    check_may_work(session, user, case)
    check_ready(session, user, now)
    wellbeing.check_may_take(session, user, case, now=now)
    result = session.execute(
        update(Case).where(Case.id == case.id, Case.status == CaseStatus.TRIAGED)
        .values(status=CaseStatus.ASSIGNED, assignee_id=user.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.expire(case)
        holder = session.scalar(select(User.name).where(User.id == case.assignee_id)) \
            if case.assignee_id else None
        why = (f"{holder} claimed it first" if holder and case.assignee_id != user.id
               else "you hold it already" if holder else f"it is {in_words(case.status)}")
        raise Conflict(f"{case.key} is no longer waiting to be claimed: {why}",
                       field="status", current=case.status)
    case.status, case.assignee_id, case.updated_at = CaseStatus.ASSIGNED, user.id, now
    intervals.hand_over(session, case.id, user, now=now, start_reason="claimed")
    _event(session, case, actor, "case.claimed", now, before=None, after=user.id)
    return case


def release(
    session: Session, case: Case, *, actor_user: User, actor: Actor, now: datetime,
    reason: str | None = None,
) -> Case:
    """Put the case back in its queue, unassigned."""
    if case.status not in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        check_transition(case.status, CaseStatus.TRIAGED)
    check_may_work(session, actor_user, case)
    before = case.assignee_id
    _compare_and_set(session, case, now=now, status=CaseStatus.TRIAGED, assignee_id=None)
    intervals.hand_over(session, case.id, None, now=now, end_reason="released")
    _event(session, case, actor, "case.released", now, before=before, after=None, reason=reason)
    reroute(session, case, now=now, exclude=[before] if before else [])
    return case


def escalate(
    session: Session, case: Case, *, actor_user: User, actor: Actor, now: datetime, reason: str,
) -> Case:
    """Send the case up one tier, into that tier's queue, unassigned."""
    if needs_a_reason("escalate") and not reason:
        raise InvalidInput("say why the case needs the next tier", field="reason")
    if case.status not in OPEN_STATUSES:
        raise Conflict(f"a {case.status} case cannot be escalated", field="status",
                       current=case.status, allowed=[])
    if case.tier >= MAX_TIER:
        raise Conflict(f"{case.key} is already at the top tier", field="tier", current=case.status)
    check_may_work(session, actor_user, case)
    queues = desk_config(session).queues
    new_tier = case.tier + 1
    queue = queues.route(kind=case.kind, tier=new_tier, language=case.language)
    before = {"tier": case.tier, "queue_id": case.queue_id, "assignee_id": case.assignee_id}
    values: dict[str, Any] = dict(tier=new_tier, queue_id=queue.id if queue else case.queue_id,
                                  assignee_id=None)
    if case.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        values["status"] = CaseStatus.TRIAGED
    _compare_and_set(session, case, now=now, **values)
    intervals.hand_over(session, case.id, None, now=now, end_reason="escalated")
    _event(session, case, actor, "case.escalated", now, before=before,
           after={"tier": new_tier, "queue_id": case.queue_id}, reason=reason)
    reroute(session, case, now=now, exclude=[actor_user.id])
    return case


def comment(session: Session, case: Case, *, actor: Actor, now: datetime, body: str) -> None:
    body = body.strip()
    if not body:
        raise InvalidInput("a comment needs text", field="body")
    if len(body) > 20_000:
        raise InvalidInput("at most 20,000 characters", field="body")
    session.execute(update(Case).where(Case.id == case.id).values(updated_at=now)
                    .execution_options(synchronize_session=False))
    _event(session, case, actor, "comment", now, category="comment", body=body)


EDITABLE_FACTS = ("title", "description", "category", "language", "customer_tier",
                  "revenue_at_stake", "legal_deadline")
TRIAGE_FACTS = ("category", "language", "customer_tier", "revenue_at_stake", "legal_deadline")


def edit(
    session: Session, case: Case, *, changes: dict[str, Any], tags: list[str] | None,
    actor_user: User, actor: Actor, now: datetime, reason: str | None = None,
) -> Case:
    """Change facts; when a fact triage reads changes, triage and the SLA clock run again."""
    if not case.open:
        raise Conflict(f"a {case.status} case cannot be edited; reopen it first",
                       field="status", current=case.status, allowed=[])
    check_may_work(session, actor_user, case)
    diff = {k: (getattr(case, k), v) for k, v in changes.items()
            if k in EDITABLE_FACTS and getattr(case, k) != v}
    if tags is not None and sorted(set(tags)) != sorted(case.tag_list):
        diff["tags"] = (case.tag_list, sorted(set(tags)))
    if not diff:
        return case
    values = {k: new for k, (_, new) in diff.items() if k != "tags"}
    for k, v in values.items():
        setattr(case, k, v)
    if "tags" in diff:
        values["tag_list"] = diff["tags"][1]
        session.execute(delete(CaseTag).where(CaseTag.case_id == case.id))
        if diff["tags"][1]:
            session.execute(insert(CaseTag), [dict(case_id=case.id, tag=t)
                                              for t in diff["tags"][1]])
    if FREE_TEXT_FACTS & diff.keys():  # triage reads the new words for harm
        text_harm = classify(f"{case.title}\n{case.description}", language=case.language).code
        reviews = select(CaseSubject.subject_id).where(
            CaseSubject.case_id == case.id, CaseSubject.subject_type == "review")
        values.update(text_harm=text_harm, harm=merge_harms(text_harm, *session.scalars(
            select(Review.harm).where(Review.id.in_(reviews)))))
    retriaged = None
    if any(k in diff for k in TRIAGE_FACTS):
        retriaged = retriage(session, case, now=now)
        values.update(retriaged)
    _compare_and_set(session, case, now=now, **values)
    _event(session, case, actor, "case.edited", now,
           changes={k: _change(k, b, a) for k, (b, a) in diff.items()},
           retriaged={"priority": f"P{case.priority}", "score": case.priority_score}
           if retriaged else None, reason=reason)
    return case


# Free text a requester may have written: the hash chain can never be erased, so an edit
# records fingerprints of the texts, not the texts (the current text is on the case).
FREE_TEXT_FACTS = frozenset({"title", "description"})


def _change(name: str, before: Any, after: Any) -> dict[str, Any]:
    if name in FREE_TEXT_FACTS:
        return {"before": text_fingerprint(before), "after": text_fingerprint(after)}
    return {"before": before, "after": after}


def retriage(session: Session, case: Case, *, now: datetime) -> dict[str, Any]:
    """Score the case again from its current facts; return the columns that change."""
    primary = next(iter(session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id)
        .where(CaseSubject.case_id == case.id, CaseSubject.role == "primary").limit(1))), None)
    earlier = 0
    business_id = None
    if primary is not None:
        # As at intake: only cases opened before this one count as earlier ones.
        earlier = session.scalar(
            select(func.count()).where(
                CaseSubject.subject_type == primary[0], CaseSubject.subject_id == primary[1],
                CaseSubject.case_id < case.id)) or 0
        business_id = _reach_business(session, case.kind, primary)
    reach = business_review_counts(session, [business_id] if business_id else [])
    facts = TriageFacts(
        kind=case.kind, now=now, requester_type=case.requester_type,
        customer_tier=case.customer_tier, revenue_at_stake=case.revenue_at_stake,
        legal_deadline=case.legal_deadline, category=case.category,
        trusted_flagger=bool(case.details.get("within_area")),
        business_review_count=reach.get(business_id) if business_id else None,
        earlier_cases_on_subject=earlier,
    )
    config = desk_config(session)
    result = config.rules.score(facts)
    case.priority, case.priority_score = result.priority.rank, result.score
    case.priority_reasons = [r.as_dict() for r in result.reasons]
    sla.apply_clock(case, config.sla, config.queues.team_calendar_id(case.queue_id))
    return {"priority": case.priority, "priority_score": case.priority_score,
            "triage_priority": None,  # a fresh priority: ageing counts from it (NULL: not aged)
            "priority_reasons": case.priority_reasons, "sla_policy_id": case.sla_policy_id,
            **_clock_values(case)}


# Kinds whose intake reads the reach of the reviewed business (see intake.requests).
_REVIEW_REACH_KINDS = frozenset({CaseKind.FLAG, CaseKind.TRUSTED_FLAGGER_NOTICE})


def _reach_business(session: Session, kind: str, primary: tuple[str, int]) -> int | None:
    """The business whose size triage weighs, found the way intake found it."""
    subject_type, subject_id = primary
    if subject_type == "business":
        return subject_id
    if subject_type == "review" and kind in _REVIEW_REACH_KINDS:
        return session.scalar(select(Review.business_id).where(Review.id == subject_id))
    return None


def merge(
    session: Session, source: Case, *, into: Case, actor_user: User, actor: Actor,
    now: datetime, reason: str,
) -> Case:
    """Fold a duplicate into another open case: its requests and subjects move over."""
    if source.id == into.id:
        raise InvalidInput("a case cannot be merged into itself", field="into")
    if not into.open:
        raise Conflict(f"{into.key} is {into.status}; merge into an open case", field="into",
                       current=into.status, allowed=[])
    check_transition(source.status, CaseStatus.MERGED)
    check_may_work(session, actor_user, source)
    check_may_work(session, actor_user, into)
    moved = session.execute(
        update(CaseRequest).where(CaseRequest.case_id == source.id).values(case_id=into.id)
        .execution_options(synchronize_session=False)).rowcount
    session.add(CaseRequest(
        case_id=into.id, channel=source.channel, requester_type=source.requester_type,
        requester_name=source.requester_name,
        requester_organisation=source.requester_organisation,
        requester_contact=source.requester_contact,
        payload={"merged_from": source.key, **source.details}, received_at=source.created_at))
    have = {(t, i) for t, i in session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id)
        .where(CaseSubject.case_id == into.id))}
    new_subjects = [dict(case_id=into.id, subject_type=t, subject_id=i, role="related")
                    for t, i in session.execute(
                        select(CaseSubject.subject_type, CaseSubject.subject_id)
                        .where(CaseSubject.case_id == source.id)) if (t, i) not in have]
    if new_subjects:
        session.execute(insert(CaseSubject), new_subjects)
    holder = source.assignee_id
    _compare_and_set(session, source, now=now, status=CaseStatus.MERGED, is_open=False,
                     merged_into_id=into.id, closed_at=now)
    kpi_facts.closed(session, source, person_id=holder or actor_user.id, now=now)
    intervals.hand_over(session, source.id, None, now=now, end_reason="merged")
    session.execute(update(Case).where(Case.id == into.id).values(
        linked_request_count=Case.linked_request_count + moved + 1, updated_at=now,
        # What was harmful in the merged case is harmful in the one that carries it on.
        harm=merge_harms(into.harm, source.harm))
        .execution_options(synchronize_session=False))
    session.expire(into, ["linked_request_count", "updated_at", "harm"])
    record_many(session, [
        dict(case_id=source.id, kind="case.merged", category="state", actor=actor, at=now,
             payload={"before": source.status, "after": "merged", "into": into.key,
                      "reason": reason}),
        dict(case_id=into.id, kind="case.merged_in", category="state", actor=actor, at=now,
             payload={"from": source.key, "requests_moved": moved + 1, "reason": reason}),
    ])
    return into


def split(
    session: Session, case: Case, *, request_ids: list[int], actor_user: User, actor: Actor,
    now: datetime, reason: str,
) -> Case:
    """Take linked requests that are not the same matter out into a case of their own."""
    if not case.open:
        raise Conflict(f"a {case.status} case cannot be split", field="status",
                       current=case.status, allowed=[])
    check_may_work(session, actor_user, case)
    if not request_ids:
        raise InvalidInput("name the linked requests to split out", field="request_ids")
    requests = list(session.scalars(select(CaseRequest).where(
        CaseRequest.case_id == case.id, CaseRequest.id.in_(request_ids))
        .order_by(CaseRequest.id)))
    missing = set(request_ids) - {r.id for r in requests}
    if missing:
        raise InvalidInput(f"requests {sorted(missing)} are not linked to {case.key}",
                           field="request_ids")
    first = requests[0]
    subjects = [(t, i) for t, i in session.execute(
        select(CaseSubject.subject_type, CaseSubject.subject_id)
        .where(CaseSubject.case_id == case.id).order_by(CaseSubject.id))]
    draft = Draft(
        kind=case.kind, channel=first.channel, title=f"{case.title} (split from {case.key})",
        description=case.description, requester_type=first.requester_type,
        requester_name=first.requester_name, requester_organisation=first.requester_organisation,
        requester_contact=first.requester_contact, customer_tier=case.customer_tier,
        revenue_at_stake=case.revenue_at_stake, category=case.category, language=case.language,
        legal_deadline=case.legal_deadline, legal_restricted=case.legal_restricted,
        subjects=subjects, details={**first.payload, "split_from": case.key},
        queue_id=case.queue_id,
    )
    new_case = Intake(session, now=now, actor=actor).open_cases([draft])[0]
    session.execute(update(CaseRequest).where(CaseRequest.id.in_([r.id for r in requests[1:]]))
                    .values(case_id=new_case.id).execution_options(synchronize_session=False))
    session.execute(delete(CaseRequest).where(CaseRequest.id == first.id))
    session.execute(update(Case).where(Case.id == case.id).values(
        linked_request_count=Case.linked_request_count - len(requests), updated_at=now)
        .execution_options(synchronize_session=False))
    session.execute(update(Case).where(Case.id == new_case.id).values(
        linked_request_count=len(requests) - 1).execution_options(synchronize_session=False))
    session.expire(case, ["linked_request_count", "updated_at"])
    session.expire(new_case, ["linked_request_count"])
    record_many(session, [
        dict(case_id=case.id, kind="case.split", category="state", actor=actor, at=now,
             payload={"into": new_case.key, "request_ids": request_ids, "reason": reason}),
        dict(case_id=new_case.id, kind="case.split_from", category="state", actor=actor, at=now,
             payload={"from": case.key, "request_ids": request_ids, "reason": reason}),
    ])
    return new_case

