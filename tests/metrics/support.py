"""A small desk with every SLA state, visibility class and queue the counts distinguish."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from integrity_desk.cases.domain import parse_case_key
from integrity_desk.cases.models import Case
from integrity_desk.db import Database
from integrity_desk.people.models import Team
from integrity_desk.routing.models import Queue
from tests import factories as f
from tests.conftest import Person

API = "/api/v1"


def new_case(client: Any, person: Person, body: dict[str, Any]) -> str:
    r = client.post(f"{API}/cases", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()["case"]["key"]


def case_id(key: str) -> int:
    parsed = parse_case_key(key)
    assert parsed is not None
    return parsed[1]


def set_case(db: Database, key: str, **values: Any) -> None:
    with db.session() as s:
        s.execute(update(Case).where(Case.id == case_id(key)).values(**values))


@dataclass
class Desk:
    now: datetime
    vendor: Team
    keys: dict[str, str] = field(default_factory=dict)


def build_desk(db: Database, client: Any, manager: Person,
               make_team: Callable[..., Team]) -> Desk:
    """Flags (worked by a vendor team) in every SLA state, a legal-restricted flag, a legal
    notice, a specialist escalation and a closed flag; `now` is the moment to count at."""
    now = datetime.now(UTC).replace(microsecond=0)
    vendor = make_team("Vendor A", kind="vendor")
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(team_id=vendor.id))
    d = Desk(now, vendor)
    hour = timedelta(hours=1)
    for name in ("on_track", "at_risk", "breached", "assigned", "paused", "restricted",
                 "closed", "p0"):
        d.keys[name] = new_case(client, manager, f.flag(ref=f"r-{name}"))
    d.keys["legal"] = new_case(client, manager, f.legal())
    d.keys["legal_open"] = new_case(client, manager, f.legal(urls=[
        "https://reviews.example.com/reviews/r78"]))
    d.keys["csm"] = new_case(client, manager, f.csm())
    flags = [case_id(d.keys[n]) for n in ("on_track", "at_risk", "breached", "assigned",
                                          "paused", "restricted", "closed")]
    with db.session() as s:
        flags_queue = s.scalar(select(Queue.id).where(Queue.slug == "flags"))
        # Same queue and a known priority for the flags, whatever triage made of them.
        s.execute(update(Case).where(Case.id.in_(flags)).values(
            queue_id=flags_queue, priority=2, resolution_due_at=now + 10 * hour,
            resolution_at_risk_at=now + 8 * hour, sla_paused_at=None, decided_at=None,
            assignee_id=None))
    set_case(db, d.keys["p0"], priority=0, resolution_due_at=now + 10 * hour,
             resolution_at_risk_at=now + 8 * hour)
    set_case(db, d.keys["at_risk"], priority=1, resolution_at_risk_at=now - hour)
    set_case(db, d.keys["breached"], resolution_due_at=now - hour,
             resolution_at_risk_at=now - 2 * hour)
    set_case(db, d.keys["assigned"], assignee_id=manager.user.id)
    set_case(db, d.keys["paused"], resolution_due_at=now - hour, sla_paused_at=now - 2 * hour)
    set_case(db, d.keys["restricted"], legal_restricted=True, resolution_due_at=now - hour)
    # Closed within today (an hour ago, or at midnight when the day is younger than that).
    midnight = now.replace(hour=0, minute=0, second=0)
    set_case(db, d.keys["closed"], status="closed", is_open=False,
             closed_at=max(now - hour, midnight))
    # A legal notice counsel has not restricted: everyone who reads cases may read it.
    set_case(db, d.keys["legal_open"], legal_restricted=False)
    return d
