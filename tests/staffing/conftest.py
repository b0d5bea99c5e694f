"""A vendor's team and its history, shared by the staffing tests that need a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update

from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.people.models import ShiftException, Team, User, Vendor, VendorContract
from integrity_desk.routing.models import Queue
from tests.conftest import Person

NOW = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # a Monday; the plan starts at 01:00
START = NOW.replace(minute=0) + timedelta(hours=1)
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def desk(db: Database, make_person: Callable[..., Person]) -> dict[str, Any]:
    """A vendor's team working one queue: eight weeks of six flags an hour from 08:00 to
    20:00 UTC, two people (08–16 and 12–20), the second on leave the plan's first day."""
    with db.session() as s:
        vendor = Vendor(name="Acme BPO", languages=["en"], time_zone="UTC")
        s.add(vendor)
        s.flush()
        s.add(VendorContract(vendor_id=vendor.id, starts_on=date(2026, 1, 1), aht_minutes=20,
                             first_response_attainment=0.9))
        team = Team(name="Acme Flags", kind="vendor", vendor_id=vendor.id)
        s.add(team)
        s.flush()
        queue = Queue(slug="acme-flags", name="Acme flags", team_id=team.id, kinds=["flag"],
                      position=1)
        s.add(queue)
        s.flush()
        rows = []
        for day in range(56):
            for hour in range(8, 20):
                at = START.replace(hour=hour) - timedelta(days=56 - day)
                rows += [dict(kind="flag", channel="api", title="A flag", status="closed",
                              is_open=False, tier=1, priority=2, requester_type="user",
                              created_at=at + timedelta(minutes=7 * i), updated_at=at,
                              queue_id=queue.id) for i in range(6)]
        s.execute(insert(Case), rows)
        ids = {"vendor": vendor.id, "team": team.id, "queue": queue.id}
    early = make_person("agent", team=_team(db, ids["team"]))
    late = make_person("agent", team=_team(db, ids["team"]))
    with db.session() as s:
        s.execute(update(User).where(User.id == early.user.id).values(
            shift_pattern={d: [["08:00", "16:00"]] for d in EVERY_DAY}))
        s.execute(update(User).where(User.id == late.user.id).values(
            shift_pattern={d: [["12:00", "20:00"]] for d in EVERY_DAY}))
        s.add(ShiftException(user_id=late.user.id, kind="leave", starts_at=START,
                             ends_at=START + timedelta(hours=23)))
    return ids


def _team(db: Database, team_id: int) -> Team:
    with db.session() as s:
        return s.get(Team, team_id)


