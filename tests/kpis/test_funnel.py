"""The flagging funnel of one hand-built week, 2026-W49 (Mon 30 Nov – Sun 6 Dec 2026), followed
to Mon 7 Dec 12:00 UTC, worked out by hand.

* n1 consumer flag (fake), Mon 09:00; a second consumer flag about the same review joins it
  at 10:00 (a flag received, no case opened); Tue: the review removed (a restriction);
  Wed: the reviewer appeals; Thu: overturned.
* n2 business flag (offensive language), Tue; decided Tue with no action.
* d1 automated detector's flag (fake), Wed; never decided.
* t1 trusted flagger's notice (fake), Thu; Thu: removal; Fri: the business appeals; upheld.
* n4 consumer flag (fake), Fri; Sat: removal; Mon 7 Dec (after the week, before now): the
  reviewer appeals, not yet decided.
* old: a consumer flag of Sun 29 Nov (the week before), removed in W49: not the week's flag.

By source: consumer received 3 (n1, its joined flag, n4), opened 2, decided 2, restricted 2,
appealed 2, overturned 1; business 1, 1, 1, 0, 0, 0; automated detector 1, 1, 0, 0, 0, 0;
trusted flagger 1, 1, 1, 1, 1, 0; total 6, 5, 4, 3, 3, 1. By category: fake 5, 4, 3, 3, 3, 1;
offensive language 1, 1, 1, 0, 0, 0.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions.appeals import AppealDecisionInput, AppealOutcome, decide_appeal
from integrity_desk.decisions.domain import ActionKind, ActionRequest
from integrity_desk.decisions.service import DecisionInput, decide
from integrity_desk.dsa.models import TrustedFlagger
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.kpis import rollup
from integrity_desk.kpis.domain import parse_period
from integrity_desk.kpis.funnel import Funnel, FunnelBy, Step, funnel
from integrity_desk.kpis.funnel_api import funnel_out
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from tests import factories as f
from tests.conftest import Person

CASE_IN: TypeAdapter[Any] = TypeAdapter(CaseIn)
W49 = parse_period("2026-W49")
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
S = Step


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


class Desk:
    def __init__(self, s: Session, decider: User, colleague: User) -> None:
        self.s, self.decider, self.colleague = s, decider, colleague

    def receive(self, body: dict[str, Any], when: datetime) -> Case | None:
        """A flag or notice; None when it joined the open case about the same thing."""
        outcome = Intake(self.s, now=when, actor=actor_of(self.decider)).submit(
            CASE_IN.validate_python(body))
        if not outcome.created:
            return None
        cases.claim(self.s, outcome.case, user=self.decider, actor=actor_of(self.decider),
                    now=when)
        return outcome.case

    def decide(self, case: Case, when: datetime, review: str | None) -> None:
        actions = ([(f"review:{review}", ActionRequest(ActionKind.REMOVE_REVIEW, "review", 0))]
                   if review else [])
        decide(self.s, case, DecisionInput(
            guideline="fake", explanation="As the guideline says.", facts="Checked.",
            outcome="action" if review else "no_action",
            territorial_scope=["DE"] if review else [], actions=actions),
            user=self.decider, actor=actor_of(self.decider), now=when)

    def appeal(self, contested: Case, when: datetime, appellant: str) -> Case:
        body = f.appeal(contested.key, appellant_type=appellant)
        appeal = Intake(self.s, now=when, actor=actor_of(self.colleague)).submit(
            CASE_IN.validate_python(body)).case
        cases.claim(self.s, appeal, user=self.colleague, actor=actor_of(self.colleague),
                    now=when)
        return appeal

    def rule(self, appeal: Case, outcome: AppealOutcome, when: datetime) -> None:
        decide_appeal(self.s, appeal, AppealDecisionInput(outcome=outcome, reasoning="Seen."),
                      user=self.colleague, actor=actor_of(self.colleague), now=when)


def build_week(db: Database, decider: Person, colleague: Person) -> None:
    with db.session() as s:
        s.add(TrustedFlagger(name="Consumer Watch Europe", country="DE",
                             coordinator="Bundesnetzagentur", areas=["fake"]))
        d = Desk(s, s.get(User, decider.user.id), s.get(User, colleague.user.id))
        old = d.receive(f.flag("old", reporter_type="consumer"), at(11, 29, 23))
        n1 = d.receive(f.flag("n1", reporter_type="consumer"), at(11, 30))
        assert d.receive(f.flag("n1", reporter_type="consumer"), at(11, 30, 10)) is None
        n2 = d.receive(f.flag("n2", category="offensive_language"), at(12, 1))
        d1 = d.receive(f.flag("d1", reporter_type="automated_detector"), at(12, 2))
        t1 = d.receive(f.trusted_flagger(reviews=[{"ref": "t1"}]), at(12, 3))
        n4 = d.receive(f.flag("n4", reporter_type="consumer"), at(12, 4))
        assert old and n1 and n2 and d1 and t1 and n4
        d.decide(old, at(11, 30, 8), "old")
        d.decide(n1, at(12, 1, 9), "n1")
        d.decide(n2, at(12, 1, 12), None)
        d.decide(t1, at(12, 3, 12), "t1")
        d.decide(n4, at(12, 5), "n4")
        d.rule(d.appeal(n1, at(12, 2), "reviewer"), AppealOutcome.OVERTURNED, at(12, 3))
        d.rule(d.appeal(t1, at(12, 4, 8), "business"), AppealOutcome.UPHELD, at(12, 4, 12))
        d.appeal(n4, at(12, 7, 8), "reviewer")


@pytest.fixture
def week(db: Database, make_person: Callable[..., Person]) -> Database:
    build_week(db, make_person("manager"), make_person("manager"))
    with db.session() as s:
        rollup.run(s, now=NOW)  # the funnel is read from the daily rollup
    return db


def _counts(result: Funnel, key: str) -> list[int]:
    row = result.total if key == "all" else result.row(key)
    assert row is not None, key
    return [s.count for s in row.steps]


def test_the_weeks_funnel_by_source(week: Database) -> None:
    with week.session() as s:
        result = funnel(s, period=W49, by=FunnelBy.SOURCE, now=NOW)
    assert _counts(result, "consumer") == [3, 2, 2, 2, 2, 1]
    assert _counts(result, "business") == [1, 1, 1, 0, 0, 0]
    assert _counts(result, "automated_detector") == [1, 1, 0, 0, 0, 0]
    assert _counts(result, "trusted_flagger") == [1, 1, 1, 1, 1, 0]
    assert _counts(result, "all") == [6, 5, 4, 3, 3, 1]
    assert {r.key for r in result.rows} == {"consumer", "business", "automated_detector",
                                            "trusted_flagger"}
    assert result.row("trusted_flagger").label == "Trusted flagger"  # type: ignore[union-attr]


def test_each_conversion_is_a_share_of_the_step_before(week: Database) -> None:
    with week.session() as s:
        result = funnel(s, period=W49, by=FunnelBy.SOURCE, now=NOW)
    consumer = result.row("consumer")
    assert consumer is not None
    assert consumer.conversion(S.RECEIVED) is None
    opened = consumer.conversion(S.OPENED)
    assert opened and (opened.value, opened.numerator, opened.denominator) == (2 / 3, 2, 3)
    assert consumer.conversion(S.DECIDED).value == 1.0  # type: ignore[union-attr]
    assert consumer.conversion(S.OVERTURNED).value == 0.5  # type: ignore[union-attr]
    detector = result.row("automated_detector")
    assert detector is not None
    assert detector.conversion(S.DECIDED).value == 0.0  # type: ignore[union-attr]
    nothing = detector.conversion(S.APPEALED)
    assert nothing and nothing.value is None and nothing.no_data == "no case ended in a restriction"
    total = result.total
    assert total.conversion(S.RESTRICTED).value == 0.75  # type: ignore[union-attr]
    assert total.conversion(S.APPEALED).value == 1.0  # type: ignore[union-attr]
    assert total.partly_overturned == 0


def test_the_weeks_funnel_by_category(week: Database) -> None:
    with week.session() as s:
        result = funnel(s, period=W49, by=FunnelBy.CATEGORY, now=NOW)
    assert _counts(result, "fake") == [5, 4, 3, 3, 3, 1]
    assert _counts(result, "offensive_language") == [1, 1, 1, 0, 0, 0]
    assert _counts(result, "all") == [6, 5, 4, 3, 3, 1]
    assert result.row("fake").label == "Fake review"  # type: ignore[union-attr]


def test_the_week_before_sees_only_its_own_flag(week: Database) -> None:
    with week.session() as s:
        result = funnel(s, period=parse_period("2026-W48"), by=FunnelBy.SOURCE, now=NOW)
    assert _counts(result, "all") == [1, 1, 1, 1, 0, 0]
    assert result.total.conversion(S.OVERTURNED).no_data == "no restriction was appealed"  # type: ignore[union-attr]


def test_an_empty_period_has_no_rows_and_no_data(db: Database) -> None:
    with db.session() as s:
        rollup.run(s, now=utcnow())
        result = funnel(s, period=parse_period("2026-W49"), by="source", now=utcnow())
    assert result.rows == []
    assert _counts(result, "all") == [0] * 6
    assert result.total.conversion(S.OPENED).value is None  # type: ignore[union-attr]


def test_the_api_answers_what_the_service_counts(client: Any, db: Database, manager: Person,
                                                 make_person: Callable[..., Person]) -> None:
    for ref, reporter in (("a1", "consumer"), ("a2", "business"), ("a3", "consumer")):
        r = client.post("/api/v1/cases", json=f.flag(ref, reporter_type=reporter),
                        headers=manager.headers)
        assert r.status_code == 201, r.text
    viewer = make_person("viewer")
    r = client.get("/api/v1/kpis/funnel", params={"by": "source"}, headers=viewer.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    now = utcnow()
    with db.session() as s:
        expected = funnel_out(funnel(s, period=parse_period(body["period"]), by="source",
                                     now=now))
    assert body == expected.model_dump(mode="json")
    [consumer] = [row for row in body["rows"] if row["key"] == "consumer"]
    assert [s["count"] for s in consumer["steps"]] == [2, 2, 0, 0, 0, 0]
    assert consumer["steps"][2]["conversion"] == {"value": 0.0, "numerator": 0,
                                                  "denominator": 2, "no_data": None}
    r = client.get("/api/v1/kpis/funnel", params={"by": "category", "period": "2026-12"},
                   headers=manager.headers)
    assert (r.status_code, r.json()["by"], r.json()["period"]) == (200, "category", "2026-12")


def test_the_api_names_a_bad_field_and_refuses_an_agent(client: Any, manager: Person,
                                                        make_person: Callable[..., Person]
                                                        ) -> None:
    r = client.get("/api/v1/kpis/funnel", params={"by": "person"}, headers=manager.headers)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "by")
    r = client.get("/api/v1/kpis/funnel", params={"period": "2026-W60"},
                   headers=manager.headers)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "period")
    agent = make_person("agent")
    assert client.get("/api/v1/kpis/funnel", headers=agent.headers).status_code == 403


def test_a_later_overturn_moves_its_cohort_in_the_incremental_rollup(
        week: Database, make_person: Callable[..., Person]) -> None:
    """n4's appeal, filed after the week, is decided a day later: the next run recomputes
    the week's day of receipt (the rollup's dirty cohorts), as a rebuild would count it."""
    from sqlalchemy import select

    from integrity_desk.kpis.models import KpiDay

    later = NOW + timedelta(days=1)
    with week.session() as s:
        pending = s.scalar(select(Case).where(Case.kind == "appeal",
                                              Case.status == "assigned"))
        assert pending is not None
        colleague = s.get(User, pending.assignee_id)
        assert colleague is not None
        Desk(s, colleague, colleague).rule(pending, AppealOutcome.OVERTURNED, later)
        rollup.run(s, now=later + timedelta(minutes=5))
        assert _counts(funnel(s, period=W49, by=FunnelBy.SOURCE, now=later),
                       "all") == [6, 5, 4, 3, 3, 2]
        columns = [c for c in KpiDay.__table__.columns if not c.name.startswith("sla_age")]
        incremental = set(s.execute(select(*columns)).all())
        rollup.run(s, now=later + timedelta(minutes=5), rebuild=True)
        assert set(s.execute(select(*columns)).all()) == incremental
