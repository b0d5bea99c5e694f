"""Every KPI of one hand-built week, 2026-W13 (Mon 23 – Sun 29 March 2026), worked out by hand.

The week ends across a weekend and the EU's change to summer time (Sun 29 March, 01:00 UTC:
Berlin goes from UTC+1 to UTC+2). Flags are on an SLA calendar of 09:00–17:00 Berlin time,
Monday to Friday: 08:00–16:00 UTC in W13, 07:00–15:00 UTC from Monday 30 March. Their targets:
first response 60 working minutes, resolution 480 (8 working hours).

People: Ana (specialist, in-house team "Trust Ops", shifts 09:00–17:00 Berlin Mon–Fri),
Ben (specialist, team "Acme Squad" of vendor Acme, not scheduled), Mia (manager, decides
appeals). The story, in UTC:

* C1 flag: Mon 08:00 created, Ana claims; 08:30 starts (first response, 30 min); 12:00
  decided (4 working h) and closed. Wed 10:00 reopened (clock restarts), Ana claims; 11:00
  decided (1 h) and closed.
* C5 flag: Mon 15:00 created (16:00 Berlin). Ben claims Tue 09:00; decides and closes Tue
  16:30 (17:30 Berlin): 60 + 480 = 540 working minutes > 480, and first response at 16:30:
  breached both.
* C4 flag: Tue 08:00 created, Ana claims; decided and closed Tue 10:00 (first response at the
  decision: 120 min > 60, breached; resolution 2 h, met).
* AP1 appeal against C4 (Ana's, guideline fake): Wed 08:00 filed, Mia claims; Thu 08:00
  overturned, closed. AP2 appeal against C5 (Ben's, guideline offensive_language): Wed 08:30
  filed, Mia claims; Thu 09:00 upheld, closed.
* Ana: on leave all Thursday; away Fri 08:00–10:00.
* C2 flag: Fri 14:00 created (15:00 Berlin), Ben claims; 14:30 starts (first response 30 min);
  15:00 waits on the requester (clock paused over the weekend and the DST change); Mon 30
  09:00 resumes (11:00 Berlin); 14:00 decided: on the clock 1 h Friday + 5 h Monday = 6 h, met
  (9 h without the pause: breached). Resolved in W14, not W13.
* C3 flag: Sat 10:00 created; nobody takes it in W13.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.decisions.appeals import AppealDecisionInput, AppealOutcome, decide_appeal
from integrity_desk.decisions.service import DecisionInput, decide
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.kpis import rollup
from integrity_desk.kpis import service as kpis
from integrity_desk.kpis.domain import Dimension, Measure, parse_period
from integrity_desk.kpis.models import KpiDay
from integrity_desk.people import schedule
from integrity_desk.people.models import Team, User, Vendor
from integrity_desk.people.service import actor_of
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from tests import factories as f
from tests.conftest import Person

CASE_IN: TypeAdapter[Any] = TypeAdapter(CaseIn)
M = Measure
W13 = parse_period("2026-W13")
OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


class Desk:
    def __init__(self, s: Session) -> None:
        self.s = s

    def open(self, body: dict[str, Any], when: datetime, by: User) -> Case:
        outcome = Intake(self.s, now=when, actor=actor_of(by)).submit(
            CASE_IN.validate_python(body))
        assert outcome.created
        return outcome.case

    def claim(self, case: Case, who: User, when: datetime) -> None:
        cases.claim(self.s, case, user=who, actor=actor_of(who), now=when)

    def move(self, case: Case, who: User, action: str, when: datetime,
             reason: str | None = None) -> None:
        cases.transition(self.s, case, action=action, actor_user=who, actor=actor_of(who),
                         now=when, reason=reason)

    def decide(self, case: Case, who: User, when: datetime, guideline: str = "fake") -> None:
        decide(self.s, case, DecisionInput(guideline=guideline, explanation="Checked.",
                                           facts="Read it.", outcome="no_action"),
               user=who, actor=actor_of(who), now=when)

    def appeal(self, contested: Case, who: User, when: datetime) -> Case:
        appeal = self.open(f.appeal(contested.key), when, who)
        self.claim(appeal, who, when)
        return appeal

    def rule(self, appeal: Case, who: User, outcome: AppealOutcome, when: datetime) -> None:
        decide_appeal(self.s, appeal, AppealDecisionInput(outcome=outcome, reasoning="Seen."),
                      user=who, actor=actor_of(who), now=when)
        self.move(appeal, who, "close", when)

    def roll(self, when: datetime) -> None:
        rollup.run(self.s, now=when)


def _week(db: Database, make_person: Callable[..., Person], make_team: Callable[..., Team]
          ) -> dict[str, Any]:
    ops = make_team("Trust Ops")
    squad = make_team("Acme Squad", kind="vendor")
    ana_p, ben_p, mia_p = (make_person("specialist", team=ops),
                           make_person("specialist", team=squad), make_person("manager"))
    with db.session() as s:
        acme = Vendor(name="Acme")
        s.add(acme)
        s.flush()
        s.execute(update(Team).where(Team.id == squad.id).values(vendor_id=acme.id))
        office = SlaCalendar(name="Berlin office", timezone="Europe/Berlin", hours=OFFICE)
        s.add(office)
        s.flush()
        s.execute(update(SlaPolicy).where(SlaPolicy.kind == "flag").values(
            first_response_minutes=60, resolution_minutes=480, calendar_id=office.id))
        ana, ben, mia = (s.get(User, p.user.id) for p in (ana_p, ben_p, mia_p))
        assert ana and ben and mia
        ana.shift_pattern, ana.time_zone = OFFICE, "Europe/Berlin"
        s.flush()
        d = Desk(s)
        # Monday 23
        c1 = d.open(f.flag("c1"), at(23, 8), ana)
        d.claim(c1, ana, at(23, 8))
        d.move(c1, ana, "start", at(23, 8, 30))
        d.decide(c1, ana, at(23, 12))
        d.move(c1, ana, "close", at(23, 12))
        c5 = d.open(f.flag("c5"), at(23, 15), ben)
        d.roll(at(24, 0, 10))
        # Tuesday 24
        c4 = d.open(f.flag("c4"), at(24, 8), ana)
        d.claim(c4, ana, at(24, 8))
        d.decide(c4, ana, at(24, 10))
        d.move(c4, ana, "close", at(24, 10))
        d.claim(c5, ben, at(24, 9))
        d.decide(c5, ben, at(24, 16, 30), guideline="offensive_language")
        d.move(c5, ben, "close", at(24, 16, 30))
        d.roll(at(25, 0, 10))
        # Wednesday 25: the reopen changes Monday's reopen count, days after it was rolled up.
        ap1 = d.appeal(c4, mia, at(25, 8))
        ap2 = d.appeal(c5, mia, at(25, 8, 30))
        d.move(c1, ana, "reopen", at(25, 10), reason="The owner sent new evidence.")
        d.claim(c1, ana, at(25, 10))
        d.decide(c1, ana, at(25, 11))
        d.move(c1, ana, "close", at(25, 11))
        d.roll(at(26, 0, 10))
        # Thursday 26: Ana on leave.
        schedule.add_exception(s, actor=SYSTEM, person=ana, kind="leave",
                               starts_at=at(26, 0), ends_at=at(27, 0))
        d.rule(ap1, mia, AppealOutcome.OVERTURNED, at(26, 8))
        d.rule(ap2, mia, AppealOutcome.UPHELD, at(26, 9))
        # Friday 27
        schedule.set_availability(s, actor=SYSTEM, person=ana, status="away", now=at(27, 8))
        schedule.set_availability(s, actor=SYSTEM, person=ana, status="available",
                                  now=at(27, 10))
        c2 = d.open(f.flag("c2"), at(27, 14), ben)
        d.claim(c2, ben, at(27, 14))
        d.move(c2, ben, "start", at(27, 14, 30))
        d.move(c2, ben, "wait_on_requester", at(27, 15), reason="Asked for the invoice.")
        d.roll(at(28, 0, 10))
        # Saturday 28
        d.open(f.flag("c3"), at(28, 10), ana)
        # Monday 30, 00:30: the week's backlog seen live.
        d.roll(at(30, 0, 30))
        d.move(c2, ben, "resume", at(30, 9))
        d.decide(c2, ben, at(30, 14))
        d.roll(at(30, 14, 5))
        return {"ana": ana.id, "ben": ben.id, "mia": mia.id, "ops": ops.id, "acme": acme.id,
                "manager": mia}


@pytest.fixture
def week(db: Database, make_person: Callable[..., Person],
         make_team: Callable[..., Team]) -> dict[str, Any]:
    return _week(db, make_person, make_team)


def _figures(db: Database, viewer: User, dimension: Dimension, key: str,
             period: Any = W13) -> dict[Measure, Any]:
    with db.session() as s:
        table = kpis.table(s, viewer=viewer, period=period, dimension=dimension,
                           now=at(30, 15))
        row = table.row(key)
        assert row is not None, [r.key for r in table.rows]
        return {m: f.value for m, f in row.figures.items()}


def test_the_whole_desk_in_w13(db: Database, week: dict[str, Any]) -> None:
    got = _figures(db, week["manager"], Dimension.DESK, "all")
    # Created: C1, C5 (Mon), C4 (Tue), AP1, AP2 (Wed), C2 (Fri), C3 (Sat).
    assert got[M.INFLOW] == 7
    # Closed: C1 (Mon), C4, C5 (Tue), C1 again (Wed), AP1, AP2 (Thu).
    assert got[M.OUTFLOW] == 6
    assert got[M.NET_FLOW] == 1
    # Of the six closures, C1's Monday one was reopened (Wed, within 30 days).
    assert got[M.REOPEN_RATE] == pytest.approx(1 / 6)
    # Appeals decided: AP1 overturned, AP2 upheld.
    assert got[M.OVERTURN_RATE] == pytest.approx(1 / 2)
    # Backlog at Mon 30 00:00: C2 (open since Fri 14:00: 58 h) and C3 (Sat 10:00: 38 h).
    assert got[M.BACKLOG] == 2
    assert got[M.BACKLOG_AGE_P50] == pytest.approx(38)  # nearest rank: the 1st of 2
    assert got[M.BACKLOG_AGE_P90] == pytest.approx(58)  # the 2nd of 2
    assert got[M.BACKLOG_AGE_MAX] == pytest.approx(58)
    # On the SLA clock: C2 ran Fri 15:00–16:00 Berlin and paused; C3 has seen no working
    # minute (a weekend).
    assert got[M.SLA_AGE_P50] == pytest.approx(0)
    assert got[M.SLA_AGE_MAX] == pytest.approx(1)
    assert got[M.QA_ACCURACY] is None  # "no data" until QA exists, never 0 or 100 %


def test_flags_sla_attainment_in_w13(db: Database, week: dict[str, Any]) -> None:
    got = _figures(db, week["manager"], Dimension.KIND, "flag")
    # Resolved in W13: C1 (Mon, 4 h), C4 (Tue, 2 h), C5 (Tue, 9 working h), C1 (Wed, 1 h).
    # C2's resolution (Mon 30, 6 h on the clock thanks to the pause) belongs to W14.
    assert got[M.RESOLUTION_ATTAINMENT] == pytest.approx(3 / 4)
    # First responses: C1 30 min (met; the reopened C1 keeps it), C4 and C5 answered only by
    # their decisions (2 h and a day: breached).
    assert got[M.FIRST_RESPONSE_ATTAINMENT] == pytest.approx(2 / 4)
    assert got[M.INFLOW] == 5
    assert got[M.OUTFLOW] == 4
    assert got[M.REOPEN_RATE] == pytest.approx(1 / 4)


def test_the_pause_across_the_weekend_and_dst_keeps_c2_within_its_sla(
        db: Database, week: dict[str, Any]) -> None:
    got = _figures(db, week["manager"], Dimension.KIND, "flag", parse_period("2026-W14"))
    assert got[M.RESOLUTION_ATTAINMENT] == 1.0  # 6 h ≤ 8 h on the clock (9 h without pause)
    assert got[M.FIRST_RESPONSE_ATTAINMENT] == 1.0  # 30 min


def test_handling_time_per_person_in_w13(db: Database, week: dict[str, Any]) -> None:
    ana = _figures(db, week["manager"], Dimension.PERSON, str(week["ana"]))
    ben = _figures(db, week["manager"], Dimension.PERSON, str(week["ben"]))
    mia = _figures(db, week["manager"], Dimension.PERSON, str(week["mia"]))
    # Ana: C1 4 h + C4 2 h + C1 1 h, three cases handled → 140 minutes.
    assert ana[M.AHT] == pytest.approx(140)
    # Ben: C5 7.5 h (Tue 09:00–16:30) and C2 held from Fri 14:00 to the week's end (58 h);
    # one case handled in W13 → 65.5 h = 3930 minutes.
    assert ben[M.AHT] == pytest.approx(3930)
    # Mia: AP1 24 h, AP2 24.5 h, two handled → 1455 minutes.
    assert mia[M.AHT] == pytest.approx(1455)


def test_occupancy_of_ana_in_w13(db: Database, week: dict[str, Any]) -> None:
    got = _figures(db, week["manager"], Dimension.PERSON, str(week["ana"]))
    # On shift 5 × 8 h = 40 h, less Thursday's leave (8 h) and Friday's 2 h away = 30 h
    # available or busy. Busy (holding a case, on shift): Mon 08:00–12:00, Tue 08:00–10:00,
    # Wed 10:00–11:00 = 7 h. Occupancy = 7 ÷ (7 + 23).
    assert got[M.OCCUPANCY] == pytest.approx(7 / 30)


def test_overturns_go_to_the_original_decider_their_team_vendor_and_guideline(
        db: Database, week: dict[str, Any]) -> None:
    viewer = week["manager"]
    assert _figures(db, viewer, Dimension.PERSON, str(week["ana"]))[M.OVERTURN_RATE] == 1.0
    assert _figures(db, viewer, Dimension.PERSON, str(week["ben"]))[M.OVERTURN_RATE] == 0.0
    assert _figures(db, viewer, Dimension.TEAM, str(week["ops"]))[M.OVERTURN_RATE] == 1.0
    assert _figures(db, viewer, Dimension.VENDOR, str(week["acme"]))[M.OVERTURN_RATE] == 0.0
    assert _figures(db, viewer, Dimension.VENDOR, "internal")[M.OVERTURN_RATE] == 1.0
    assert _figures(db, viewer, Dimension.GUIDELINE, "fake")[M.OVERTURN_RATE] == 1.0
    assert _figures(db, viewer, Dimension.GUIDELINE,
                    "offensive_language")[M.OVERTURN_RATE] == 0.0
    # An open case cites no guideline yet: no backlog by guideline, and it says so.
    with db.session() as s:
        fake = kpis.table(s, viewer=viewer, period=W13, dimension=Dimension.GUIDELINE,
                          now=at(30, 15)).row("fake")
        assert fake is not None
        assert fake.figures[M.BACKLOG].no_data == "the backlog is not kept by guideline"
        assert fake.figures[M.BACKLOG_AGE_P90].no_data == "the backlog is not kept by guideline"


def test_the_incremental_rollup_equals_a_rebuild_from_scratch(
        db: Database, week: dict[str, Any]) -> None:
    def stored(s: Session) -> set[tuple[Any, ...]]:
        counts = [c for c in KpiDay.__table__.columns if not c.name.startswith("sla_age")]
        return {tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in s.execute(select(*counts))}

    with db.session() as s:
        incremental = stored(s)
        rollup.run(s, now=at(30, 14, 5), rebuild=True)
        rebuilt = stored(s)
        assert sorted(rebuilt - incremental) == sorted(incremental - rebuilt)
