"""The ageing job raises waiting cases step by step, once, with the reason on the timeline;
and the claim, reading its index as ever, then takes the aged case first."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM, verify
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.configuration.service import desk_config
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.people.service import actor_of
from integrity_desk.routing import ageing
from integrity_desk.routing.service import claim_next
from integrity_desk.routing.settings import change_routing_settings
from integrity_desk.web.cases.views import _describe
from tests import factories as f
from tests.conftest import Person

_case_in: TypeAdapter[Any] = TypeAdapter(CaseIn)


@pytest.fixture
def now() -> datetime:
    return utcnow().replace(microsecond=0)


def _waiting(db: Database, ref: str, now: datetime, *, priority: int, waited_hours: float,
             due_in_hours: float = 24) -> int:
    """A flag in the flags queue at ``priority``, triaged ``waited_hours`` before ``now``."""
    triaged_at = now - timedelta(hours=waited_hours)
    with db.session() as s:
        case_id = Intake(s, now=triaged_at, actor=SYSTEM).submit(
            _case_in.validate_python(f.flag(ref=ref))).case.id
        s.execute(update(Case).where(Case.id == case_id).values(
            priority=priority, triaged_at=triaged_at,
            resolution_due_at=now + timedelta(hours=due_in_hours)))
    return case_id


def _age(db: Database, now: datetime) -> int:
    with db.session() as s:
        return ageing.age(s, now=now).get("flags", 0)


def _state(db: Database, case_id: int) -> tuple[int, int | None]:
    with db.session() as s:
        case = s.get(Case, case_id)
        return case.priority, case.triage_priority


def _aged_events(db: Database, case_id: int) -> list[dict[str, Any]]:
    with db.session() as s:
        return [json.loads(e.payload) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id,
                                     AuditEvent.kind == "case.aged").order_by(AuditEvent.seq))]


def test_a_case_that_waited_long_enough_rises_and_a_fresher_one_does_not(db, now, settings):
    old = _waiting(db, "r1", now, priority=3, waited_hours=8)
    not_yet = _waiting(db, "r2", now, priority=3, waited_hours=3.9)
    one_step = _waiting(db, "r3", now, priority=4, waited_hours=4)

    assert _age(db, now) == 2
    assert _state(db, old) == (1, 3)  # the worked example: P3, 8 h at 0.25 -> P1
    assert _state(db, not_yet) == (3, None)
    assert _state(db, one_step) == (3, 4)
    [event] = _aged_events(db, old)
    assert event == {"before": "P3", "after": "P1", "queue": "flags",
                     "reason": "waited 8 h in flags (ageing 0.25 steps an hour)"}
    with db.session() as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.case_id == old,
                                               AuditEvent.kind == "case.aged"))
        assert (ev.actor_id, ev.actor_label, ev.category, ev.occurred_at) == (
            None, "system", "state", now)
        assert verify(s, secret=settings.secret_key).ok


def test_steps_come_one_run_at_a_time_and_a_second_run_changes_nothing(db, now):
    case_id = _waiting(db, "r1", now, priority=3, waited_hours=4.5)
    assert _age(db, now) == 1
    assert _state(db, case_id) == (2, 3)
    assert _age(db, now) == 0  # idempotent
    assert _age(db, now + timedelta(hours=3)) == 0  # 7.5 h: still one step
    assert _age(db, now + timedelta(hours=3.5)) == 1  # 8 h: the second step, counted from P3
    assert _state(db, case_id) == (1, 3)  # triage's priority is kept
    assert _age(db, now + timedelta(days=30)) == 0  # floor at P1
    assert [(e["before"], e["after"]) for e in _aged_events(db, case_id)] == [
        ("P3", "P2"), ("P2", "P1")]


def test_p0_p1_and_cases_not_waiting_are_left_alone(db, now, specialist: Person):
    claimed = _waiting(db, "r1", now, priority=4, waited_hours=100)
    with db.session() as s:
        queue = desk_config(s).queues.by_slug["flags"]
        assert claim_next(s, user=specialist.user, queue=queue, now=now)[0] == claimed
    p0 = _waiting(db, "r2", now, priority=0, waited_hours=100)
    p1 = _waiting(db, "r3", now, priority=1, waited_hours=100)
    assert _age(db, now) == 0
    assert _state(db, p0) == (0, None)
    assert _state(db, p1) == (1, None)
    assert _state(db, claimed) == (4, None)


def test_a_queue_that_does_not_age(db, now):
    case_id = _waiting(db, "r1", now, priority=4, waited_hours=100)
    with db.session() as s:
        change_routing_settings(s, actor=SYSTEM, slug="flags", note="flags keep their priority",
                                changes={"ageing_per_hour": 0})
    with db.session() as s:
        assert "flags" not in ageing.age(s, now=now)
    assert _state(db, case_id) == (4, None)


def test_many_cases_in_chunks(db, now, monkeypatch):
    monkeypatch.setattr(ageing, "CHUNK", 2)
    ids = [_waiting(db, f"r{i}", now, priority=4, waited_hours=4 * (i % 3)) for i in range(7)]
    assert _age(db, now) == 4  # waited 0 h: none; 4 h: one step; 8 h: two
    assert [_state(db, i)[0] for i in ids] == [4, 3, 2, 4, 3, 2, 4]
    assert _age(db, now) == 0


def test_a_claim_then_takes_the_aged_case_before_a_newer_one(db, now, specialist: Person):
    aged = _waiting(db, "r1", now, priority=3, waited_hours=5, due_in_hours=20)
    newer = _waiting(db, "r2", now, priority=3, waited_hours=0, due_in_hours=2)
    assert _age(db, now) == 1
    with db.session() as s:
        queue = desk_config(s).queues.by_slug["flags"]
        assert claim_next(s, user=specialist.user, queue=queue, now=now)[0] == aged
        assert claim_next(s, user=specialist.user, queue=queue, now=now)[0] == newer


def test_re_triage_starts_the_priority_afresh(db, now, specialist: Person):
    case_id = _waiting(db, "r1", now, priority=4, waited_hours=8)
    assert _age(db, now) == 1
    assert _state(db, case_id) == (2, 4)
    with db.session() as s:
        case = s.get(Case, case_id)
        cases.edit(s, case, changes={"language": "de"}, tags=None, actor_user=specialist.user,
                   actor=actor_of(specialist.user), now=now)
    assert _state(db, case_id)[1] is None  # whatever triage now says, it has not aged


def test_the_timeline_words() -> None:
    assert _describe("case.aged", {"before": "P3", "after": "P2"}) == (
        "raised the priority from P3 to P2")
