"""SLA clocks of real cases: the team's (or the policy's) calendar, pauses, legal deadlines,
and the policy and calendar API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.people.models import Team
from integrity_desk.people.service import actor_of
from integrity_desk.routing.models import Queue
from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import SlaState
from integrity_desk.sla.models import SlaCalendar, SlaPolicy
from integrity_desk.sla.service import resolution_state
from tests import factories as f

API = "/api/v1"
CPH = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
_case_in: TypeAdapter[Any] = TypeAdapter(CaseIn)


def cph(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)


# Thursday 5 March 2026, 10:00 in Copenhagen (UTC+1; no DST change nearby).
THU_10 = cph(2026, 3, 5, 10)


@pytest.fixture
def office(db: Database) -> None:
    """Every queue worked by a team on a 09:00-17:00 weekday calendar; every policy 60/960."""
    with db.session() as s:
        cal = SlaCalendar(name="Copenhagen office", timezone="Europe/Copenhagen",
                          hours={d: [["09:00", "17:00"]] for d in WEEKDAYS})
        s.add(cal)
        s.flush()
        team = Team(name="Escalations", calendar_id=cal.id)
        s.add(team)
        s.flush()
        s.execute(update(Queue).values(team_id=team.id))
        s.execute(update(SlaPolicy).values(first_response_minutes=60, resolution_minutes=960,
                                           at_risk_fraction=0.25, calendar_id=None))


def _intake(db: Database, body: dict[str, Any], now: datetime) -> int:
    with db.session() as s:
        outcome = Intake(s, now=now, actor=SYSTEM).submit(_case_in.validate_python(body))
        assert outcome.created
        return outcome.case.id


def _case(db: Database, case_id: int) -> Case:
    with db.session() as s:
        return s.get(Case, case_id)


def _act(db: Database, case_id: int, person: Any, now: datetime, *actions: str) -> Case:
    with db.session() as s:
        case = s.get(Case, case_id)
        actor = actor_of(person.user)
        for action in actions:
            if action == "claim":
                cases.claim(s, case, user=person.user, actor=actor, now=now)
            else:
                cases.transition(s, case, action=action, actor_user=person.user, actor=actor,
                                 now=now, reason="waiting for the receipt")
        return case


def test_new_case_is_due_in_working_time_of_its_team_calendar(db, office):
    case = _case(db, _intake(db, f.flag(), THU_10))
    assert case.first_response_due_at == cph(2026, 3, 5, 11)
    assert case.first_response_at_risk_at == cph(2026, 3, 5, 10, 45)
    # 960 working minutes: 420 on Thursday, 480 on Friday, 60 on Monday.
    assert case.resolution_due_at == cph(2026, 3, 9, 10)
    # At risk once 25 % (240 min) is left: 420 + 300 → Friday 14:00.
    assert case.resolution_at_risk_at == cph(2026, 3, 6, 14)
    assert case.sla_policy_id is not None


def test_case_opened_out_of_hours_starts_counting_at_the_next_opening(db, office):
    case = _case(db, _intake(db, f.flag(), cph(2026, 3, 7, 13)))  # Saturday
    assert case.first_response_due_at == cph(2026, 3, 9, 10)  # Monday 09:00 + 60
    assert case.resolution_due_at == cph(2026, 3, 10, 17)  # Monday 480 + Tuesday 480


def test_pause_over_the_weekend_moves_due_by_the_paused_working_time(db, office, specialist):
    case_id = _intake(db, f.flag(), THU_10)
    _act(db, case_id, specialist, cph(2026, 3, 5, 10, 20), "claim", "start")
    paused = _act(db, case_id, specialist, cph(2026, 3, 6, 16), "wait_on_requester")
    assert paused.sla_paused_at == cph(2026, 3, 6, 16)
    assert resolution_state(paused, now=cph(2026, 3, 9, 12)) == SlaState.PAUSED

    resumed = _act(db, case_id, specialist, cph(2026, 3, 9, 11), "resume")
    # Paused: Friday 16:00-17:00 and Monday 09:00-11:00 = 180 working minutes (the weekend and
    # the nights do not count). Due was Monday 10:00; 180 working minutes later is 13:00.
    assert resumed.sla_paused_minutes == 180
    assert resumed.sla_paused_at is None
    assert resumed.resolution_due_at == cph(2026, 3, 9, 13)
    # Instants already reached when the clock paused stay put.
    assert resumed.resolution_at_risk_at == cph(2026, 3, 6, 14)
    assert resumed.first_response_due_at == cph(2026, 3, 5, 11)
    assert resumed.first_responded_at == cph(2026, 3, 5, 10, 20)
    stored = _case(db, case_id)
    assert (stored.resolution_due_at, stored.sla_paused_minutes) == (cph(2026, 3, 9, 13), 180)


def test_two_pauses_add_up(db, office, specialist):
    case_id = _intake(db, f.flag(), THU_10)
    _act(db, case_id, specialist, cph(2026, 3, 5, 10, 20), "claim", "start")
    _act(db, case_id, specialist, cph(2026, 3, 5, 16), "wait_on_requester")
    _act(db, case_id, specialist, cph(2026, 3, 6, 10), "resume")  # 60 + 60 minutes
    _act(db, case_id, specialist, cph(2026, 3, 6, 15, 30), "wait_on_requester")
    case = _act(db, case_id, specialist, cph(2026, 3, 9, 9, 30), "resume")  # 90 + 30 minutes
    assert case.sla_paused_minutes == 240
    assert case.resolution_due_at == cph(2026, 3, 9, 14)  # Monday 10:00 + 240 working minutes


def test_legal_deadline_caps_resolution_and_does_not_pause(db, office, manager):
    deadline = cph(2026, 3, 6, 15)  # Friday 15:00, before the calendar's Monday 10:00
    case_id = _intake(db, f.legal(deadline=deadline.isoformat()), THU_10)
    case = _case(db, case_id)
    assert case.legal_deadline == deadline
    assert case.resolution_due_at == deadline
    assert case.resolution_at_risk_at == cph(2026, 3, 6, 14)
    assert case.first_response_due_at == cph(2026, 3, 5, 11)

    _act(db, case_id, manager, cph(2026, 3, 5, 10, 30), "claim", "start")
    _act(db, case_id, manager, cph(2026, 3, 5, 15), "wait_on_requester")
    case = _act(db, case_id, manager, cph(2026, 3, 6, 11), "resume")
    assert case.sla_paused_minutes == 240  # counted all the same
    assert case.resolution_due_at == deadline  # a court does not wait for our requester
    assert case.resolution_at_risk_at <= deadline
    assert _case(db, case_id).legal_deadline == deadline


def test_policy_calendar_beats_the_team_calendar(client, db, office, manager, specialist):
    evening = {"name": "Evening desk", "timezone": "Europe/Lisbon",
               "hours": {d: [["20:00", "22:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    r = client.put(f"{API}/sla/calendars", json=evening, headers=manager.headers)
    assert r.status_code == 200, r.text
    for priority in range(5):
        r = client.put(f"{API}/sla/policies", headers=manager.headers, json={
            "kind": "flag", "priority": priority, "first_response_minutes": 30,
            "resolution_minutes": 240, "at_risk_fraction": 0.5, "calendar": "Evening desk"})
        assert r.status_code == 200, r.text
    r = client.post(f"{API}/cases", json=f.flag(), headers=specialist.headers)
    assert r.status_code == 201, r.text
    case = _case(db, int(r.json()["case"]["key"].split("-")[1]))
    cal = BusinessCalendar.from_config(timezone="Europe/Lisbon", hours=evening["hours"])
    assert case.first_response_due_at == cal.add(case.triaged_at, 30)
    assert case.resolution_due_at == cal.add(case.triaged_at, 240)
    assert case.resolution_at_risk_at == cal.add(case.triaged_at, 120)
    local = case.resolution_due_at.astimezone(ZoneInfo("Europe/Lisbon"))
    assert (local.hour, local.minute) in {(h, m) for h in (20, 21) for m in range(60)} | {(22, 0)}
    # Two whole evenings of 120 minutes: at least a day later, at most three.
    assert timedelta(hours=20) < case.resolution_due_at - case.triaged_at < timedelta(days=3)

    listed = client.get(f"{API}/sla/policies", headers=specialist.headers).json()
    flag_p0 = next(p for p in listed if p["kind"] == "flag" and p["priority"] == 0)
    assert flag_p0["calendar"] == "Evening desk"


def test_edited_calendar_applies_to_new_cases(client, db, manager):
    body = {"name": "Copenhagen office", "timezone": "Europe/Copenhagen",
            "hours": {d: [["09:00", "17:00"]] for d in WEEKDAYS}}
    # A first case on the 9-17 calendar, then the office opens at 12:00 instead.
    with db.session() as s:
        cal = SlaCalendar(name=body["name"], timezone=body["timezone"], hours=body["hours"])
        s.add(cal)
        s.flush()
        s.execute(update(SlaPolicy).values(first_response_minutes=60, resolution_minutes=960,
                                           calendar_id=cal.id))
    first = _case(db, _intake(db, f.flag(ref="r1"), THU_10))
    later = {**body, "hours": {d: [["12:00", "17:00"]] for d in WEEKDAYS}}
    r = client.put(f"{API}/sla/calendars", json=later, headers=manager.headers)
    assert r.status_code == 200, r.text
    second = _case(db, _intake(db, f.flag(ref="r2"), THU_10))
    assert first.first_response_due_at == cph(2026, 3, 5, 11)
    assert second.first_response_due_at == cph(2026, 3, 5, 13)


# -- API validation -----------------------------------------------------------------------------

@pytest.mark.parametrize(("over", "message"), [
    ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
    ({"hours": {"mon": [["17:00", "09:00"]]}}, "end must be after start"),
    ({"hours": {"funday": [["09:00", "17:00"]]}}, "unknown day 'funday'"),
    ({"hours": {"mon": [["9am", "17:00"]]}}, "invalid time '9am'"),
    ({"holiday_country": "XX"}, "unknown holiday country"),
    ({"holiday_subdivision": "BY"}, "needs holiday_country"),
    ({"extra_holidays": ["2026-02-30"]}, "2026-02-30"),
])
def test_bad_calendars_are_refused(client, db, manager, over, message):
    body = {"name": "Bad", "timezone": "UTC", **over}
    r = client.put(f"{API}/sla/calendars", json=body, headers=manager.headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == "calendar"
    assert message in error["message"]
    with db.session() as s:
        assert s.scalar(select(SlaCalendar).where(SlaCalendar.name == "Bad")) is None


POLICY = {"kind": "appeal", "priority": 2, "first_response_minutes": 60,
          "resolution_minutes": 600}


@pytest.mark.parametrize(("over", "field"), [
    ({"calendar": "Nowhere"}, "calendar"),
    ({"first_response_minutes": 601}, "first_response_minutes"),
    ({"first_response_minutes": 0}, "first_response_minutes"),
    ({"at_risk_fraction": 1}, "at_risk_fraction"),
    ({"kind": "rumour"}, "kind"),
    ({"priority": 5}, "priority"),
    ({"surprise": True}, "surprise"),
])
def test_bad_policies_are_refused(client, manager, over, field):
    r = client.put(f"{API}/sla/policies", json={**POLICY, **over}, headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_only_managers_change_sla_configuration(client, specialist):
    r = client.put(f"{API}/sla/policies", json=POLICY, headers=specialist.headers)
    assert r.status_code == 403
    r = client.put(f"{API}/sla/calendars", json={"name": "x"}, headers=specialist.headers)
    assert r.status_code == 403
    assert [c["name"] for c in client.get(f"{API}/sla/calendars",
                                          headers=specialist.headers).json()] == ["24/7"]


def test_policy_change_is_audited_with_before_and_after(client, db, manager):
    r = client.put(f"{API}/sla/policies", json=POLICY, headers=manager.headers)
    assert r.status_code == 200, r.text
    with db.session() as s:
        policy = s.scalar(select(SlaPolicy).where(SlaPolicy.kind == "appeal",
                                                  SlaPolicy.priority == 2))
        assert (policy.first_response_minutes, policy.resolution_minutes) == (60, 600)
        ev = s.scalar(select(AuditEvent).where(AuditEvent.chain_key == "config"))
    assert ev.kind == "sla.policy_changed"
    payload = json.loads(ev.payload)
    assert payload["before"]["first_response_minutes"] == 24 * 60  # the default for appeals
    assert payload["after"]["resolution_minutes"] == 600
