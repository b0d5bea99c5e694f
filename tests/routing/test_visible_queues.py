"""The one rule for which queues a person may see (``routing.repository``), per role, for an
active and an inactive queue, and what it means for the cases in them (legal-restricted too).

A deactivated queue takes no new case; whoever could see it, and the cases in it, before still
does (docs/decisions.md, "One query for the queues a person may see")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import readable_clause
from integrity_desk.db import Database
from integrity_desk.metrics import service as metrics
from integrity_desk.metrics.models import MetricsRefresh
from integrity_desk.people.models import Team, User
from integrity_desk.routing.models import Queue
from integrity_desk.routing.repository import (
    may_see,
    sees_queue_of,
    visible_queue_clause,
    visible_queue_ids,
    visible_queues,
)
from tests.conftest import Person
from tests.metrics.support import API, Desk, build_desk, case_id, set_case

ALL = {"flags", "specialists", "legal", "management"}
FLAGS = ("on_track", "at_risk", "breached", "assigned", "paused", "restricted", "closed")

# who: (role, team) -> the queues they see, and which of the flags queue's cases they read.
WHO: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None), "manager": ("manager", None),
    "specialist": ("specialist", None), "agent_a": ("agent", "a"), "agent_b": ("agent", "b"),
    "agent_no_team": ("agent", None), "legal": ("legal", None), "viewer": ("viewer", None),
    "policy": ("policy", None),
}
SEES: dict[str, set[str]] = {
    "admin": ALL, "manager": ALL, "specialist": ALL, "legal": ALL, "viewer": ALL,
    "policy": ALL, "agent_a": {"flags"}, "agent_b": set(), "agent_no_team": set(),
}
NOT_RESTRICTED = set(FLAGS) - {"restricted"}
READS_FLAGS: dict[str, set[str]] = {
    "admin": set(FLAGS), "manager": set(FLAGS), "specialist": NOT_RESTRICTED,
    "viewer": NOT_RESTRICTED, "policy": NOT_RESTRICTED, "agent_a": NOT_RESTRICTED,
    "legal": {"restricted"}, "agent_b": set(), "agent_no_team": set(),
}


@pytest.fixture
def desk(db: Database, client: Any, manager: Person, make_team: Callable[..., Team]) -> Desk:
    """The metrics desk: the flags queue is vendor A's; vendor B works none of these queues."""
    return build_desk(db, client, manager, make_team)


@pytest.fixture
def person(request: pytest.FixtureRequest, desk: Desk, make_team: Callable[..., Team],
           make_person: Callable[..., Person]) -> Person:
    role, team = WHO[request.param]
    teams = {"a": desk.vendor, "b": make_team("Vendor B", kind="vendor") if team == "b" else None}
    return make_person(role, team=teams[team] if team else None)


def _deactivate_flags(db: Database) -> None:
    """As if intake had routed these cases just before a manager deactivated the queue (the
    API refuses to deactivate a queue that holds open cases)."""
    with db.session() as s:
        s.execute(update(Queue).where(Queue.slug == "flags").values(active=False))


def _seen(db: Database, person: Person, *, active_only: bool = False) -> set[str]:
    with db.session() as s:
        user = s.get(User, person.user.id)
        return {q.slug for q in visible_queues(s, user, active_only=active_only)}


def _read_in_flags(db: Database, desk: Desk, person: Person) -> set[str]:
    ids = {case_id(desk.keys[name]): name for name in FLAGS}
    with db.session() as s:
        user = s.get(User, person.user.id)
        found = s.scalars(select(Case.id).where(Case.id.in_(list(ids)), readable_clause(user)))
        return {ids[i] for i in found}


@pytest.mark.parametrize("person", list(WHO), indirect=True)
def test_each_role_sees_its_queues_active_or_not(db: Database, desk: Desk,
                                                 person: Person, request: Any) -> None:
    who = request.node.callspec.params["person"]
    assert _seen(db, person) == SEES[who]
    _deactivate_flags(db)
    assert _seen(db, person) == SEES[who]  # deactivation hides nothing
    assert _seen(db, person, active_only=True) == SEES[who] - {"flags"}  # but offers no pick


