"""The yearly transparency report (DSA Art. 15 and 24(1)): the quantitative figures, as rows of
(section, metric, breakdown, value), written as CSV by ``idesk dsa report``.

Counts come from grouped SQL; medians from the durations of the year's items (a desk handles
thousands to hundreds of thousands a year, so one pass over them is cheap and the same on
SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from integrity_desk.cases.models import Case, CaseRequest
from integrity_desk.decisions.domain import RULES, ActionKind
from integrity_desk.decisions.models import Decision, DecisionAction, Guideline, OutOfCourtDispute
from integrity_desk.misuse.models import MisuseMeasure

NOTICE_KINDS = ("flag", "legal_notice", "trusted_flagger_notice")
NOT_SPECIFIED = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"


@dataclass(frozen=True)
class Figure:
    section: str
    metric: str
    breakdown: str
    value: float | int

    def row(self) -> list[Any]:
        return [self.section, self.metric, self.breakdown, self.value]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _hours(durations: Iterable[float]) -> float | None:
    values = list(durations)
    return round(statistics.median(values) / 3600, 2) if values else None


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def _categories(session: Session) -> dict[str, str]:
    """The platform's guideline category → the DSA category its current guideline maps to."""
    return dict(session.execute(select(Guideline.code, Guideline.dsa_category)
                                .where(Guideline.is_current)).all())


def _received(session: Session, kinds: tuple[str, ...], start: datetime, end: datetime,
              by: str) -> dict[str | None, int]:
    """Requests received in the year, counted one by one: each case of these kinds opened by a
    request, and each further request that joined one (Art. 15(1)(b) and (d) count notices and
    complaints as they arrive, however the desk then groups them). ``by`` is "category" (the
    case's) or "requester_type" (the sender's own: a joined request may come from another kind
    of sender than the case's first)."""
    case_column = Case.category if by == "category" else Case.requester_type
    request_column = Case.category if by == "category" else CaseRequest.requester_type
    counts: dict[str | None, int] = {}
    opened = (select(case_column, func.count())
              .where(Case.kind.in_(kinds), Case.requester_type != "automated_detector",
                     Case.created_at >= start, Case.created_at < end).group_by(case_column))
    joined = (select(request_column, func.count()).select_from(CaseRequest)
              .join(Case, Case.id == CaseRequest.case_id)
              .where(Case.kind.in_(kinds), CaseRequest.requester_type != "automated_detector",
                     CaseRequest.received_at >= start, CaseRequest.received_at < end)
              .group_by(request_column))
    for statement in (opened, joined):
        for value, n in session.execute(statement):
            counts[value] = counts.get(value, 0) + n
    return counts


def _applied_restrictions(session: Session, decision_ids: list[int]) -> list[tuple[int, str]]:
    """(decision id, action) of every restriction the decisions applied: Art. 15 counts each
    measure taken, so a decision that removed 49 reviews counts 49."""
    if not decision_ids:
        return []
    rows = session.execute(select(DecisionAction.decision_id, DecisionAction.action)
                           .where(DecisionAction.decision_id.in_(decision_ids),
                                  DecisionAction.applied_at.is_not(None))).all()
    return [(d, a) for d, a in rows if RULES[ActionKind(a)].restriction is not None]


def _notices(session: Session, start: datetime, end: datetime) -> Iterator[Figure]:
    in_year = and_(Case.kind.in_(NOTICE_KINDS), Case.requester_type != "automated_detector",
                   Case.created_at >= start, Case.created_at < end)
    categories = _categories(session)
    received: dict[str, int] = {}
    for category, n in _received(session, NOTICE_KINDS, start, end, "category").items():
        dsa = categories.get(category or "", NOT_SPECIFIED)
        received[dsa] = received.get(dsa, 0) + n
    for dsa, n in sorted(received.items()):
        yield Figure("notices", "received", f"category={dsa}", n)
    by_sender = _received(session, NOTICE_KINDS, start, end, "requester_type")
    yield Figure("notices", "received_from_trusted_flaggers", "",
                 by_sender.get("trusted_flagger", 0))
    acted = (select(Decision.id, Case.created_at, Decision.decided_at, Decision.ground,
                    Decision.automated_decision)
             .join(Decision, Decision.case_id == Case.id)
             .where(in_year, Decision.kind == "decision", Decision.status == "applied",
                    Decision.outcome == "action"))
    rows = session.execute(acted).all()
    ground_of = {r.id: r.ground for r in rows}
    restrictions = _applied_restrictions(session, list(ground_of))
    for ground in ("illegal_content", "incompatible_content"):
        yield Figure("notices", "actions", f"ground={ground}",
                     sum(1 for d, _ in restrictions if ground_of[d] == ground))
    yield Figure("notices", "handled_by_automated_means", "",
                 sum(1 for r in rows if r.automated_decision != "not_automated"))
    median = _hours(_seconds(r.decided_at, r.created_at) for r in rows)
    if median is not None:
        yield Figure("notices", "median_hours_to_action", "", median)


