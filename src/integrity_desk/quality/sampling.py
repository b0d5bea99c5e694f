"""QA sampling plans (data managers edit) and the draw that fills the QA queue from them.

The worker's ``quality.draw`` job runs the draw every ``qa_draw_seconds``: it reads the applied
decisions of this ISO week and the last (so a run just after midnight on Monday completes last
week's shares) and the decisions contested by appeals opened in that time, asks
``quality.domain.draw`` which the active plans want, and writes one QA item per decision with
the facts its figures count under. A decision is in QA at most once (uq_qa_items_decision_id),
so two runs at once cannot draw it twice: the second waits on the first's rows and skips them.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM, Actor, record, record_many
from integrity_desk.cases.domain import CaseKind, GuidelineCategory
from integrity_desk.cases.models import Case
from integrity_desk.db import upsert_insert
from integrity_desk.decisions.models import Decision, Guideline
from integrity_desk.errors import InvalidInput, NotFound
from integrity_desk.kpis.sources import decider_then
from integrity_desk.people.models import Team, User
from integrity_desk.quality.domain import Candidate, Plan, Rule, draw, week_of
from integrity_desk.quality.models import QaItem, QaPlan

JOB = "quality.draw"
IN_FORCE = ("applied", "reversed")  # decisions taken (reversed ones were taken too)
EDITABLE = ("name", "rule", "share", "categories", "min_severity", "first_weeks", "seed",
            "active")


def check_plan(values: dict[str, Any]) -> None:
    """Each rule's parameters present and in range; the field named where not."""
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("a plan needs a name of 1-120 characters", field="name")
    try:
        rule = Rule(values.get("rule"))
    except ValueError:
        raise InvalidInput(f"rule must be one of {', '.join(r.value for r in Rule)}",
                           field="rule") from None
    share = values.get("share")
    if rule in (Rule.SHARE, Rule.NEW_STARTERS) and (share is None or not 0 < share <= 1):
        raise InvalidInput("a share plan needs a share above 0 and at most 1 (0.1 is 10 %)",
                           field="share")
    if rule == Rule.NEW_STARTERS and not 1 <= (values.get("first_weeks") or 0) <= 52:
        raise InvalidInput("a new-starter plan needs first_weeks from 1 to 52",
                           field="first_weeks")
    if rule == Rule.CATEGORY:
        categories = values.get("categories") or []
        known = {c.value for c in GuidelineCategory}
        wrong = [c for c in categories if c not in known]
        if not categories or wrong:
            raise InvalidInput("categories must name guideline categories "
                               f"({', '.join(sorted(known))})"
                               + (f"; not {', '.join(wrong)}" if wrong else ""),
                               field="categories")
    if rule == Rule.SEVERITY and not 1 <= (values.get("min_severity") or 0) <= 4:
        raise InvalidInput("a severity plan needs min_severity from 1 (minor) to 4 (critical)",
                           field="min_severity")
    seed = values.get("seed")
    if seed is not None and not 1 <= len(seed) <= 64:
        raise InvalidInput("a seed is 1-64 characters", field="seed")


def create_plan(session: Session, values: dict[str, Any], *, user: User, actor: Actor,
                now: datetime) -> QaPlan:
    check_plan(values)
    plan = QaPlan(name=values["name"].strip(), rule=values["rule"], share=values.get("share"),
                  categories=list(values.get("categories") or []),
                  min_severity=values.get("min_severity"),
                  first_weeks=values.get("first_weeks"),
                  seed=values.get("seed") or secrets.token_hex(8),
                  active=values.get("active", True), created_by_id=user.id, created_at=now,
                  updated_at=now)
    session.add(plan)
    session.flush()
    record(session, kind="qa_plan.created", category="audit", actor=actor, chain_key="quality",
           at=now, payload={"plan_id": plan.id, **plan_values(plan)})
    return plan


def update_plan(session: Session, plan: QaPlan, changes: dict[str, Any], *, actor: Actor,
                now: datetime) -> QaPlan:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}",
                           field=sorted(unknown)[0])
    merged = {**plan_values(plan), **changes}
    check_plan(merged)
    before = plan_values(plan)
    for name, value in changes.items():
        setattr(plan, name, value.strip() if name == "name" else value)
    plan.updated_at = now
    session.flush()
    record(session, kind="qa_plan.changed", category="audit", actor=actor, chain_key="quality",
           at=now, payload={"plan_id": plan.id, "before": before, "after": plan_values(plan)})
    return plan


def plan_values(plan: QaPlan) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in EDITABLE}


def get_plan(session: Session, plan_id: int) -> QaPlan:
    plan = session.get(QaPlan, plan_id)
    if plan is None:
        raise NotFound(f"no sampling plan {plan_id}")
    return plan


