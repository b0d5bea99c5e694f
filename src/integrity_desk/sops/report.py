"""Did a new SOP version change the work? Its cases' KPIs next to the previous version's.

A case counts under the version its decision was taken under (``decisions.sop_id``: the
version in force when the case was opened, which the gate recorded), so the two cohorts never
overlap and a case opened before a publication stays with the old version. The figures are
the KPI slice's own definitions over the facts it keeps, restricted to the cohort:

* SLA attainment (resolution, first response) — ``case_outcomes`` resolutions not since
  revised (kpis.sources._outcomes);
* AHT — the cohort's work intervals, open ones up to ``now``, over the intervals a decision
  ended (kpis.sources._work);
* overturn rate — appeal outcomes against the cohort's decisions: overturned ÷ decided
  (kpis.domain.figures);
* QA accuracy — the cohort's decisions QA judged, correct ÷ judged, as verdicts stand after
  settled disputes (quality.models.QaItem).

Every ratio over nothing is "no data" with its reason (kpis.domain.ratio), never 0 % or 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from integrity_desk.decisions.models import Decision
from integrity_desk.kpis.domain import Figure, Measure, ratio
from integrity_desk.kpis.models import CaseOutcome
from integrity_desk.quality.models import QaItem
from integrity_desk.routing.models import WorkInterval
from integrity_desk.sops import service
from integrity_desk.sops.models import Sop

# A decision that stood (applied) or stood until an appeal reversed it; not one rejected by
# the second pair of eyes, nor one still waiting for it.
TAKEN = ("applied", "reversed")
MEASURES = (Measure.RESOLUTION_ATTAINMENT, Measure.FIRST_RESPONSE_ATTAINMENT, Measure.AHT,
            Measure.OVERTURN_RATE, Measure.QA_ACCURACY)


@dataclass(frozen=True)
class VersionFigures:
    sop: Sop
    cases: int
    figures: dict[Measure, Figure]


@dataclass(frozen=True)
class Comparison:
    kind: str
    version: VersionFigures
    previous: VersionFigures | None  # None: version 1 has nothing before it


def cohort(sop: Sop) -> Select[tuple[int]]:
    """The cases decided under the version (all of a case's decisions share its version)."""
    return (select(Decision.case_id).where(Decision.sop_id == sop.id,
                                           Decision.status.in_(TAKEN))
            .distinct())


def figures_of(session: Session, sop: Sop, now: datetime) -> VersionFigures:
    cases = cohort(sop).subquery()
    count = session.scalar(select(func.count()).select_from(cases)) or 0
    o = CaseOutcome
    r_timed, r_met, f_timed, f_met = session.execute(
        select(func.count(o.resolution_met),
               _ones(o.resolution_met.is_(True)), func.count(o.first_response_met),
               _ones(o.first_response_met.is_(True)))
        .where(o.case_id.in_(select(cases.c.case_id)), o.event == "resolved",
               o.revised_at.is_(None))).one()
    w = WorkInterval
    handling = 0.0
    handled = 0
    for started, ended, reason in session.execute(
            select(w.started_at, w.ended_at, w.end_reason)
            .where(w.case_id.in_(select(cases.c.case_id)))):
        end = ended or now
        if end > started:
            handling += (end - started).total_seconds()
        handled += int(reason == "decided" and ended is not None)
    appeal, contested = aliased(Decision), aliased(Decision)
    decided, overturned = session.execute(
        select(func.count(appeal.id),
               _ones(appeal.outcome == "overturned"))
        .join(contested, contested.id == appeal.appeal_of_id)
        .where(appeal.kind == "appeal_outcome", contested.sop_id == sop.id,
               contested.status.in_(TAKEN))).one()
    judged, correct = session.execute(
        select(func.count(QaItem.id), _ones(QaItem.correct.is_(True)))
        .join(Decision, Decision.id == QaItem.decision_id)
        .where(Decision.sop_id == sop.id, Decision.status.in_(TAKEN),
               QaItem.correct.is_not(None))).one()
    return VersionFigures(sop, count, {
        Measure.RESOLUTION_ATTAINMENT: ratio(
            int(r_met), int(r_timed),
            nothing="no case with a resolution target was resolved under this version"),
        Measure.FIRST_RESPONSE_ATTAINMENT: ratio(
            int(f_met), int(f_timed),
            nothing="no case with a first-response target was resolved under this version"),
        Measure.AHT: ratio(handling / 60, handled,
                           nothing="no case was handled to a decision under this version"),
        Measure.OVERTURN_RATE: ratio(int(overturned), int(decided),
                                     nothing="no appeal against this version's decisions "
                                             "was decided"),
        Measure.QA_ACCURACY: ratio(int(correct), int(judged),
                                   nothing="no decision under this version was QA-reviewed"),
    })


def _ones(clause: Any) -> Any:
    return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)


def compare(session: Session, kind: str, version: int | None, now: datetime) -> Comparison:
    """Version ``version`` (the current one when None) next to version ``version - 1``."""
    sop = service.get(session, kind, version)
    previous = (session.scalar(select(Sop).where(Sop.kind == kind,
                                                 Sop.version == sop.version - 1))
                if sop.version > 1 else None)
    return Comparison(kind, figures_of(session, sop, now),
                      figures_of(session, previous, now) if previous is not None else None)
