"""SLA targets are bounded: at most one year of working minutes, refused beyond it by the API,
and held within it by the clock when a row was set beyond it some other way."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from integrity_desk.sla.calendar import BusinessCalendar
from integrity_desk.sla.clock import MAX_TARGET_MINUTES, SlaTarget, start_clock
from integrity_desk.sla.models import SlaPolicy
from tests import factories as f

API = "/api/v1"
POLICY = {"kind": "flag", "priority": 2, "first_response_minutes": 60,
          "resolution_minutes": 600}


@pytest.mark.parametrize(("over", "field"), [
    ({"resolution_minutes": MAX_TARGET_MINUTES + 1}, "resolution_minutes"),
    ({"first_response_minutes": 10**9, "resolution_minutes": 10**9}, "first_response_minutes"),
    ({"resolution_minutes": 2**63 - 1}, "resolution_minutes"),
])
def test_a_target_beyond_one_year_is_refused(client, manager, over, field):
    r = client.put(f"{API}/sla/policies", json={**POLICY, **over}, headers=manager.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_a_target_of_exactly_one_year_is_taken(client, manager):
    body = {**POLICY, "first_response_minutes": MAX_TARGET_MINUTES,
            "resolution_minutes": MAX_TARGET_MINUTES}
    r = client.put(f"{API}/sla/policies", json=body, headers=manager.headers)
    assert r.status_code == 200, r.text


def test_the_clock_refuses_an_unbounded_target():
    with pytest.raises(ValueError, match="resolution_minutes"):
        SlaTarget(first_response_minutes=60, resolution_minutes=10**9)


def test_a_policy_row_beyond_the_bound_cannot_stall_intake(client, db, manager):
    """A row written by plain SQL (the API refuses it) is held to one year by the clock."""
    with db.session() as s:
        s.execute(update(SlaPolicy).where(SlaPolicy.kind == "flag").values(
            first_response_minutes=10**9, resolution_minutes=10**9))
    started = time.monotonic()
    r = client.post(f"{API}/cases", json=f.flag("r-slow"), headers=manager.headers)
    assert r.status_code == 201, r.text
    assert time.monotonic() - started < 5
    due = datetime.fromisoformat(r.json()["case"]["sla"]["resolution"]["due_at"])
    assert due - datetime.now(UTC) <= timedelta(minutes=MAX_TARGET_MINUTES + 5)


def test_one_year_on_office_hours_is_computed_quickly():
    office = BusinessCalendar.from_config(
        timezone="Europe/Berlin", hours={d: [["09:00", "17:00"]]
                                         for d in ("mon", "tue", "wed", "thu", "fri")},
        holiday_country="DE")
    started = time.monotonic()
    due = start_clock(office, SlaTarget(MAX_TARGET_MINUTES, MAX_TARGET_MINUTES),
                      datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert time.monotonic() - started < 2
    assert due.resolution_due_at.year < 2032  # about four years of office hours
