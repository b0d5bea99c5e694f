"""Time-limited restrictions end: the worker's job lifts a suspension or restriction when its
end date passes, records it on the case's timeline, and leaves alone what a later decision
changed since; a misuse suspension of a reviewer ends too. Run twice, or by two workers at
once, each restriction ends once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrity_desk.audit.models import AuditEvent
from integrity_desk.db import Database, utcnow
from integrity_desk.decisions.expiry import end_restrictions
from integrity_desk.decisions.models import DecisionAction
from integrity_desk.misuse.models import MisuseMeasure
from integrity_desk.subjects.models import Business, Reviewer
from tests.conftest import Person
from tests.decisions.test_decisions_api import _claimed_flag, _decide, _timeline_kinds

API = "/api/v1"
NOTHING = {"lifted": 0, "superseded": 0, "misuse_suspensions": 0}


def _decided(client: TestClient, decider: Person, approver: Person, ref: str,
             actions: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    key = _claimed_flag(client, decider, ref)
    r = _decide(client, decider, key, actions)
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/decisions/{r.json()['id']}/approve", json={},
                    headers=approver.headers)  # four eyes
    assert r.status_code == 200 and r.json()["status"] == "applied", r.text
    return key, r.json()


def _subjects(db: Database) -> tuple[Reviewer, Business]:
    with db.session() as s:
        return (s.scalars(select(Reviewer).where(Reviewer.ref == "u1")).one(),
                s.scalars(select(Business).where(Business.domain == "shop.example.com")).one())


def _run(db: Database, days: float) -> dict[str, int]:
    with db.session() as s:
        return end_restrictions(s, now=utcnow() + timedelta(days=days))


def test_a_suspension_and_a_restriction_end_on_their_dates(
        client: TestClient, db: Database, specialist: Person, manager: Person) -> None:
    key, decision = _decided(client, specialist, manager, "r1", [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 30},
        {"action": "restrict_business_features", "subject": "business:shop.example.com",
         "duration_days": 10}])
    reviewer, business = _subjects(db)
    assert (reviewer.status, business.features_status) == ("suspended", "restricted")
    assert _run(db, 5) == NOTHING  # neither has ended
    assert _run(db, 11) == {**NOTHING, "lifted": 1}
    reviewer, business = _subjects(db)
    assert (business.features_status, business.features_until) == ("full", None)
    assert reviewer.status == "suspended"  # still 19 days to go
    assert _run(db, 31) == {**NOTHING, "lifted": 1}
    reviewer, _ = _subjects(db)
    assert (reviewer.status, reviewer.suspended_until) == ("active", None)
    assert _run(db, 32) == NOTHING  # once ended, ended: a second run finds nothing
    assert _timeline_kinds(client, specialist, key).count("restriction.ended") == 2
    with db.session() as s:
        actions = list(s.scalars(select(DecisionAction)
                                 .where(DecisionAction.decision_id == decision["id"])))
        events = [json.loads(e.payload) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.kind == "restriction.ended").order_by(AuditEvent.id))]
    # Ended, not reversed: no decision overturned them.
    assert all(a.closed_at is not None and a.reversed_by_id is None for a in actions)
    assert [(e["action"], e["lifted"], e["superseded"]) for e in events] == [
        ("restrict_business_features", True, False), ("suspend_reviewer", True, False)]
    assert events[1]["restored"] == {"status": "active", "suspended_until": None}


def test_the_end_of_a_shorter_suspension_does_not_undo_a_longer_later_one(
        client: TestClient, db: Database, specialist: Person, manager: Person) -> None:
    _decided(client, specialist, manager, "r1", [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 10}])
    _decided(client, specialist, manager, "r2", [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 60}])
    assert _run(db, 11) == {**NOTHING, "superseded": 1}
    reviewer, _ = _subjects(db)
    assert reviewer.status == "suspended"
    assert reviewer.suspended_until > utcnow() + timedelta(days=59)
    # The later one ends: what was before it (the first suspension) has ended too.
    assert _run(db, 61) == {**NOTHING, "lifted": 1}
    reviewer, _ = _subjects(db)
    assert (reviewer.status, reviewer.suspended_until) == ("active", None)


def test_a_misuse_suspension_of_a_reviewer_ends(client: TestClient, db: Database,
                                                specialist: Person) -> None:
    _claimed_flag(client, specialist, "r1")  # mirrors reviewer u1
    reviewer, _ = _subjects(db)
    ends = utcnow() + timedelta(days=90)
    with db.session() as s:  # as misuse.service.impose leaves them
        s.add(MisuseMeasure(party_type="reviewer", party_key=str(reviewer.id),
                            bucket="illegal_content", measure="suspension", manifest_count=4,
                            total_count=4, reason="Threats in four reviews.",
                            starts_at=utcnow(), ends_at=ends))
        s.get(Reviewer, reviewer.id).status = "suspended"
        s.get(Reviewer, reviewer.id).suspended_until = ends
    assert _run(db, 89) == NOTHING
    assert _run(db, 91) == {**NOTHING, "misuse_suspensions": 1}
    assert _subjects(db)[0].status == "active"
    assert _run(db, 92) == NOTHING
    with db.session() as s:
        [ended] = s.scalars(select(AuditEvent).where(
            AuditEvent.kind == "misuse.suspension_ended")).all()
    assert json.loads(ended.payload)["party_key"] == str(reviewer.id)


def test_two_workers_end_each_restriction_once(
        client: TestClient, db: Database, specialist: Person, manager: Person,
        make_person: Callable[..., Person]) -> None:
    if db.dialect != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    _decided(client, specialist, manager, "r1", [
        {"action": "suspend_reviewer", "subject": "reviewer:u1", "duration_days": 10}])
    later = utcnow() + timedelta(days=11)
    with db.session() as first:
        assert end_restrictions(first, now=later)["lifted"] == 1
        with db.session() as second:  # while the first holds its rows: it skips them
            assert end_restrictions(second, now=later) == NOTHING
    with db.session() as third:
        assert end_restrictions(third, now=later) == NOTHING
    assert _subjects(db)[0].status == "active"


def test_the_ending_index_covers_exactly_the_restrictions_that_end() -> None:
    """The job's scan is answered from ix_decision_actions_ending only if the index's action
    list is the job's own."""
    from integrity_desk.decisions.expiry import ENDING
    from integrity_desk.decisions.models import _ENDING_WHERE

    listed = set(_ENDING_WHERE.split("IN (", 1)[1].rstrip(")").replace("'", "").split(", "))
    assert listed == {a.value for a in ENDING}
