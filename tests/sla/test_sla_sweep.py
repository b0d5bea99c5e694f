"""The SLA sweep records each crossing once, as a fact on the case's timeline."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import event, select, text, update

from integrity_desk.audit.models import AuditEvent
from integrity_desk.audit.service import SYSTEM, verify
from integrity_desk.cases import service as cases
from integrity_desk.cases.models import Case
from integrity_desk.db import Database, utcnow
from integrity_desk.intake.schemas import CaseIn
from integrity_desk.intake.service import Intake
from integrity_desk.people.service import actor_of
from integrity_desk.sla.tasks import sweep
from tests import factories as f

_case_in: TypeAdapter[Any] = TypeAdapter(CaseIn)
SLA_KINDS = ("sla.breached", "sla.at_risk", "sla.first_response_breached")


def _open(db: Database, ref: str, at: datetime) -> int:
    with db.session() as s:
        return Intake(s, now=at, actor=SYSTEM).submit(_case_in.validate_python(
            f.flag(ref=ref))).case.id


def _due(db: Database, case_id: int, now: datetime, *, resolution: float, at_risk: float,
         first_response: float) -> None:
    """Set a case's instants to now + the given hours (negative: already passed)."""
    with db.session() as s:
        s.execute(update(Case).where(Case.id == case_id).values(
            resolution_due_at=now + timedelta(hours=resolution),
            resolution_at_risk_at=now + timedelta(hours=at_risk),
            first_response_due_at=now + timedelta(hours=first_response),
            first_response_at_risk_at=now + timedelta(hours=first_response - 0.5)))


def _sweep(db: Database, now: datetime) -> dict[str, int]:
    with db.session() as s:
        return sweep(s, now=now)


def _recorded(db: Database) -> dict[int, Counter[str]]:
    with db.session() as s:
        rows = s.execute(select(AuditEvent.case_id, AuditEvent.kind)
                         .where(AuditEvent.category == "sla")).all()
    out: dict[int, Counter[str]] = {}
    for case_id, kind in rows:
        out.setdefault(case_id, Counter())[kind] += 1
    return out


@pytest.fixture
def now() -> datetime:
    return utcnow()


def test_each_crossing_is_recorded_once(db, now, settings):
    start = now - timedelta(days=3)
    overdue, at_risk, on_track = (_open(db, ref, start) for ref in ("r1", "r2", "r3"))
    _due(db, overdue, now, resolution=-1, at_risk=-2, first_response=-3)
    _due(db, at_risk, now, resolution=1, at_risk=-0.1, first_response=2)
    _due(db, on_track, now, resolution=10, at_risk=8, first_response=2)

    assert _sweep(db, now) == {"sla.breached": 1, "sla.at_risk": 1,
                               "sla.first_response_breached": 1}
    assert _sweep(db, now) == dict.fromkeys(SLA_KINDS, 0)
    assert _sweep(db, now + timedelta(minutes=1)) == dict.fromkeys(SLA_KINDS, 0)
    assert _recorded(db) == {
        overdue: Counter({"sla.breached": 1, "sla.first_response_breached": 1}),
        at_risk: Counter({"sla.at_risk": 1}),
    }
    with db.session() as s:
        case = s.get(Case, overdue)
        assert case.sla_breach_recorded_at == now
        assert case.first_response_breach_recorded_at == now
        assert case.sla_at_risk_recorded_at is None
        ev = s.scalar(select(AuditEvent).where(AuditEvent.case_id == overdue,
                                               AuditEvent.kind == "sla.breached"))
        assert (ev.actor_id, ev.actor_label, ev.occurred_at) == (None, "system", now)
        assert ev.chain_key == f"case:{overdue}"
        payload = json.loads(ev.payload)
        assert payload["priority"] == f"P{case.priority}"
        assert payload["resolution_due_at"] == str(case.resolution_due_at)
        assert datetime.fromisoformat(payload["first_response_due_at"]) == now - timedelta(hours=3)
        assert verify(s, secret=settings.secret_key).ok


def test_at_risk_then_breached_records_both_once(db, now):
    case_id = _open(db, "r1", now - timedelta(days=1))
    _due(db, case_id, now, resolution=1, at_risk=-1, first_response=5)
    assert _sweep(db, now)["sla.at_risk"] == 1
    later = now + timedelta(hours=2)
    assert _sweep(db, later)["sla.breached"] == 1
    assert _sweep(db, later + timedelta(hours=1))["sla.breached"] == 0
    assert _recorded(db) == {case_id: Counter({"sla.at_risk": 1, "sla.breached": 1})}


def test_paused_decided_answered_and_closed_cases_are_not_recorded(db, now, specialist):
    start = now - timedelta(days=2)
    ids = {name: _open(db, f"r-{name}", start)
           for name in ("paused", "decided", "answered", "closed", "open")}
    user, actor = specialist.user, actor_of(specialist.user)
    steps = {"paused": ["start", "wait_on_requester"], "decided": ["start", "decide"],
             "answered": ["start"], "closed": ["start", "decide", "close"], "open": []}
    with db.session() as s:
        for name, actions in steps.items():
            case = s.get(Case, ids[name])
            if actions:
                cases.claim(s, case, user=user, actor=actor, now=start)
            for action in actions:
                cases.transition(s, case, action=action, actor_user=user, actor=actor,
                                 now=start, reason="need the receipt", outcome="kept")
    for case_id in ids.values():
        _due(db, case_id, now, resolution=-1, at_risk=-2, first_response=-3)
    counts = _sweep(db, now)
    assert counts == {"sla.breached": 2, "sla.at_risk": 0, "sla.first_response_breached": 1}
    assert _recorded(db) == {
        ids["answered"]: Counter({"sla.breached": 1}),  # responded: only resolution breached
        ids["open"]: Counter({"sla.breached": 1, "sla.first_response_breached": 1}),
    }


def test_two_sweepers_at_once_record_each_breach_once(db, now):
    ids = [_open(db, f"r{n}", now - timedelta(days=1)) for n in range(12)]
    for case_id in ids:
        _due(db, case_id, now, resolution=-1, at_risk=-2, first_response=1)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait(5)
            results.append(_sweep(db, now))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sum(r["sla.breached"] for r in results) == 12
    assert _recorded(db) == {case_id: Counter({"sla.breached": 1}) for case_id in ids}


def test_case_decided_between_read_and_claim_is_not_recorded(db, now):
    """The sweep reads candidates, then claims them; a decision in between wins."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite holds the write lock for the whole sweep: no interleaving")
    case_id = _open(db, "r1", now - timedelta(days=1))
    _due(db, case_id, now, resolution=-1, at_risk=-2, first_response=1)
    fired = []

    def decide_meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not fired and statement.lstrip().lower().startswith("update cases"):
            fired.append(True)
            with db.engine.begin() as other:
                other.execute(text("UPDATE cases SET decided_at = :t, status = 'decided' "
                                   "WHERE id = :id"), {"t": now, "id": case_id})

    event.listen(db.engine, "before_cursor_execute", decide_meanwhile)
    try:
        counts = _sweep(db, now)
    finally:
        event.remove(db.engine, "before_cursor_execute", decide_meanwhile)
    assert fired
    assert counts["sla.breached"] == 0
    assert _recorded(db) == {}
