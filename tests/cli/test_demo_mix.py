"""`idesk demo` seeds a desk a person believes (issue 19.9): like a healthy desk with one bad
week, most open cases on track, some at risk, a few breached, and nearly every finished case
met its target, not a sea of red. Read with the one rule every page uses (sla.clock)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.demo.seed import seed_demo
from integrity_desk.growth.models import CoachingNote
from integrity_desk.policy_questions.models import PolicyQuestion
from integrity_desk.quality.models import QaItem
from integrity_desk.routing.intervals import WORKING_STATUSES
from integrity_desk.routing.models import WorkInterval
from integrity_desk.sla.clock import clock_state


def test_the_demo_desk_is_mostly_on_track_with_some_at_risk_and_a_few_breached(
        db: Database) -> None:
    seed_demo(db, cases=400)
    now = utcnow()
    backlog: Counter[str] = Counter()
    finished: Counter[str] = Counter()
    with db.session() as s:
        for case in s.scalars(select(Case).where(Case.status != "merged")):
            done = case.decided_at or case.closed_at
            reading = clock_state(due_at=case.resolution_due_at,
                                  at_risk_at=case.resolution_at_risk_at, now=now,
                                  paused_at=case.sla_paused_at, done_at=done)
            (finished if done else backlog)[str(reading.state)] += 1
    open_cases = sum(backlog.values())
    assert 80 <= open_cases <= 240, backlog  # a couple of days' work, not the whole fortnight
    share = {state: n / open_cases for state, n in backlog.items()}
    assert share["on_track"] >= 0.6, backlog
    assert 0.04 <= share["at_risk"] <= 0.25, backlog
    assert 0.02 <= share["breached"] <= 0.12, backlog
    assert share.get("paused", 0) > 0, backlog  # some wait on the requester
    assert finished["met"] / sum(finished.values()) >= 0.85, finished
    assert finished["breached"] > 0, finished  # the bad week left its mark
    _work_intervals_follow_the_demos_work(db)
    _qa_has_every_state(db)


def _qa_has_every_state(db: Database) -> None:
    """The demo's QA: drawn by every plan, most reviewed (some not correct), a few waiting,
    one verdict disputed and one settled; nobody reviewed their own decision."""
    with db.session() as s:
        items = list(s.scalars(select(QaItem)))
    states = Counter(i.status for i in items)
    assert {"waiting", "reviewed", "disputed", "settled"} <= set(states), states
    assert len({i.plan_id for i in items}) == 4
    assert any(i.correct is False for i in items) and any(i.correct for i in items)
    assert all(i.reviewer_id != i.person_id for i in items if i.reviewer_id)
    with db.session() as s:
        questions = Counter(q.status for q in s.scalars(select(PolicyQuestion)))
        notes = s.scalar(select(func.count()).select_from(CoachingNote))
    assert questions == {"open": 2, "answered": 1} and notes == 2


def _work_intervals_follow_the_demos_work(db: Database) -> None:
    """The seeder works cases through the services, so later figures (AHT, occupancy) have
    intervals: one open for each case being worked, by its holder, and closed ones that last."""
    with db.session() as s:
        # (A case escalated while it waits keeps its status but nobody holds it.)
        worked = dict(s.execute(select(Case.id, Case.assignee_id).where(
            Case.status.in_([str(x) for x in WORKING_STATUSES]),
            Case.assignee_id.is_not(None))).all())
        rows = list(s.scalars(select(WorkInterval)))
    open_ = {w.case_id: w.user_id for w in rows if w.ended_at is None}
    assert open_ == worked
    closed = [w for w in rows if w.ended_at is not None]
    assert Counter(w.end_reason for w in closed)["decided"] > 50
    assert all(w.ended_at > w.started_at for w in closed)