def plans(session: Session) -> list[QaPlan]:
    return list(session.scalars(select(QaPlan).order_by(QaPlan.active.desc(), QaPlan.id)))


def _plan(row: QaPlan) -> Plan:
    return Plan(id=row.id, rule=Rule(row.rule), seed=row.seed, share=row.share,
                categories=frozenset(row.categories or ()), min_severity=row.min_severity,
                first_weeks=row.first_weeks)


def window_start(now: datetime) -> datetime:
    """Midnight (UTC) of the Monday of last week: the draw's look-back."""
    monday = week_of(now.astimezone(UTC)) - timedelta(days=7)
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def run_draw(session: Session, *, now: datetime, actor: Actor = SYSTEM) -> str:
    """Draw into the QA queue what the active plans want; a summary for the worker's log."""
    active = [_plan(p) for p in session.scalars(select(QaPlan).where(QaPlan.active))]
    if not active:
        return "no active sampling plan"
    since = window_start(now)
    contested = Case.details["contested_decision_id"].as_integer()
    appealed = set(session.scalars(select(contested).where(
        Case.kind == CaseKind.APPEAL.value, Case.created_at >= since,
        contested.is_not(None))))
    rows = _candidates(session, since, now, appealed)
    by_id = {r["decision_id"]: r for r in rows}
    candidates = [Candidate(r["decision_id"], r["person_id"], r["decided_at"], r["category"],
                            r["severity"], r["person_since"], r["decision_id"] in appealed,
                            in_window=r["decided_at"] >= since) for r in rows]
    drawn = [Candidate(d, p, at, person_since=since_)
             for d, p, at, since_ in session.execute(
                 select(QaItem.decision_id, QaItem.person_id, QaItem.decided_at,
                        User.created_at)
                 .outerjoin(User, User.id == QaItem.person_id)
                 .where(QaItem.decided_at >= since))]
    picks = draw(active, candidates, drawn)
    if not picks:
        return f"nothing to draw from {len(candidates)} decision(s)"
    items = []
    for pick in picks:
        r = by_id[pick.decision_id]
        items.append({"decision_id": pick.decision_id, "case_id": r["case_id"],
                      "plan_id": pick.plan_id, "reason": pick.reason[:300], "drawn_at": now,
                      "person_id": r["person_id"], "team_id": r["team_id"],
                      "vendor_id": r["vendor_id"], "queue_id": r["queue_id"],
                      "kind": r["kind"], "priority": r["priority"],
                      "guideline": r["guideline"], "decided_at": r["decided_at"],
                      "status": "waiting", "findings": [], "changed_at": now})
    inserted = _insert(session, items)
    record_many(session, [
        {"kind": "qa.drawn", "category": "audit", "actor": actor, "case_id": i["case_id"],
         "at": now, "payload": {"decision_id": i["decision_id"], "reason": i["reason"]}}
        for i in items if i["decision_id"] in inserted])
    return f"{len(inserted)} decision(s) drawn for QA from {len(candidates)}"


def _candidates(session: Session, since: datetime, now: datetime, appealed: set[int]
                ) -> list[dict[str, Any]]:
    d = Decision
    team_then, vendor_then = decider_then(d)
    query = (
        select(d.id.label("decision_id"), d.case_id, d.decided_by_id.label("person_id"),
               d.decided_at, Guideline.category, Guideline.severity,
               Guideline.code.label("guideline"), User.created_at.label("person_since"),
               Case.queue_id, Case.kind, Case.priority,
               func.coalesce(team_then, User.team_id).label("team_id"),
               func.coalesce(vendor_then, Team.vendor_id).label("vendor_id"))
        .select_from(d).join(Case, Case.id == d.case_id)
        .outerjoin(Guideline, Guideline.id == d.guideline_id)
        .outerjoin(User, User.id == d.decided_by_id)
        .outerjoin(Team, Team.id == User.team_id)
        .where(d.kind == "decision", d.status.in_(IN_FORCE), d.decided_at <= now,
               or_(d.decided_at >= since, d.id.in_(appealed) if appealed else False),
               ~exists().where(QaItem.decision_id == d.id)))
    return [dict(r._mapping) for r in session.execute(query)]


def _insert(session: Session, items: list[dict[str, Any]]) -> set[int]:
    """Insert, skipping decisions another run drew meanwhile; the decision ids inserted."""
    done = session.scalars(upsert_insert(session)(QaItem).values(items).on_conflict_do_nothing(
        index_elements=["decision_id"]).returning(QaItem.decision_id))
    return set(done)


__all__ = ["JOB", "check_plan", "create_plan", "get_plan", "plans", "run_draw",
           "update_plan", "window_start"]
