"""A person's working profile through the service and the API, on both databases: what they
work, their capacity and cases in hand, shifts and exceptions, availability and its record,
and who may see or change which."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM
from integrity_desk.db import Database, utcnow
from integrity_desk.errors import Conflict, DeskError, Forbidden, InvalidInput
from integrity_desk.people import schedule
from integrity_desk.people.models import AvailabilityChange, User
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"
ALWAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _refused(call: Callable[..., Any], **kwargs: Any) -> DeskError:
    with pytest.raises(DeskError) as caught:
        call(**kwargs)
    return caught.value


@pytest.mark.parametrize(("field", "value", "words"), [
    ("languages", ["Polish"], "not a language code"),
    ("kinds", ["appeal", "gossip"], "unknown case kind"),
    ("max_tier", 4, "tier is 1, 2 or 3"),
    ("capacity", 0, "capacity is 1 to 500"),
    ("time_zone", "Mars/Olympus", "not an IANA time zone"),
    ("shift_pattern", {"mon": [["17:00", "09:00"]]}, "the start comes before the end"),
    ("shift_pattern", {"someday": []}, "unknown day"),
    ("team", "Nobody", "no team named"),
    ("password", "x", "cannot change"),
])
def test_each_refused_change_names_its_field(db: Database, make_person: Callable[..., Person],
                                             field: str, value: Any, words: str) -> None:
    person = make_person("agent")
    with db.session() as s:
        user = s.get(User, person.user.id)
        error = _refused(schedule.update_person, session=s, actor=SYSTEM, user=user,
                         changes={field: value})
    assert isinstance(error, InvalidInput)
    assert error.field.startswith(field) and words in error.message


def test_a_change_is_stored_cleaned_and_audited_with_before_and_after(
        db: Database, make_person: Callable[..., Person], make_team: Callable[..., Any]) -> None:
    make_team("Desk")
    person = make_person("agent")
    with db.session() as s:
        user = s.get(User, person.user.id)
        schedule.update_person(s, actor=SYSTEM, user=user, changes={
            "languages": ["pl", "de", "pl"], "kinds": ["appeal"], "skills": [" fraud ", "legal"],
            "capacity": 5, "time_zone": "Europe/Warsaw", "team": "Desk",
            "shift_pattern": {"tue": [["13:00", "21:00"]], "mon": [["09:00", "17:00"]]}})
        # The same values again change nothing and record nothing.
        schedule.update_person(s, actor=SYSTEM, user=user, changes={"capacity": 5})
    with db.session() as s:
        user = s.get(User, person.user.id)
        assert (user.languages, user.kinds, user.skills) == (["de", "pl"], ["appeal"],
                                                              ["fraud", "legal"])
        assert user.capacity == 5 and user.team.name == "Desk"
        assert list(user.shift_pattern) == ["mon", "tue"]
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.kind == "person.changed")))
    assert len(events) == 1
    payload = json.loads(events[0].payload)
    assert payload["before"]["capacity"] is None and payload["after"]["capacity"] == 5


def test_availability_is_recorded_once_per_change(db: Database,
                                                  make_person: Callable[..., Person]) -> None:
    person = make_person("agent")
    start = utcnow()
    with db.session() as s:
        user = s.get(User, person.user.id)
        schedule.set_availability(s, actor=SYSTEM, person=user, status="away", now=start,
                                  reason="lunch")
        assert schedule.set_availability(s, actor=SYSTEM, person=user, status="away",
                                         now=start) is None
        schedule.set_availability(s, actor=SYSTEM, person=user, status="available",
                                  now=start + timedelta(minutes=30))
        error = _refused(schedule.set_availability, session=s, actor=SYSTEM, person=user,
                         status="asleep", now=start)
        assert error.field == "availability"
    with db.session() as s:
        rows = [(c.previous, c.status, c.reason) for c in s.scalars(
            select(AvailabilityChange).order_by(AvailabilityChange.id))]
        assert rows == [("available", "away", "lunch"), ("away", "available", None)]
        assert s.get(User, person.user.id).availability == "available"


def test_readiness_names_every_reason_a_person_cannot_take_work(
        db: Database, client: TestClient, make_person: Callable[..., Person]) -> None:
    person = make_person("specialist")
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)  # a Monday
    with db.session() as s:
        ready = schedule.readiness(s, s.get(User, person.user.id), now)
        assert ready.ready and ready.free is None and ready.reasons == []
    created = client.post(f"{API}/cases", json=f.flag(), headers=person.headers)
    key = created.json()["case"]["key"]
    claimed = client.post(f"{API}/cases/{key}/claim", headers=person.headers)
    assert claimed.status_code == 200, claimed.text
    with db.session() as s:
        user = s.get(User, person.user.id)
        schedule.update_person(s, actor=SYSTEM, user=user, changes={
            "capacity": 1, "shift_pattern": {"sat": [["09:00", "17:00"]]}})
        schedule.set_availability(s, actor=SYSTEM, person=user, status="away", now=now)
    with db.session() as s:
        ready = schedule.readiness(s, s.get(User, person.user.id), now)
    assert not ready.ready and ready.free == 0
    assert ready.reasons == ["away", "off shift (next shift Sat 12 Dec 09:00)",
                             "at capacity: 1 of 1 cases in hand"]


def test_exceptions_are_added_listed_and_cancelled_until_they_are_over(
        db: Database, make_person: Callable[..., Person]) -> None:
    person = make_person("agent")
    now = utcnow()
    with db.session() as s:
        user = s.get(User, person.user.id)
        error = _refused(schedule.add_exception, session=s, actor=SYSTEM, person=user,
                         kind="leave", starts_at=now, ends_at=now)
        assert error.field == "ends_at"
        error = _refused(schedule.add_exception, session=s, actor=SYSTEM, person=user,
                         kind="holiday", starts_at=now, ends_at=now + timedelta(days=1))
        assert error.field == "kind"
        past = schedule.add_exception(s, actor=SYSTEM, person=user, kind="sick",
                                      starts_at=now - timedelta(days=3),
                                      ends_at=now - timedelta(days=2))
        coming = schedule.add_exception(s, actor=SYSTEM, person=user, kind="leave",
                                        starts_at=now + timedelta(days=1),
                                        ends_at=now + timedelta(days=8), note="holiday")
        listed = schedule.exceptions_of(s, [user.id], ending_after=now)[user.id]
        assert [e.id for e in listed] == [coming.id]
        error = _refused(schedule.cancel_exception, session=s, actor=SYSTEM, person=user,
                         exception_id=past.id, now=now)
        assert isinstance(error, Conflict)
        schedule.cancel_exception(s, actor=SYSTEM, person=user, exception_id=coming.id, now=now)
        assert schedule.exceptions_of(s, [user.id], ending_after=now)[user.id] == []


def test_only_the_person_or_a_manager_changes_availability(
        make_person: Callable[..., Person]) -> None:
    agent, other = make_person("agent").user, make_person("agent").user
    schedule.may_change_availability(agent, agent, manages=False)
    schedule.may_change_availability(other, agent, manages=True)
    with pytest.raises(Forbidden):
        schedule.may_change_availability(other, agent, manages=False)


def test_the_api_round_trip(client: TestClient, manager: Person,
                           make_person: Callable[..., Person],
                           make_team: Callable[..., Any]) -> None:
    make_team("Desk")
    agent = make_person("agent", email="ana@desk.example.com")
    url = f"{API}/people/{agent.user.id}"
    changed = client.patch(url, headers=manager.headers, json={
        "capacity": 4, "languages": ["pt"], "kinds": ["appeal"], "skills": ["fraud"],
        "team": "Desk", "time_zone": "Europe/Lisbon", "shift_pattern": ALWAYS})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["capacity"] == 4 and body["weekly_hours"] == 168 and body["on_shift"]
    assert body["team"] == "Desk" and body["ready"] and body["in_hand"] == 0
    refused = client.patch(url, headers=manager.headers, json={"capacity": 0})
    assert refused.status_code == 422 and "capacity" in refused.text
    refused = client.patch(url, headers=manager.headers, json={"time_zone": "Nowhere"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "time_zone"

    # The agent sets themselves away; the record and the reasons follow.
    away = client.put(f"{url}/availability", headers=agent.headers,
                      json={"availability": "away", "reason": "coffee"})
    assert away.status_code == 200, away.text
    assert away.json()["reasons"] == ["away"]
    assert away.json()["availability_history"][0]["reason"] == "coffee"

    start = datetime.now(UTC) - timedelta(hours=1)
    added = client.post(f"{url}/exceptions", headers=manager.headers, json={
        "kind": "leave", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=2)).isoformat()})
    assert added.status_code == 201, added.text
    naive = client.post(f"{url}/exceptions", headers=manager.headers, json={
        "kind": "leave", "starts_at": "2026-12-24T00:00", "ends_at": "2026-12-26T00:00"})
    assert naive.status_code == 422 and "starts_at" in naive.text
    shown = client.get(url, headers=agent.headers).json()
    assert not shown["on_shift"] and shown["shift"].startswith("on leave until")
    assert [e["kind"] for e in shown["exceptions"]] == ["leave"]

    listed = client.get(f"{API}/people", headers=manager.headers, params={"team": "Desk"})
    assert [p["email"] for p in listed.json()] == ["ana@desk.example.com"]
    unknown = client.get(f"{API}/people", headers=manager.headers, params={"vendor": "Nope"})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "vendor"

    gone = client.delete(f"{url}/exceptions/{added.json()['id']}", headers=manager.headers)
    assert gone.status_code == 204
    assert client.get(url, headers=manager.headers).json()["exceptions"] == []


def test_a_person_sees_only_themselves_and_changes_only_their_availability(
        client: TestClient, make_person: Callable[..., Person]) -> None:
    agent, other = make_person("agent"), make_person("agent")
    assert client.get(f"{API}/people/{agent.user.id}", headers=agent.headers).status_code == 200
    assert client.get(f"{API}/people/{other.user.id}", headers=agent.headers).status_code == 404
    put = client.put(f"{API}/people/{other.user.id}/availability", headers=agent.headers,
                     json={"availability": "off"})
    assert put.status_code == 404
    assert client.get(f"{API}/people", headers=agent.headers).status_code == 403
    assert client.patch(f"{API}/people/{agent.user.id}", headers=agent.headers,
                        json={"capacity": 50}).status_code == 403


def test_the_profile_lists_only_the_certifications_held_now(
        db: Database, client: TestClient, manager: Person,
        make_person: Callable[..., Person]) -> None:
    from integrity_desk.people import certifications

    agent = make_person("agent")
    now = utcnow()
    with db.session() as s:
        user = s.get(User, agent.user.id)
        certifications.grant(s, user=user, name="dsa-legal", source="manager", actor=SYSTEM,
                             now=now - timedelta(days=2), expires_at=now + timedelta(days=30))
        certifications.grant(s, user=user, name="old-sop", source="manager", actor=SYSTEM,
                             now=now - timedelta(days=9), expires_at=now - timedelta(days=1))
        certifications.grant(s, user=user, name="fraud-101", source="manager", actor=SYSTEM,
                             now=now - timedelta(days=5))
        certifications.revoke(s, user=user, name="fraud-101", reason="Failed QA.",
                              actor=SYSTEM, now=now - timedelta(hours=1))
    shown = client.get(f"{API}/people/{agent.user.id}", headers=manager.headers).json()
    assert [c["name"] for c in shown["certifications"]] == ["dsa-legal"]