@pytest.mark.parametrize("person", list(WHO), indirect=True)
def test_the_loaded_rule_agrees_with_the_sql(db: Database, desk: Desk, person: Person) -> None:
    with db.session() as s:
        user = s.get(User, person.user.id)
        queues = list(s.scalars(select(Queue)))
        by_clause = set(s.scalars(select(Queue.id).where(visible_queue_clause(user))))
        assert by_clause == set(s.scalars(visible_queue_ids(user)))
        assert {q.id for q in queues if may_see(user, q.team_id)} == by_clause
        # Read the other way round (who may be given a case of the queue), the same answer.
        seen_by = {q.id for q in queues if s.scalar(
            select(User.id).where(User.id == user.id, sees_queue_of(q.id))) is not None}
        assert seen_by == by_clause
        in_no_queue = s.scalar(select(User.id).where(User.id == user.id, sees_queue_of(None)))
        assert (in_no_queue is not None) == (user.role != "agent")


@pytest.mark.parametrize("person", list(WHO), indirect=True)
def test_cases_of_an_inactive_queue_stay_readable_to_who_read_them(
        db: Database, desk: Desk, person: Person, request: Any) -> None:
    """Legal-restricted cases included: the queue rule never widens the legal restriction."""
    who = request.node.callspec.params["person"]
    assert _read_in_flags(db, desk, person) == READS_FLAGS[who]
    _deactivate_flags(db)
    assert _read_in_flags(db, desk, person) == READS_FLAGS[who]


@pytest.mark.parametrize("person", ["agent_a", "manager", "legal", "agent_b"], indirect=True)
def test_counts_of_an_inactive_queue_stay_on_the_pages_and_the_api(
        db: Database, client: Any, desk: Desk, person: Person, request: Any) -> None:
    who = request.node.callspec.params["person"]
    _deactivate_flags(db)
    open_read = len(READS_FLAGS[who] - {"closed"})
    with db.session() as s:
        metrics.refresh(s, now=desk.now)
        counts = {q.slug: q for q in metrics.queue_counts(s, s.get(User, person.user.id))}
    assert set(counts) == SEES[who]
    if "flags" in counts:
        assert not counts["flags"].active
        assert counts["flags"].total >= open_read  # the p0 flag may have been routed there too
    listed = client.get(f"{API}/queues", params={"include_inactive": "true"},
                        headers=person.headers).json()
    assert {q["slug"] for q in listed} == SEES[who]
    assert {q["slug"]: q["open_cases"] for q in listed}.get("flags", 0) == (
        counts["flags"].total if "flags" in counts else 0)
    active = client.get(f"{API}/queues", headers=person.headers).json()
    assert {q["slug"] for q in active} == SEES[who] - {"flags"}


def _open_cases(client: Any, person: Person) -> dict[str, int]:
    r = client.get(f"{API}/queues", headers=person.headers)
    assert r.status_code == 200, r.text
    return {q["slug"]: q["open_cases"] for q in r.json()}


def test_the_queue_list_reads_the_snapshot_and_recomputes_it_when_stale(
        db: Database, client: Any, desk: Desk, manager: Person) -> None:
    """GET /queues counts what the queues page counts: the snapshot, not a count per call."""
    first = _open_cases(client, manager)  # no snapshot yet: this call makes one
    with db.session() as s:
        made = s.scalar(select(MetricsRefresh.computed_at))
        assert made is not None
        pages = {q.slug: q.total for q in metrics.queue_counts(s, s.get(User, manager.user.id))}
    assert first == pages
    set_case(db, desk.keys["on_track"], status="closed", is_open=False, closed_at=desk.now)
    assert _open_cases(client, manager) == first  # fresh enough: read, not recounted
    with db.session() as s:
        s.get(MetricsRefresh, metrics.SNAPSHOT).computed_at = made - timedelta(hours=1)
    assert _open_cases(client, manager) == {**first, "flags": first["flags"] - 1}


def test_the_queue_list_keeps_its_shape(db: Database, client: Any, desk: Desk,
                                        manager: Person) -> None:
    flags = next(q for q in client.get(f"{API}/queues", headers=manager.headers).json()
                 if q["slug"] == "flags")
    assert set(flags) == {"slug", "name", "team", "kinds", "tier", "languages", "skills",
                          "position", "active", "open_cases", "by_priority"}
    # Only the priorities that hold cases, keyed P0…P4; they add up to open_cases.
    assert flags["by_priority"]["P2"] >= 4 and flags["by_priority"]["P0"] >= 1
    assert "P4" not in flags["by_priority"]
    assert sum(flags["by_priority"].values()) == flags["open_cases"]
