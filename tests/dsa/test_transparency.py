"""The yearly transparency report (Art. 15/24(1)) on a hand-built year whose every figure is
worked out by hand below."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.decisions.appeals import AppealDecisionInput, AppealOutcome, decide_appeal
from integrity_desk.decisions.domain import ActionKind, ActionRequest, Automation
from integrity_desk.decisions.models import OutOfCourtDispute
from integrity_desk.decisions.service import DecisionInput, decide
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.dsa.transparency import report, write_csv
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.misuse.models import MisuseMeasure
from integrity_desk.people.service import actor_of
from tests import factories as f
from tests.conftest import Person

CASE_IN: TypeAdapter[Any] = TypeAdapter(CaseIn)
EU = ["DE", "FR"]


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


class Year:
    def __init__(self, session: Session, decider: Person, reviewer: Person) -> None:
        self.s, self.decider, self.reviewer = session, decider.user, reviewer.user

    def open(self, body: dict[str, Any], when: datetime) -> Case:
        outcome = Intake(self.s, now=when, actor=actor_of(self.decider)).submit(
            CASE_IN.validate_python(body))
        assert outcome.created
        cases.claim(self.s, outcome.case, user=self.decider, actor=actor_of(self.decider),
                    now=when)
        return outcome.case

    def join(self, body: dict[str, Any], when: datetime) -> None:
        """A further notice (or complaint) that joins the open case about the same thing."""
        outcome = Intake(self.s, now=when, actor=actor_of(self.decider)).submit(
            CASE_IN.validate_python(body))
        assert not outcome.created

    def decide(self, case: Case, when: datetime, *, guideline: str,
               review: str | list[str] | None, **over: Any) -> int:
        reviews = [review] if isinstance(review, str) else review or []
        actions = [(f"review:{r}", ActionRequest(ActionKind.REMOVE_REVIEW, "review", 0))
                   for r in reviews]
        inp = DecisionInput(guideline=guideline, explanation="As the guideline says.",
                            facts="Checked.", outcome="action" if review else "no_action",
                            territorial_scope=EU if review else [], actions=actions, **over)
        return decide(self.s, case, inp, user=self.decider, actor=actor_of(self.decider),
                      now=when).id

    def appeal(self, contested: Case, when: datetime, outcome: AppealOutcome,
               decided: datetime, appellant_type: str, joined_by: str | None = None) -> None:
        body = f.appeal(contested.key, appellant_type=appellant_type)
        appeal = Intake(self.s, now=when, actor=actor_of(self.reviewer)).submit(
            CASE_IN.validate_python(body)).case
        if joined_by:  # a second complaint against the same decision joins the open appeal
            self.join(f.appeal(contested.key, appellant_type=joined_by),
                      when + timedelta(hours=1))
        cases.claim(self.s, appeal, user=self.reviewer, actor=actor_of(self.reviewer), now=when)
        decide_appeal(self.s, appeal, AppealDecisionInput(outcome=outcome, reasoning="Reviewed."),
                      user=self.reviewer, actor=actor_of(self.reviewer), now=decided)


def test_every_figure_of_a_hand_built_year(db: Database,
                                           make_person: Callable[..., Person]) -> None:
    decider, colleague = make_person("manager"), make_person("manager")
    with db.session() as s:
        s.add(TrustedFlagger(name="Consumer Watch Europe", country="DE",
                             coordinator="Bundesnetzagentur", areas=["fake"]))
        y = Year(s, decider, colleague)
        # Notices of 2025 (the one of 2024 and the detector's flag are not notices of 2025).
        consumer = y.open(f.flag("n1", reporter_type="consumer", category="fake"), at(3, 1))
        # A second notice about n1 joins the consumer's case: it is a notice received too.
        y.join(f.flag("n1", reporter_type="consumer", category="fake"), at(3, 1, 10))
        y.decide(consumer, at(3, 1, 13), guideline="fake", review="n1")  # 4 h, terms
        business = y.open(f.flag("n2", category="offensive_language"), at(4, 1))
        y.decide(business, at(4, 2), guideline="offensive_language", review=None)
        legal = y.open(f.legal(category="harmful_illegal", deadline=at(6, 1).isoformat(),
                               urls=["https://reviews.example.com/reviews/n3"]), at(5, 1))
        y.decide(legal, at(5, 1, 19), guideline="harmful_illegal", review="n3")  # 10 h, law
        order = y.open(f.legal(sender_type="authority", category="harmful_illegal",
                               deadline=at(7, 1).isoformat(),
                               urls=["https://reviews.example.com/reviews/n4"]), at(5, 10))
        y.decide(order, at(5, 10, 15), guideline="harmful_illegal", review="n4")  # 6 h, law
        flagger = y.open(f.trusted_flagger(reviews=[{"ref": "n5"}, {"ref": "n6"}]), at(6, 1))
        y.join(f.trusted_flagger(reviews=[{"ref": "n5"}]), at(6, 1, 10))  # the flagger again
        # Two reviews removed: two restrictions applied on one notice.
        y.decide(flagger, at(6, 1, 11), guideline="fake", review=["n5", "n6"],
                 automated_decision=Automation.PARTIALLY)  # 2 h, terms, automated
        y.open(f.flag("old", category="fake"), datetime(2024, 12, 31, 23, tzinfo=UTC))
        detector = y.open(f.flag("d1", reporter_type="automated_detector", category="fake"),
                          at(7, 1))
        y.decide(detector, at(7, 1, 10), guideline="fake", review="d1",
                 automated_detection=True)
        # An investigation of our own that removed three reviews: three actions.
        ring = y.open(f.investigation(reviews=[{"ref": "i1"}, {"ref": "i2"}, {"ref": "i3"}],
                                      reviewer_refs=[], business_domains=[]), at(8, 1))
        y.decide(ring, at(8, 2), guideline="fake", review=["i1", "i2", "i3"])
        # Complaints: one overturned after 24 h (a business complained too, and joined it),
        # one upheld after 48 h.
        y.appeal(consumer, at(3, 10), AppealOutcome.OVERTURNED, at(3, 11), "reviewer",
                 joined_by="business")
        y.appeal(flagger, at(6, 10), AppealOutcome.UPHELD, at(6, 12), "business")
        # A dispute settled after 20 days, implemented; one still open.
        s.add_all([
            OutOfCourtDispute(case_id=consumer.id, body="ADR", submitted_at=at(5, 1),
                              outcome="in_favour_of_recipient", decided_at=at(5, 21),
                              implemented=True, implemented_at=at(5, 23)),
            OutOfCourtDispute(case_id=flagger.id, body="ADR", submitted_at=at(9, 1))])
        s.add_all([MisuseMeasure(party_type="notifier", party_key="x@example.com",
                                 bucket=bucket, measure=measure, manifest_count=5,
                                 total_count=6, reason="r", starts_at=at(8, 1))
                   for bucket, measure in [("unfounded_notices", "suspension"),
                                           ("unfounded_notices", "warning"),
                                           ("illegal_content", "suspension")]])
    with db.session() as s:
        figures = {(f_.section, f_.metric, f_.breakdown): f_.value for f_ in report(s, 2025)}
    assert figures == {
        ("orders", "received", "sender=authority"): 1,
        ("orders", "median_hours_to_action", ""): 6.0,
        # n1 twice (one joined), the flagger's notice twice (one joined).
        ("notices", "received", "category=STATEMENT_CATEGORY_SCAMS_AND_FRAUD"): 4,
        ("notices", "received", "category=STATEMENT_CATEGORY_OTHER_VIOLATION_TC"): 1,
        ("notices", "received", "category=STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"): 2,
        ("notices", "received_from_trusted_flaggers", ""): 2,
        ("notices", "actions", "ground=illegal_content"): 2,
        # n1, and n5 and n6 on the flagger's notice.
        ("notices", "actions", "ground=incompatible_content"): 3,
        ("notices", "handled_by_automated_means", ""): 1,
        # 4, 10, 6 and 2 hours: the median of four is the mean of the middle two.
        ("notices", "median_hours_to_action", ""): 5.0,
        ("own_initiative", "actions", "category=STATEMENT_CATEGORY_SCAMS_AND_FRAUD;"
         "detection=automated;restriction=decision_visibility"): 1,
        ("own_initiative", "actions", "category=STATEMENT_CATEGORY_SCAMS_AND_FRAUD;"
         "detection=human;restriction=decision_visibility"): 3,
        ("complaints", "received", "basis=business"): 2,
        ("complaints", "received", "basis=reviewer"): 1,
        ("complaints", "decisions", "outcome=upheld"): 1,
        ("complaints", "decisions", "outcome=overturned"): 1,
        ("complaints", "decisions", "outcome=partly_overturned"): 0,
        ("complaints", "reversed", ""): 1,
        ("complaints", "median_hours_to_decision", ""): 36.0,
        ("disputes", "submitted", ""): 2,
        ("disputes", "outcomes", "outcome=in_favour_of_recipient"): 1,
        ("disputes", "median_days_to_outcome", ""): 20.0,
        ("disputes", "share_implemented", ""): 1.0,
        ("suspensions", "imposed", "bucket=illegal_content"): 1,
        ("suspensions", "imposed", "bucket=unfounded_notices"): 1,
        ("suspensions", "imposed", "bucket=unfounded_complaints"): 0,
    }
    with db.session() as s:
        out = io.StringIO()
        write_csv(report(s, 2025), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "section,metric,breakdown,value"
    assert "notices,received_from_trusted_flaggers,,2" in lines
    with db.session() as s:
        empty = {(f_.section, f_.metric): f_.value for f_ in report(s, 2023)}
    assert empty[("disputes", "submitted")] == 0
