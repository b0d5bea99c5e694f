"""Two calibration exercises for the demo, built through the services like a manager would:
one closed (results to read, a certification granted) from cases the demo decided, and one
open that the demo's specialist and agent can still answer. A handful of rows: the demo stays
fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.cases.domain import CaseKind
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.decisions.models import Decision
from integrity_desk.errors import DeskError
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.quality import calibration, calibration_answers

CLOSED_GROUP = ["specialist@desk.example.com", "specialist2@desk.example.com",
                "specialist3@desk.example.com", "agent@desk.example.com",
                "agent2@desk.example.com"]
OPEN_GROUP = ["specialist@desk.example.com", "agent@desk.example.com",
              "agent3@desk.example.com", "agent4@desk.example.com"]
SYNTHETIC = [
    ("Five stars from the owner's address", "Best dentist in town!!! Book with Dr. Weiss "
     "today. (Sent from the practice's own account.)", "remove_review", "conflict_of_interest"),
    ("A slow delivery, politely told", "The sofa came three weeks late, but the driver "
     "called ahead and support refunded the delivery fee.", "keep", None),
    ("Voucher for a review", "Got a 20 EUR voucher for posting this. Nice shop, fast "
     "shipping.", "remove_review", "incentivised"),
    ("Competitor's complaint", "Don't go here, go to GreenLeaf Garden two streets away "
     "instead. Much better.", "remove_review", "conflict_of_interest"),
]


def _people(session: Session, emails: list[str]) -> list[User]:
    found = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    return [found[e] for e in emails if e in found]


def _decided_cases(session: Session, limit: int) -> list[str]:
    """Decided flags (never legal matters), oldest first: what the closed exercise asks."""
    decided = (select(Decision.case_id).where(Decision.status == "applied",
                                              Decision.kind == "decision"))
    return [c.key for c in session.scalars(
        select(Case).where(Case.id.in_(decided), Case.kind == CaseKind.FLAG,
                           Case.legal_restricted.is_(False)).order_by(Case.id).limit(limit))]


def _answer_all(session: Session, exercise_id: int, people: list[User], now: datetime,
                slips: set[tuple[int, int]]) -> None:
    """Everyone answers as the reference does, except the (person, item) pairs in ``slips``."""
    exercise = calibration.get(session, exercise_id)
    for p, person in enumerate(people):
        for i, item in enumerate(calibration.items_of(session, exercise_id)):
            action, guideline = item.reference_action or "keep", item.reference_guideline
            if (p, i) in slips:
                action, guideline = (("keep", None) if action != "keep"
                                     else ("remove_review", "fake"))
            calibration_answers.answer(session, exercise=exercise, user=person,
                                       item_id=item.id, action=action, guideline=guideline,
                                       note=None, actor=actor_of(person), now=now)


def seed_calibrations(db: Database, now: datetime) -> str:
    with db.session() as session:
        manager = session.scalar(select(User).where(User.email == "manager@desk.example.com"))
        if manager is None:
            return "no calibration exercises (no manager)"
        actor = actor_of(manager)
        started = now - timedelta(days=10)
        closed = calibration.create(
            session, user=manager, actor=actor, now=started,
            title="Fake and conflicted reviews, November",
            instructions="Decide each item as you would on shift: the action on the review "
                         "and the guideline it breaks (or none).",
            min_alpha=0.667, min_agreement=0.75, certification="flags-calibrated",
            valid_days=180)
        for key in _decided_cases(session, 4):
            try:
                calibration.add_case(session, exercise=closed, user=manager, key=key,
                                     actor=actor, now=started)
            except DeskError:
                continue
        for title, text, action, guideline in SYNTHETIC[:2]:
            calibration.add_synthetic(session, exercise=closed, title=title, text=text,
                                      actor=actor, now=started, reference_action=action,
                                      reference_guideline=guideline)
        group = _people(session, CLOSED_GROUP)
        calibration.invite(session, exercise=closed, user_ids=[u.id for u in group],
                           actor=actor, now=started)
        calibration.open_exercise(session, exercise=closed, actor=actor, now=started)
        # Paolo slips on three items and misses the bar; the others on one or none.
        _answer_all(session, closed.id, group, started + timedelta(days=1),
                    {(1, 5), (3, 0), (4, 0), (4, 2), (4, 5)})
        calibration.close(session, exercise=closed, actor=actor, now=now - timedelta(days=3))

        current = calibration.create(
            session, user=manager, actor=actor, now=now - timedelta(days=1),
            title="Incentives and competitors, December",
            instructions="Four short items. Submit when you are done; results come at close.",
            closes_at=now + timedelta(days=7), min_alpha=0.8, min_agreement=0.75,
            certification="incentives-calibrated", valid_days=180,
            guidelines=["conflict_of_interest", "incentivised"])
        for title, text, action, guideline in [SYNTHETIC[0], *SYNTHETIC[2:]]:
            calibration.add_synthetic(session, exercise=current, title=title, text=text,
                                      actor=actor, now=now - timedelta(days=1),
                                      reference_action=action, reference_guideline=guideline)
        calibration.add_synthetic(
            session, exercise=current, title="A glowing review, no order found",
            text="Absolutely perfect service, five stars, would recommend to everyone!",
            actor=actor, now=now - timedelta(days=1))
        invited = _people(session, OPEN_GROUP)
        calibration.invite(session, exercise=current, user_ids=[u.id for u in invited],
                           actor=actor, now=now - timedelta(days=1))
        calibration.open_exercise(session, exercise=current, actor=actor,
                                  now=now - timedelta(days=1))
        # Rita has answered already; the demo's specialist and agent still can.
        _answer_all(session, current.id, invited[2:3], now - timedelta(hours=20), set())
        alpha = (closed.results or {}).get("alpha", {}).get("value")
    return (f"2 calibration exercises (one closed, alpha {alpha}; one open until "
            f"{(now + timedelta(days=7)):%d %b})")
