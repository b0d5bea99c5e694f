"""The flagging funnel's counts per day of receipt, for the rollup (kpis.rollup; the funnel's
definitions are kpis.funnel's docstring and docs/dashboard.md).

A cohort: each day's flags and notices, followed to ``now``. Each step is counted in SQL per
(day, source, category) — the decided and restricted ones as EXISTS probes summed — and only
the appealed cases (a few in a hundred) come back as rows. Counted under the desk (the total),
the source (requester type) and the category (of the case).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CaseKind
from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.decisions.domain import RULES, is_restriction
from integrity_desk.decisions.models import Decision, DecisionAction
from integrity_desk.kpis.domain import DESK_KEY, Dimension, Fanned

UNCATEGORISED = "uncategorised"
APPLIED = ("applied", "reversed")
RESTRICTIONS = sorted(a.value for a in RULES if is_restriction(a))


def funnel_keys(source: str | None, category: str | None) -> list[tuple[Dimension, str]]:
    return [(Dimension.DESK, DESK_KEY), (Dimension.SOURCE, source or "unknown"),
            (Dimension.CATEGORY, category or UNCATEGORISED)]


def _ones(clause: Any) -> Any:
    return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)


def in_force(now: datetime) -> tuple[Any, ...]:
    d = Decision
    return (d.kind == "decision", d.status.in_(APPLIED), d.decided_at <= now)


def restricting() -> Any:
    a, d = DecisionAction, Decision
    return exists().where(a.decision_id == d.id, a.action.in_(RESTRICTIONS),
                          a.applied_at.is_not(None))


def count(session: Session, of: Any, start: datetime, stop: datetime, now: datetime,
          day_sql: Any) -> None:
    """Add each day's funnel counts of ``[start, stop)`` to ``of(day) -> Fanned``."""
    d = Decision
    cohort = (Case.created_at >= start, Case.created_at < stop,
              Case.kind != CaseKind.APPEAL.value)
    day = day_sql(Case.created_at)
    decided = exists().where(d.case_id == Case.id, *in_force(now))
    restricted = exists().where(d.case_id == Case.id, *in_force(now), restricting())
    for when, source, category, opened, n_decided, n_restricted in session.execute(
            select(day, Case.requester_type, Case.category, func.count(), _ones(decided),
                   _ones(restricted))
            .where(*cohort).group_by(day, Case.requester_type, Case.category)):
        _add(of(when), funnel_keys(source, category), funnel_received=opened,
             funnel_opened=opened, funnel_decided=n_decided, funnel_restricted=n_restricted)
    r = CaseRequest
    joined_day = day_sql(r.received_at)
    for when, source, category, n in session.execute(
            select(joined_day, r.requester_type, Case.category, func.count()).select_from(r)
            .join(Case, Case.id == r.case_id)
            .where(r.received_at >= start, r.received_at < stop,
                   Case.kind != CaseKind.APPEAL.value,
                   r.payload["merged_from"].as_string().is_(None))
            .group_by(joined_day, r.requester_type, Case.category)):
        _add(of(when), funnel_keys(source, category), funnel_received=n)
    _appeals(session, of, cohort, start, now, day)


def _appeals(session: Session, of: Any, cohort: tuple[Any, ...], start: datetime,
             now: datetime, day: Any) -> None:
    """The cohort's cases whose restricting decision an appeal case contests (the appeal
    cases opened since the cohort began), and which of those appeals overturned it."""
    d = Decision
    contested = Case.details["contested_decision_id"].as_integer()
    targets = select(contested).where(Case.created_at >= start, Case.created_at <= now,
                                      Case.kind == CaseKind.APPEAL.value).scalar_subquery()
    appealed: dict[int, tuple[Any, str | None, str | None]] = {}  # case → day, source, cat.
    case_of: dict[int, int] = {}  # contested decision → its case
    for decision_id, case_id, when, source, category in session.execute(
            select(d.id, Case.id, day, Case.requester_type, Case.category)
            .join(Case, Case.id == d.case_id)
            .where(d.id.in_(targets), *in_force(now), restricting(), *cohort)):
        appealed[case_id] = (when, source, category)
        case_of[decision_id] = case_id
    overturned: set[int] = set()
    partly: set[int] = set()
    if case_of:
        for decision_id, outcome in session.execute(
                select(d.appeal_of_id, d.outcome).where(
                    d.appeal_of_id.in_(list(case_of)), d.kind == "appeal_outcome",
                    d.decided_at >= start, d.decided_at <= now)):
            if outcome == "overturned":
                overturned.add(case_of[decision_id])
            elif outcome == "partly_overturned":
                partly.add(case_of[decision_id])
    for case_id, (when, source, category) in appealed.items():
        _add(of(when), funnel_keys(source, category), funnel_appealed=1,
             funnel_overturned=int(case_id in overturned),
             funnel_partly_overturned=int(case_id in partly and case_id not in overturned))


def _add(fanned: Fanned, keys: Iterable[tuple[Dimension, str]], **values: int) -> None:
    fanned.add(keys, **values)


def dirty_cohorts(session: Session, since: datetime, day_sql: Any) -> set[Any]:
    """The days of receipt whose funnel moved since ``since``: cases decided since (their
    decision), contested since (an appeal case opened) or whose appeal was decided since."""
    d, contested_case = Decision, Case.details["contested_decision_id"].as_integer()
    days: set[Any] = set()
    decided = select(day_sql(Case.created_at)).join(d, d.case_id == Case.id).where(
        d.decided_at >= since, d.kind == "decision").distinct()
    days |= {row[0] for row in session.execute(decided)}
    appeals = select(contested_case).where(Case.created_at >= since,
                                           Case.kind == CaseKind.APPEAL.value)
    outcomes = select(d.appeal_of_id).where(d.decided_at >= since, d.kind == "appeal_outcome")
    for targets in (appeals, outcomes):
        rows = session.execute(select(day_sql(Case.created_at)).join(d, d.case_id == Case.id)
                               .where(d.id.in_(targets.scalar_subquery())).distinct())
        days |= {row[0] for row in rows}
    return days
