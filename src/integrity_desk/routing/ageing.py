"""The ageing job (``routing.age``): raise the priority of cases that have waited long enough,
so nothing starves in a queue (docs/routing.md#priority-ageing).

Why a job that rewrites ``priority`` in steps, and not a claim that orders by an "aged
priority" expression: the claim reads the head of a queue straight off ``ix_cases_claim``
(queue, priority, due, id) in about a millisecond; an ORDER BY over an expression of the
waiting time would sort every waiting case of the queue on every claim. Stepping the stored
priority keeps the index order true, at the cost of ageing landing up to one job interval late.

Per queue with ``ageing_per_hour`` > 0 (the settings in force, from the cached snapshot), only
cases old enough to have gained a step since their last one are read, a chunk at a time and as
plain rows; each is raised with a conditional UPDATE (still waiting, still at the priority we
read), so a case claimed, re-triaged or aged by another worker meanwhile is left alone, and a
second run changes nothing. Services flush; the job runner commits the run as one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, record_many
from integrity_desk.cases.models import Case
from integrity_desk.configuration.service import desk_config
from integrity_desk.routing.ageing_rules import (
    FLOOR,
    LOWEST,
    hours_waiting,
    raised,
    reason,
    wait_for_steps,
)
from integrity_desk.routing.service import WAITING_IN_QUEUE, QueueInfo

JOB = "routing.age"
CHUNK = 1000

_BASE = func.coalesce(Case.triage_priority, Case.priority)  # what triage said


def age(session: Session, *, now: datetime) -> dict[str, int]:
    """One pass over every active queue that ages; returns the cases raised per queue."""
    counts: dict[str, int] = {}
    for queue in desk_config(session).queues.queues:
        if queue.settings.ageing_per_hour > 0:
            counts[queue.slug] = age_queue(session, queue, now=now)
    return counts


def _could_rise(rate: float, now: datetime) -> ColumnElement[bool]:
    """SQL: waiting cases old enough to be due one step more urgent than they are now.

    A case ``gap`` steps above its triage priority is due another step once it has waited
    for ``gap + 1`` steps; one bound per gap, so the rows already at their due priority
    (nearly all of a queue, nearly all the time) are never read.
    """
    return or_(*(
        (_BASE - Case.priority == gap) & (Case.triaged_at <= now - wait_for_steps(gap + 1, rate))
        for gap in range(LOWEST - FLOOR)
    ))


def age_queue(session: Session, queue: QueueInfo, *, now: datetime) -> int:
    """Raise the cases of one queue that are due a more urgent priority; returns how many."""
    rate = queue.settings.ageing_per_hour
    candidates = (
        select(Case.id, Case.priority, _BASE, Case.triaged_at)
        .where(Case.queue_id == queue.id, WAITING_IN_QUEUE, Case.priority > FLOOR,
               Case.triaged_at.is_not(None), _could_rise(rate, now))
        .order_by(Case.id)  # by id: resumable chunks, and rows locked in one order
        .limit(CHUNK)
    )
    total, after = 0, 0
    while True:
        rows = session.execute(candidates.where(Case.id > after)).all()
        if not rows:
            return total
        after = rows[-1][0]
        plan: dict[tuple[int, int], list[int]] = defaultdict(list)
        waited: dict[int, float] = {}
        for case_id, current, base, triaged_at in rows:
            hours = hours_waiting(triaged_at, now)
            due = raised(base, current, hours, rate)
            if due is not None:
                plan[(current, due)].append(case_id)
                waited[case_id] = hours
        events = []
        for (before, due), ids in sorted(plan.items()):
            won = session.scalars(
                update(Case)
                .where(Case.id.in_(ids), Case.queue_id == queue.id, WAITING_IN_QUEUE,
                       Case.priority == before)
                .values(triage_priority=func.coalesce(Case.triage_priority, Case.priority),
                        priority=due, updated_at=now)
                .returning(Case.id)
                .execution_options(synchronize_session=False)
            ).all()
            events += [
                dict(case_id=case_id, kind="case.aged", category="state", actor=SYSTEM, at=now,
                     payload={"before": f"P{before}", "after": f"P{due}", "queue": queue.slug,
                              "reason": reason(waited[case_id], queue.slug, rate)})
                for case_id in won
            ]
        # One batched append for the chunk, in case order (the chains are per case).
        record_many(session, sorted(events, key=lambda e: e["case_id"]))
        total += len(events)
        if len(rows) < CHUNK:
            return total