def _orders(session: Session, start: datetime, end: datetime) -> Iterator[Figure]:
    """Orders of member-state authorities and courts (Art. 9 and 10) among legal notices."""
    sender = Case.requester_type
    in_year = and_(Case.kind == "legal_notice", sender.in_(("authority", "court")),
                   Case.created_at >= start, Case.created_at < end)
    for who, n in session.execute(select(sender, func.count()).where(in_year).group_by(sender)
                                  .order_by(sender)):
        yield Figure("orders", "received", f"sender={who}", n)
    rows = session.execute(select(Case.created_at, Decision.decided_at)
                           .join(Decision, Decision.case_id == Case.id)
                           .where(in_year, Decision.status == "applied")).all()
    median = _hours(_seconds(d, c) for c, d in rows)
    if median is not None:
        yield Figure("orders", "median_hours_to_action", "", median)


def _own_initiative(session: Session, start: datetime, end: datetime) -> Iterator[Figure]:
    g = aliased(Guideline)
    rows = session.execute(
        select(g.dsa_category, Decision.automated_detection, DecisionAction.action,
               func.count(DecisionAction.id))
        .join(DecisionAction, DecisionAction.decision_id == Decision.id)
        .join(g, g.id == Decision.guideline_id)
        .where(Decision.source_type == "own_initiative", Decision.status == "applied",
               Decision.outcome == "action", Decision.decided_at >= start,
               Decision.decided_at < end, DecisionAction.applied_at.is_not(None))
        .group_by(g.dsa_category, Decision.automated_detection, DecisionAction.action)).all()
    counts: dict[tuple[str, str, str], int] = {}
    for category, automated, action, n in rows:
        restriction = RULES[ActionKind(action)].restriction
        if restriction is None:
            continue
        key = (category, "automated" if automated else "human", restriction.value)
        counts[key] = counts.get(key, 0) + n
    for (category, detection, restriction), n in sorted(counts.items()):
        yield Figure("own_initiative", "actions",
                     f"category={category};detection={detection};restriction={restriction}", n)


def _complaints(session: Session, start: datetime, end: datetime) -> Iterator[Figure]:
    in_year = and_(Case.kind == "appeal", Case.created_at >= start, Case.created_at < end)
    received = _received(session, ("appeal",), start, end, "requester_type")
    for basis, n in sorted(received.items(), key=lambda item: str(item[0])):
        yield Figure("complaints", "received", f"basis={basis}", n)
    rows = session.execute(select(Case.created_at, Decision.decided_at, Decision.outcome)
                           .join(Decision, Decision.case_id == Case.id)
                           .where(in_year, Decision.kind == "appeal_outcome")).all()
    for outcome in ("upheld", "overturned", "partly_overturned"):
        yield Figure("complaints", "decisions", f"outcome={outcome}",
                     sum(1 for r in rows if r.outcome == outcome))
    yield Figure("complaints", "reversed", "",
                 sum(1 for r in rows if r.outcome in ("overturned", "partly_overturned")))
    median = _hours(_seconds(r.decided_at, r.created_at) for r in rows)
    if median is not None:
        yield Figure("complaints", "median_hours_to_decision", "", median)


def _disputes(session: Session, start: datetime, end: datetime) -> Iterator[Figure]:
    rows = session.scalars(select(OutOfCourtDispute).where(
        OutOfCourtDispute.submitted_at >= start, OutOfCourtDispute.submitted_at < end)).all()
    yield Figure("disputes", "submitted", "", len(rows))
    outcomes: dict[str, int] = {}
    for d in rows:
        if d.outcome:
            outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
    for outcome, n in sorted(outcomes.items()):
        yield Figure("disputes", "outcomes", f"outcome={outcome}", n)
    settled = [d for d in rows if d.decided_at]
    if settled:
        median = statistics.median(_seconds(d.decided_at, d.submitted_at) / 86400
                                   for d in settled if d.decided_at)
        yield Figure("disputes", "median_days_to_outcome", "", round(median, 2))
        implemented = sum(1 for d in settled if d.implemented)
        yield Figure("disputes", "share_implemented", "", round(implemented / len(settled), 4))


def _suspensions(session: Session, start: datetime, end: datetime) -> Iterator[Figure]:
    counts = dict(session.execute(
        select(MisuseMeasure.bucket, func.count())
        .where(MisuseMeasure.measure == "suspension", MisuseMeasure.starts_at >= start,
               MisuseMeasure.starts_at < end).group_by(MisuseMeasure.bucket)).all())
    for bucket in ("illegal_content", "unfounded_notices", "unfounded_complaints"):
        yield Figure("suspensions", "imposed", f"bucket={bucket}", counts.get(bucket, 0))


def report(session: Session, year: int) -> list[Figure]:
    start, end = year_bounds(year)
    figures: list[Figure] = []
    for section in (_orders, _notices, _own_initiative, _complaints, _disputes, _suspensions):
        figures.extend(section(session, start, end))
    return figures


def write_csv(figures: list[Figure], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(["section", "metric", "breakdown", "value"])
    for figure in figures:
        writer.writerow(figure.row())
