"""The console's counts: right by priority and SLA state, per role exactly what the case list
shows that role, refreshed when stale, and the flow per day with its empty days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from integrity_desk.cases.models import Case
from integrity_desk.cases.repository import CaseFilters, list_cases
from integrity_desk.db import Database
from integrity_desk.jobs.worker import Worker
from integrity_desk.metrics import service
from integrity_desk.metrics.domain import Visibility, flow_window, visible_classes
from integrity_desk.metrics.models import MetricsRefresh, QueueBacklog
from integrity_desk.people.models import Role, User
from tests import factories as f
from tests.conftest import Person
from tests.metrics.support import Desk, case_id, new_case, set_case


def _counts(db: Database, person: Person) -> dict[str, service.QueueCounts]:
    with db.session() as s:
        user = s.get(User, person.user.id)
        return {q.slug: q for q in service.queue_counts(s, user)}


def _refresh(db: Database, now: Any) -> service.SnapshotInfo:
    with db.session() as s:
        return service.refresh(s, now=now)


def test_counts_by_priority_and_sla_state(db: Database, desk: Desk, manager: Person) -> None:
    _refresh(db, desk.now)
    flags = _counts(db, manager)["flags"]
    # p0, on_track, at_risk (P1), breached, assigned, paused, restricted are open; closed not.
    assert flags.total == 7
    assert flags.by_priority == {0: 1, 1: 1, 2: 5, 3: 0, 4: 0}
    assert flags.at_risk == 1
    assert flags.breached == 2  # the breached one and the restricted one (a paused clock is not)
    assert flags.unassigned == 6
    assert flags.on_track == 4
    legal = _counts(db, manager)["legal"]
    assert legal.total == 2 and legal.by_priority[legal_priority(db, desk)] >= 1


def legal_priority(db: Database, desk: Desk) -> int:
    from integrity_desk.cases.models import Case

    with db.session() as s:
        return s.scalar(select(Case.priority).where(Case.id == case_id(desk.keys["legal"])))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SPECIALIST, Role.LEGAL, Role.AGENT,
                                  Role.VIEWER])
def test_each_role_sees_the_counts_of_the_lists_it_may_read(
        db: Database, desk: Desk, make_person: Callable[..., Person], role: Role) -> None:
    """For every queue the role sees, each number equals the length of the case list that
    its link opens, read as that role at the snapshot's moment."""
    person = make_person(role.value, team=desk.vendor if role == Role.AGENT else None)
    _refresh(db, desk.now)
    counts = _counts(db, person)
    if role == Role.AGENT:
        assert set(counts) == {"flags"}  # the vendor's own queue only
    else:
        assert set(counts) == {"flags", "specialists", "legal", "management"}
    with db.session() as s:
        user = s.get(User, person.user.id)

        def n(**filters: Any) -> int:
            rows, _ = list_cases(s, user, filters=CaseFilters(**filters), now=desk.now,
                                 limit=500)
            return len(rows)

        for slug, q in counts.items():
            assert q.total == n(queue=slug), (slug, "total")
            assert q.at_risk == n(queue=slug, at_risk=True), (slug, "at risk")
            assert q.breached == n(queue=slug, breached=True), (slug, "breached")
            assert q.on_track == n(queue=slug, at_risk=False, breached=False), (slug, "on track")
            assert q.unassigned == n(queue=slug, unassigned=True), (slug, "unassigned")
            for p, value in q.by_priority.items():
                assert value == n(queue=slug, priority=[p]), (slug, p)
    total = sum(q.total for q in counts.values())
    # Eleven cases, one closed; the restricted flag and one legal notice are counsel's, the
    # unrestricted legal notice everyone's (but a vendor agent's: not their queue).
    expected = {Role.MANAGER: 10, Role.SPECIALIST: 8, Role.VIEWER: 8, Role.AGENT: 6,
                Role.LEGAL: 3}
    assert total == expected[role]


def test_an_agent_without_a_team_sees_no_queue(db: Database, desk: Desk,
                                                make_person: Callable[..., Person]) -> None:
    _refresh(db, desk.now)
    assert _counts(db, make_person("agent")) == {}


def test_visibility_classes_follow_the_roles() -> None:
    assert visible_classes("legal") == {Visibility.RESTRICTED, Visibility.LEGAL_NOTICE}
    assert Visibility.RESTRICTED not in visible_classes("specialist")
    assert visible_classes("manager") == set(Visibility)


def test_snapshot_is_reused_until_stale_then_recomputed(
        db: Database, desk: Desk, client: Any, manager: Person) -> None:
    first = _refresh(db, desk.now)
    assert first.computed_at == desk.now
    new_case(client, manager, f.flag(ref="r-late"))
    with db.session() as s:
        info, refreshed = service.current(s, now=desk.now + timedelta(seconds=30),
                                          max_age_seconds=60)
    assert not refreshed and info.computed_at == desk.now
    assert _counts(db, manager)["flags"].total == 7  # not yet counted
    later = desk.now + timedelta(seconds=61)
    with db.session() as s:
        info, refreshed = service.current(s, now=later, max_age_seconds=60)
    assert refreshed and info.computed_at == later
    assert _counts(db, manager)["flags"].total == 8
    # A refresh that finds a fresh snapshot after waiting for the lock leaves it alone.
    with db.session() as s:
        again = service.refresh(s, now=later + timedelta(seconds=1), max_age_seconds=60)
    assert again.computed_at == later


