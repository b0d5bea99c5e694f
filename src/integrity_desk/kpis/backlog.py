"""The backlog at an instant: which cases were open then, and how old they were.

A case is open at ``t`` when it was created before ``t`` and no closure before ``t`` still
stood at ``t`` (not reopened by then). Only the cases open now and those closed since ``t``
can qualify, so the candidates are the open-case index plus one range of closures: cheap for
the recent instants the rollup asks every run, and exact for any instant.

Age on the wall clock is ``t − created``. Age on the SLA clock (working time of the case's
calendar since triage, pauses excluded) is known only for the backlog as it is now — the
rows say nothing of where a past clock stood — so ``live`` asks for it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from integrity_desk.cases.models import Case
from integrity_desk.configuration.service import desk_config
from integrity_desk.kpis.domain import Backlog, Dimension, backlog_of, keys_of
from integrity_desk.kpis.models import CaseOutcome
from integrity_desk.people.models import Team
from integrity_desk.routing.models import Queue, WorkInterval

_HOUR = 3600.0


def open_at_clause(t: datetime) -> object:
    o = CaseOutcome
    closed_since = select(o.case_id).where(o.event == "closed", o.at >= t)
    closed_then = exists().where(o.case_id == Case.id, o.event == "closed", o.at < t,
                                 or_(o.reopened_at.is_(None), o.reopened_at >= t))
    return and_(Case.created_at < t, or_(Case.is_open.is_(True), Case.id.in_(closed_since)),
                ~closed_then)


def backlog_at(session: Session, t: datetime, *, live: bool
               ) -> dict[tuple[Dimension, str], Backlog]:
    """The backlog at ``t`` per dimension value (desk, queue, kind, priority, the queue's
    team and vendor, and who held the case then)."""
    w = WorkInterval
    # Who held it at t: the work interval open then (never today's assignee of a past day).
    holder = (select(w.user_id).where(w.case_id == Case.id, w.started_at < t,
                                      or_(w.ended_at.is_(None), w.ended_at >= t))
              .order_by(w.started_at.desc()).limit(1).scalar_subquery())
    rows = session.execute(
        select(Case.created_at, Case.queue_id, Case.kind, Case.priority, Queue.team_id,
               Team.vendor_id, Team.calendar_id, holder, Case.is_open,
               Case.triaged_at, Case.sla_paused_at, Case.sla_paused_minutes)
        .select_from(Case).outerjoin(Queue, Queue.id == Case.queue_id)
        .outerjoin(Team, Team.id == Queue.team_id)
        .where(open_at_clause(t)))
    book = desk_config(session).sla if live else None
    ages: dict[tuple[Dimension, str], list[float]] = defaultdict(list)
    sla_ages: dict[tuple[Dimension, str], list[float]] = defaultdict(list)
    for (created, queue, kind, priority, team, vendor, calendar_id, assignee, is_open,
         triaged, paused_at, paused_minutes) in rows:
        keys = keys_of(queue_id=queue, kind=kind, priority=priority, team_id=team,
                       vendor_id=vendor, person_id=assignee)
        age = (t - created).total_seconds() / _HOUR
        sla_age = None
        if book is not None and is_open and triaged is not None and triaged < t:
            policy = book.policy(kind, priority)
            if policy is not None:
                calendar = book.calendar_for(policy, calendar_id)
                stop = min(paused_at, t) if paused_at is not None else t
                sla_age = max(0.0, calendar.working_minutes(triaged, stop)
                              - (paused_minutes or 0.0)) / 60
        for key in keys:
            ages[key].append(age)
            if sla_age is not None:
                sla_ages[key].append(sla_age)
    return {key: backlog_of(values, sla_ages.get(key) if live else None)
            for key, values in ages.items()}
