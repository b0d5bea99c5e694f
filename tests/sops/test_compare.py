"""The comparison report on a hand-built story, every figure worked out by hand.

Flags are on an SLA calendar of 09:00–17:00 Berlin (08:00–16:00 UTC in March before the change
to summer time), first response 60 working minutes, resolution 480. Ana (specialist) works the
flags, Mia (manager) rules on appeals. In UTC, Monday 23 March 2026:

* 07:00 the flag SOP version 1 is published (two required items).
* A1: opened 08:00, Ana claims; ticks both items; decides 08:30 (first response and
  resolution 30 min: both met); closed.
* A2: opened 09:00, Ana claims; decides 12:00 (first response 180 min: breached; resolution
  180 min: met); closed.
* 13:00 version 2 is published.
* B1: opened 13:30, Ana claims; decides 14:00 (both met); closed.
* Tuesday: an appeal against A1 is overturned, one against A2 upheld.
* Wednesday: QA draws every decision; Mia judges A1 with a critical error, A2 and B1 correct.

Version 1: 2 cases; resolution 2/2; first response 1/2; AHT (30 + 180) / 2 = 105 minutes;
overturn rate 1/2; QA accuracy 1/2. Version 2: 1 case; 1/1; 1/1; AHT 30; no appeal decided:
no data; QA accuracy 1/1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.decisions.appeals import AppealDecisionInput, AppealOutcome, decide_appeal
from integrity_desk.decisions.service import DecisionInput, decide
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.kpis.domain import Measure
from integrity_desk.people.models import User
from integrity_desk.people.service import actor_of
from integrity_desk.quality import review as qa_review
from integrity_desk.quality import sampling
from integrity_desk.quality.models import QaItem
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.sops import report, service
from integrity_desk.sops.service import ItemInput
from tests import factories as f
from tests.conftest import Person

CASE_IN: TypeAdapter[Any] = TypeAdapter(CaseIn)
OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
ITEMS = [ItemInput("history", "Checked the reviewer's other reviews for the same pattern",
                   required=True),
         ItemInput("evidence", "Compared the review with the order records", required=True),
         ItemInput("translate", "Translated the review if needed")]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _flag(s: Session, ref: str, who: User, opened: datetime, decided: datetime) -> Case:
    actor = actor_of(who)
    case = Intake(s, now=opened, actor=actor).submit(CASE_IN.validate_python(f.flag(ref))).case
    cases.claim(s, case, user=who, actor=actor, now=opened)
    service.tick_required(s, case, user=who, actor=actor, now=opened)
    decide(s, case, DecisionInput(guideline="fake", explanation="Checked.", facts="Read it.",
                                  outcome="no_action"), user=who, actor=actor, now=decided)
    cases.transition(s, case, action="close", actor_user=who, actor=actor, now=decided)
    return case


def _appeal(s: Session, contested: Case, who: User, outcome: AppealOutcome,
            when: datetime) -> None:
    actor = actor_of(who)
    appeal = Intake(s, now=when, actor=actor).submit(
        CASE_IN.validate_python(f.appeal(contested.key))).case
    cases.claim(s, appeal, user=who, actor=actor, now=when)
    decide_appeal(s, appeal, AppealDecisionInput(outcome=outcome, reasoning="Seen."),
                  user=who, actor=actor, now=when)


@pytest.fixture
def story(db: Database, make_person: Callable[..., Person]) -> dict[str, Person]:
    ana_p, mia_p = make_person("specialist"), make_person("manager")
    with db.session() as s:
        office = SlaCalendar(name="Berlin office", timezone="Europe/Berlin", hours=OFFICE)
        s.add(office)
        s.flush()
        s.execute(update(SlaPolicy).where(SlaPolicy.kind == "flag").values(
            first_response_minutes=60, resolution_minutes=480, calendar_id=office.id))
        ana, mia = s.get(User, ana_p.user.id), s.get(User, mia_p.user.id)
        assert ana and mia
        service.publish(s, "flag", title="Flags", body="v1", items=ITEMS, note="first",
                        actor=actor_of(mia), now=at(23, 7))
        a1 = _flag(s, "a1", ana, at(23, 8), at(23, 8, 30))
        a2 = _flag(s, "a2", ana, at(23, 9), at(23, 12))
        service.publish(s, "flag", title="Flags v2", body="v2", items=ITEMS[:1], note="less",
                        actor=actor_of(mia), now=at(23, 13))
        _flag(s, "b1", ana, at(23, 13, 30), at(23, 14))
        _appeal(s, a1, mia, AppealOutcome.OVERTURNED, at(24, 9))
        _appeal(s, a2, mia, AppealOutcome.UPHELD, at(24, 10))
        sampling.create_plan(s, {"name": "All", "rule": "share", "share": 1.0}, user=mia,
                             actor=actor_of(mia), now=at(25, 8))
        sampling.run_draw(s, now=at(25, 8))
        for item in s.scalars(select(QaItem).order_by(QaItem.id)):
            wrong = item.case_id == a1.id
            qa_review.review(s, item, reviewer=mia, dispute_days=7, feedback=None,
                             findings=[{"category": "wrong_action"}] if wrong else [],
                             actor=actor_of(mia), now=at(25, 9))
    return {"manager": mia_p}


def test_version_two_against_version_one(db: Database, story: dict[str, Person]) -> None:
    with db.session() as s:
        got = report.compare(s, "flag", 2, at(25, 10))
        assert got.previous is not None
        v2, v1 = got.version, got.previous
        assert (v1.sop.version, v1.cases, v2.sop.version, v2.cases) == (1, 2, 2, 1)
        m = Measure
        assert {k: (x.value, x.numerator, x.denominator) for k, x in v1.figures.items()} == {
            m.RESOLUTION_ATTAINMENT: (1.0, 2, 2), m.FIRST_RESPONSE_ATTAINMENT: (0.5, 1, 2),
            m.AHT: (105.0, 210.0, 2), m.OVERTURN_RATE: (0.5, 1, 2),
            m.QA_ACCURACY: (0.5, 1, 2)}
        assert {k: x.value for k, x in v2.figures.items()} == {
            m.RESOLUTION_ATTAINMENT: 1.0, m.FIRST_RESPONSE_ATTAINMENT: 1.0, m.AHT: 30.0,
            m.OVERTURN_RATE: None, m.QA_ACCURACY: 1.0}
        assert v2.figures[m.OVERTURN_RATE].no_data == (
            "no appeal against this version's decisions was decided")


def test_the_report_over_http(client: TestClient, story: dict[str, Person]) -> None:
    headers = story["manager"].headers
    body = client.get("/api/v1/sops/flag/compare?version=2", headers=headers).json()
    assert (body["version"]["version"], body["version"]["cases"]) == (2, 1)
    assert body["previous"]["figures"]["aht_minutes"]["value"] == 105.0
    assert body["version"]["figures"]["overturn_rate"]["value"] is None
    first = client.get("/api/v1/sops/flag/compare?version=1", headers=headers).json()
    assert first["previous"] is None and first["version"]["cases"] == 2
    current = client.get("/api/v1/sops/flag/compare", headers=headers).json()
    assert current["version"]["version"] == 2
    r = client.get("/api/v1/sops/flag/compare?version=7", headers=headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "version"
    r = client.get("/api/v1/sops/flag/compare?version=two", headers=headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "version"