def test_refresh_replaces_every_row(db: Database, desk: Desk, manager: Person) -> None:
    _refresh(db, desk.now)
    set_case(db, desk.keys["on_track"], status="closed", is_open=False, closed_at=desk.now)
    _refresh(db, desk.now + timedelta(seconds=1))
    assert _counts(db, manager)["flags"].total == 6
    with db.session() as s:
        keys = s.execute(select(QueueBacklog.queue_id, QueueBacklog.priority,
                                QueueBacklog.visibility)).all()
    assert len(keys) == len(set(keys))


def test_flow_per_day_with_empty_days(db: Database, desk: Desk) -> None:
    now = desk.now
    days = flow_window(now)
    assert len(days) == 14 and days[-1] == now.date()
    from integrity_desk.metrics.domain import day_start

    # Every case of the desk was opened today; move some to known days.
    set_case(db, desk.keys["on_track"], created_at=day_start(days[0]))  # first second
    set_case(db, desk.keys["at_risk"], created_at=day_start(days[3]) + timedelta(hours=23,
                                                                               minutes=59))
    set_case(db, desk.keys["csm"], created_at=day_start(days[0]) - timedelta(seconds=1))
    set_case(db, desk.keys["closed"], closed_at=day_start(days[3]) + timedelta(hours=1))
    set_case(db, desk.keys["breached"], status="closed", is_open=False,
             closed_at=day_start(days[3]) + timedelta(hours=2))
    _refresh(db, now)
    with db.session() as s:
        flow = service.flow(s, now)
    assert [d.day for d in flow] == days
    by_day = {d.day: (d.opened, d.closed) for d in flow}
    assert by_day[days[0]] == (1, 0)
    assert by_day[days[3]] == (1, 2)
    assert by_day[days[-1]][0] == 8  # eleven cases, three moved away
    assert all(by_day[d] == (0, 0) for d in days[1:3] + days[4:-1])


def test_flow_of_a_fresh_desk_is_all_zero(db: Database, desk: Desk) -> None:
    with db.session() as s:
        flow = service.flow(s, desk.now)  # never refreshed
    assert len(flow) == 14 and all((d.opened, d.closed) == (0, 0) for d in flow)


def test_breaches_today(db: Database, desk: Desk, manager: Person) -> None:
    now = desk.now.replace(hour=12)
    hour = timedelta(hours=1)
    # The desk's other cases fall due ten hours after it was built; keep them due after noon
    # even when it was built just past midnight.
    with db.session() as s:
        s.execute(update(Case).where(Case.resolution_due_at < now + 10 * hour).values(
            resolution_due_at=now + 10 * hour, resolution_at_risk_at=now + 8 * hour))
    # due earlier today, open: breached today; due yesterday: not today's; due later today
    # (at risk or on track): not breached; decided after its due time today: breached.
    set_case(db, desk.keys["breached"], resolution_due_at=now - hour)
    set_case(db, desk.keys["restricted"], resolution_due_at=now - 13 * hour)
    set_case(db, desk.keys["paused"], resolution_due_at=now + hour)
    set_case(db, desk.keys["closed"], resolution_due_at=now - 2 * hour,
             decided_at=now - hour)
    set_case(db, desk.keys["on_track"], resolution_due_at=now + 2 * hour,
             resolution_at_risk_at=now - hour)
    info = _refresh(db, now)
    assert info.breaches_today == 2
    with db.session() as s:
        user = s.get(User, manager.user.id)
        lines = service.repository.breached_cases_on(s, user, now.date(), now, 10)
        assert [c.key for c in lines] == [desk.keys["breached"], desk.keys["closed"]]
        rows, _ = list_cases(s, user, filters=CaseFilters(breached=True), now=now, limit=50)
    due_today = {c.key for c in rows if c.resolution_due_at.date() == now.date()}
    assert due_today == {desk.keys["breached"], desk.keys["closed"]}


def test_overview_lists(db: Database, desk: Desk, manager: Person) -> None:
    hour = timedelta(hours=1)
    set_case(db, desk.keys["on_track"], resolution_at_risk_at=desk.now - hour,
             resolution_due_at=desk.now + 3 * hour)
    set_case(db, desk.keys["csm"], created_at=desk.now - 30 * 24 * hour)
    set_case(db, desk.keys["closed"], created_at=desk.now - 60 * 24 * hour)
    with db.session() as s:
        info = service.refresh(s, now=desk.now)
        user = s.get(User, manager.user.id)
        o = service.overview(s, user, snapshot=info, now=desk.now, list_limit=3)
    assert [c.key for c in o.at_risk] == [desk.keys["on_track"], desk.keys["at_risk"]]
    assert o.oldest[0].key == desk.keys["csm"]  # the older closed case is not open
    assert desk.keys["closed"] not in [c.key for c in o.oldest]
    assert len(o.oldest) == 3
    assert o.total_open == 10 and sum(o.totals_by_priority.values()) == 10


def test_the_worker_refreshes_the_snapshot(db: Database, desk: Desk, settings: Any) -> None:
    worker = Worker(db, settings)
    with db.session() as s:
        from integrity_desk.jobs import service as jobs

        jobs.enqueue(s, "metrics.refresh", run_at=desk.now, singleton_key="metrics.refresh")
    assert worker.run_once(desk.now) == "metrics.refresh"
    with db.session() as s:
        row = s.get(MetricsRefresh, service.SNAPSHOT)
        assert row is not None and row.computed_at == desk.now
        assert s.scalar(select(QueueBacklog).limit(1)) is not None
