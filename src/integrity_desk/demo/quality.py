"""The demo's QA: sampling plans, the draw over the seeded decisions, most of them reviewed
(some with errors and feedback), one verdict disputed and one dispute settled, so the QA pages,
the dashboard's QA accuracy and the scorecards' error reasons show real figures; and three
policy questions (one answered, one overdue soon) and two coaching notes. The reviewers
are the desk's senior specialists; nobody reviews their own decision (the service refuses)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.dsa.domain import check_category
from integrity_desk.growth import service as growth
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.policy_questions import service as questions
from integrity_desk.quality import review, sampling
from integrity_desk.quality.models import QaItem

PLANS = [
    {"name": "Weekly sample", "rule": "share", "share": 0.2, "seed": "demo-weekly"},
    {"name": "New starters", "rule": "new_starters", "share": 0.5, "first_weeks": 4,
     "seed": "demo-new"},
    {"name": "Illegal content", "rule": "category", "categories": ["harmful_illegal"],
     "seed": "demo-illegal"},
    {"name": "Appealed decisions", "rule": "appealed", "seed": "demo-appealed"},
]
REVIEWERS = ("specialist2@desk.example.com", "specialist3@desk.example.com",
             "manager@desk.example.com")
LEAD = "admin@desk.example.com"
# (errors found, feedback): most decisions are right.
JUDGEMENTS = [
    ([], None), ([], None), ([], None), ([], "Clear facts and a precise guideline."),
    ([{"category": "communication", "note": "The letter repeats the guideline's text."}],
     "Say in plain words what the review did."),
    ([{"category": "wrong_guideline", "note": "This is incentivised, not fake."}],
     "Check the incentive wording before citing fake."),
    ([{"category": "wrong_action", "note": "The review describes a real visit."}],
     "Read the whole review and the reviewer's history before removing."),
]


def seed_quality(db: Database, rng: random.Random, now: datetime) -> str:
    with db.session() as session:
        people = {u.email: u for u in session.scalars(select(User))}
        manager = people["manager@desk.example.com"]
        for values in PLANS:
            sampling.create_plan(session, dict(values), user=manager, actor=actor_of(manager),
                                 now=now - timedelta(days=13))
        summary = sampling.run_draw(session, now=now - timedelta(hours=2), actor=SYSTEM)
        items = list(session.scalars(select(QaItem).order_by(QaItem.id)))
        reviewed: list[QaItem] = []
        for n, item in enumerate(items):
            if n % 4 == 3:  # a quarter still waits in the QA queue
                continue
            reviewer = next((people[e] for e in REVIEWERS
                             if people[e].id != item.person_id), None)
            if reviewer is None:
                continue
            findings, feedback = rng.choice(JUDGEMENTS)
            at = max(item.decided_at, now - timedelta(days=6)) + timedelta(hours=2)
            review.review(session, item, reviewer=reviewer, findings=findings,
                          feedback=feedback, dispute_days=7, actor=actor_of(reviewer),
                          now=min(at, now - timedelta(hours=1)))
            reviewed.append(item)
        failed = [i for i in reviewed if i.correct is False and i.person_id]
        for n, item in enumerate(failed[:2]):
            person = session.get(User, item.person_id)
            if person is None:
                continue
            review.dispute(session, item, user=person, actor=actor_of(person),
                           reason="The guideline allows it: see the reviewer's history.",
                           now=now - timedelta(minutes=50))
            lead = people[LEAD]
            if n == 0 and lead.id not in (item.person_id, item.reviewer_id):
                review.settle(session, item, lead=lead, settlement="changed",
                              note="The history shows a real customer; the action was right.",
                              findings=[], actor=actor_of(lead),
                              now=now - timedelta(minutes=40))
        asked = _policy_questions(session, people, items, now)
        for email, note in COACHING:
            growth.write_note(session, people[email], author=manager, note=note,
                              actor=actor_of(manager), now=now - timedelta(days=2))
    return f"QA: {summary}; {len(reviewed)} reviewed; {asked} policy questions"


QUESTIONS = [
    ("fake", "unclear", "The reviewer was at the market stall, not the shop: is that a real "
                        "experience of this business?"),
    ("incentivised", "new_pattern", "The business sends a voucher after any review, good or "
                                    "bad. Is that an incentive?"),
    (None, "gap", "Reviews written by an AI assistant on the customer's behalf: no guideline "
                  "says whether they are allowed."),
]
COACHING = [
    ("agent@desk.example.com", "Your statements of reasons got much clearer this week. Keep "
                               "naming the exact sentence that breaks the guideline."),
    ("specialist@desk.example.com", "Before removing a review as fake, open the reviewer's "
                                    "other reviews: two of last week's overturns were real "
                                    "customers."),
]


def _policy_questions(session: Session, people: dict[str, User], items: list[QaItem],
                      now: datetime) -> int:
    """Three questions from drawn cases; Policy answers the first with a new version."""
    sam, priya = people["specialist@desk.example.com"], people["policy@desk.example.com"]
    cases = [session.get(Case, i.case_id) for i in items[:len(QUESTIONS)]]
    asked = []
    for case, (code, reason, question) in zip(cases, QUESTIONS, strict=False):
        if case is None:
            continue
        asked.append(questions.raise_question(
            session, case, user=sam, reason=reason, guideline=code, question=question,
            hours=72, actor=actor_of(sam), now=now - timedelta(hours=30)))
    if asked:
        questions.answer(session, asked[0], user=priya,
                         text="Yes: a market stall run by the business is the business.",
                         new_guideline_text=None, linked_version=None, actor=actor_of(priya),
                         now=now - timedelta(hours=3), check_dsa=check_category)
    return len(asked)
