"""A decision over thousands of subjects, applied by the worker in resumable chunks.

A campaign's decision may act on 5,000 reviews and their accounts: done in the deciding
request, it would hold locks on every subject, and its statements and letters, in one
transaction for tens of seconds. So a decision over more than ``service.AT_ONCE`` actions is
recorded whole — the decision, every action, the ``decision.made`` event and the decided
evidence snapshots — with the status ``applying``, and a job (``decisions.apply``) applies it
``CHUNK`` actions a transaction:

* each chunk changes its subjects, records their before and after on the actions, issues the
  statements of reasons and letters of those subjects, and records ``decision.chunk_applied``
  with its effects and how far the decision is — all in one transaction with the job's next
  run, so a chunk is either wholly applied and followed, or not applied at all;
* a chunk is the next actions not yet applied (``applied_at IS NULL``), in the actions'
  order, with every other action on the same subjects (a subject's statement of reasons names
  every restriction put on it, so its actions are never split); a worker that stops mid-chunk
  leaves the chunk unapplied and the job is run again (jobs.service revives a stale job);
* after the last chunk the decision is ``applied``: the notifier is told once, the case moves
  on, the case becomes a precedent, and ``decision.applied`` (the webhook) is recorded once.

Until then the decision says ``applying`` with its progress (API and decision panel), a second
decision on the case is refused, and a decision that cannot go on (its job failed for good)
says so rather than seeming applied.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, Actor, record
from integrity_desk.cases.domain import CaseStatus
from integrity_desk.cases.models import Case
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.decisions.service import (
    APPLY_JOB,
    apply_consequences,
    apply_effects,
    conclude,
    count_actions,
    load_actions,
)
from integrity_desk.errors import Conflict
from integrity_desk.jobs import service as jobs
from integrity_desk.jobs.models import Job
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of

JOB = APPLY_JOB
CHUNK = 500  # actions a transaction: ~0.5 s of work, locks held that long at most


def next_chunk(session: Session, decision_id: int, size: int) -> list[DecisionAction]:
    """The next ``size`` unapplied actions in order, with every other unapplied action on the
    same subjects (two statements for one subject would collide), ordered by id."""
    first = list(session.scalars(
        select(DecisionAction).where(DecisionAction.decision_id == decision_id,
                                     DecisionAction.applied_at.is_(None))
        .order_by(DecisionAction.id).limit(size)))
    if not first:
        return []
    keys = sorted({(a.subject_type, a.subject_id) for a in first})
    taken = {a.id for a in first}
    more = [] if len(first) < size else list(session.scalars(
        select(DecisionAction).where(
            DecisionAction.decision_id == decision_id, DecisionAction.applied_at.is_(None),
            DecisionAction.id.not_in(taken),
            tuple_(DecisionAction.subject_type, DecisionAction.subject_id).in_(keys))))
    return sorted(first + more, key=lambda a: a.id)


def apply_next(session: Session, now: datetime, payload: dict[str, Any], *,
               size: int | None = None) -> str:
    """One chunk (``CHUNK`` actions) of the decision named in ``payload``; queues the next,
    or concludes."""
    size = size or CHUNK
    decision = session.scalar(select(Decision).where(Decision.id == int(payload["decision_id"]))
                              .with_for_update())
    if decision is None or decision.status != "applying":
        return "nothing to apply"
    case = session.scalar(select(Case).where(Case.id == decision.case_id).with_for_update())
    assert case is not None  # a decision's case is never deleted (foreign key)
    decider = session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    actor = actor_of(decider) if decider else SYSTEM
    chunk = next_chunk(session, decision.id, size)
    if chunk:
        done, total = count_actions(session, decision.id)
        progress = {"applied": done + len(chunk), "total": total}
        apply_effects(session, case, decision, actor=actor, now=now, actions=chunk,
                      event="decision.chunk_applied", progress=progress)
        apply_consequences(session, case, decision, chunk, actor=actor, now=now)
        if progress["applied"] < total:
            jobs.enqueue(session, JOB, {"decision_id": decision.id}, run_at=now,
                         singleton_key=f"{JOB}:{decision.id}")
            return f"decision {decision.id}: {progress['applied']} of {total} applied"
    finish(session, case, decision, actor=actor, now=now)
    return f"decision {decision.id} applied"


def finish(session: Session, case: Case, decision: Decision, *, actor: Actor,
           now: datetime) -> None:
    """Every action is applied: the decision is, and what follows a decision follows once."""
    actions = load_actions(session, decision)
    decision.status = "applied"
    record(session, kind="decision.applied", category="state", actor=actor, case_id=case.id,
           at=now, payload={"decision_id": decision.id, "in_chunks": True,
                            "actions": [a.action for a in actions], "effects": []})
    # The case moves on unless a person moved it meanwhile (put it on hold, say): then it stays
    # where they put it, and they decide what follows.
    conclude(session, case, decision, actions, user=None, actor=actor, now=now,
             move_case=case.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS))
    session.flush()


def stalled(session: Session, decision_ids: list[int]) -> dict[int, str]:
    """Of the decisions applying, those whose job has failed for good, with its last error:
    the panel says so instead of a progress bar that never moves."""
    if not decision_ids:
        return {}
    keys = {f"{JOB}:{i}": i for i in decision_ids}
    latest: dict[int, tuple[int, str, str | None]] = {}
    for job_id, key, status, error in session.execute(
            select(Job.id, Job.singleton_key, Job.status, Job.last_error)
            .where(Job.kind == JOB, Job.singleton_key.in_(sorted(keys)))):
        decision_id = keys[key]
        if decision_id not in latest or job_id > latest[decision_id][0]:
            latest[decision_id] = (job_id, status, error)
    return {i: (error or "its job failed") for i, (_, status, error) in latest.items()
            if status == "failed"}


def resume(session: Session, decision: Decision, *, actor: Actor, now: datetime) -> None:
    """Queue the next chunk again (after the cause of a failed job is mended): the chunks
    applied stay applied; the rest follow from where it stopped."""
    if decision.status != "applying":
        raise Conflict(f"decision {decision.id} is {decision.status.replace('_', ' ')}, "
                       "not being applied", field="status", current=decision.status)
    jobs.enqueue(session, JOB, {"decision_id": decision.id}, run_at=now,
                 singleton_key=f"{JOB}:{decision.id}")
    record(session, kind="decision.resumed", category="state", actor=actor,
           case_id=decision.case_id, at=now, payload={"decision_id": decision.id})
